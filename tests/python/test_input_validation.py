"""Every function and setter of the module that takes arrays or sizes, fed bad input: a Python exception
(TypeError / ValueError; KeyError for an unknown name), never a crash, a hang or a silent NaN, and the
object still usable afterwards."""
import numpy as np
import pytest

import plasticore as pc

N_IN, N_OUT, T = 6, 3, 20


def bad_arrays(shape, integer=False):
    """(label, value) pairs that must all be refused where an array of `shape` is expected."""
    good = np.zeros(shape, dtype=np.int64 if integer else np.float32)
    wide = np.zeros(shape[:-1] + (2 * shape[-1],), dtype=good.dtype)
    cases = [
        ("None", None),
        ("list", good.tolist()),
        ("str", "x"),
        ("complex", good.astype(np.complex64)),
        ("object", good.astype(object)),
        ("bool", good.astype(bool)),
        ("float16", good.astype(np.float16)),
        ("non-contiguous", wide[..., ::2]),
        ("Fortran order", np.asfortranarray(good) if len(shape) > 1 else good[::-1]),
        ("empty", np.zeros((0,) + shape[1:], dtype=good.dtype)),
        ("one more dimension", good[None, None]),
        ("one dimension less", good.reshape(-1)[0] if len(shape) == 1 else good[0]),
        ("wrong size", np.zeros(shape[:-1] + (shape[-1] + 1,), dtype=good.dtype)),
    ]
    if integer:
        cases += [("float labels", good.astype(np.float64)), ("negative label", good - 1), ("label too big", good + N_OUT)]
    else:
        cases += [("int dtype", good.astype(np.int32)), ("uint8 images", good.astype(np.uint8))]
        for v in (np.nan, np.inf, -np.inf):
            a = good.copy()
            a.reshape(-1)[-1] = v
            cases.append((f"contains {v}", a))
    return cases


BAD_SIZES = [("None", None), ("str", "5"), ("float", 2.5), ("bool", True), ("zero", 0), ("negative", -3),
             ("huge", 2 ** 40), ("beyond int64", 2 ** 70)]


def ep_network():
    return pc.Network({"algorithm": "ep", "network.hidden": [8]}, inputs=N_IN, outputs=N_OUT, seed=1)


def eprop_network():
    return pc.Network({"algorithm": "eprop", "network.recurrent": 10}, inputs=N_IN, outputs=N_OUT, loss="mse", seed=1)


def good_static(n=12):
    rng = np.random.default_rng(0)
    return rng.random((n, N_IN), dtype=np.float32), rng.integers(0, N_OUT, n)


def good_sequences(n=4):
    rng = np.random.default_rng(0)
    return (rng.random((n, T, N_IN)) < 0.2).astype(np.float32), rng.random((n, T, N_OUT))


def refused(call, label=""):
    try:
        call()
    except (TypeError, ValueError, KeyError):
        return
    pytest.fail(f"accepted: {label}")


@pytest.mark.parametrize("method", ["fit", "step", "evaluate"])
def test_static_network_refuses_bad_samples_and_labels(method):
    net = ep_network()
    x, y = good_static()
    run = (lambda a, b: net.fit(a, b, epochs=1)) if method == "fit" else getattr(net, method)
    for label, bad in bad_arrays(x.shape):
        refused(lambda: run(bad, y), label)
    for label, bad in bad_arrays(y.shape, integer=True):
        refused(lambda: run(x, bad), label)
    refused(lambda: run(x, y[:-1]))  # counts differ
    run(x, y)  # still usable after all that
    assert all(np.all(np.isfinite(v)) for v in net.parameters().values())


@pytest.mark.parametrize("method", ["fit", "step", "evaluate"])
def test_recurrent_network_refuses_bad_sequences_and_targets(method):
    net = eprop_network()
    x, y = good_sequences()
    run = (lambda a, b: net.fit(a, b, epochs=1)) if method == "fit" else getattr(net, method)
    for label, bad in bad_arrays(x.shape):
        if label != "one dimension less":  # (T, n_in) is one sequence: valid with (T, n_out) targets
            refused(lambda: run(bad, y), label)
    for label, bad in bad_arrays(y.shape):
        if label != "one dimension less":
            refused(lambda: run(x, bad), label)
    refused(lambda: run(x[:, :-1], y))  # T differs from the targets'
    refused(lambda: run(x, y[:-1]))
    refused(lambda: run(x[0], y))     # one sequence, targets of several
    run(x[0], y[0])


def test_fit_refuses_bad_arguments():
    net = ep_network()
    x, y = good_static()
    for label, bad in BAD_SIZES:
        if label != "None":  # epochs=None: the config's train.epochs
            refused(lambda: net.fit(x, y, epochs=bad), 'epochs ' + label)
    refused(lambda: net.fit(x, y, test=x))                         # not a pair
    refused(lambda: net.fit(x, y, test=(x, y, y)))
    refused(lambda: net.fit(x, y, test=(x[:, :-1], y)))
    refused(lambda: net.fit(x, y, callbacks=[print, 5]))           # not callable
    refused(lambda: net.fit(x, y, out=""))


@pytest.mark.parametrize("make", [ep_network, eprop_network])
def test_set_parameter_refuses_bad_values(make):
    net = make()
    for name, value in net.parameters().items():
        for label, bad in bad_arrays(value.shape):
            refused(lambda: net.set_parameter(name, bad), name + ' ' + label)
        before = value
        np.testing.assert_array_equal(net.parameter(name), before)  # nothing half-set
    refused(lambda: net.set_parameter("no_such", np.zeros(3)))
    refused(lambda: net.parameter("no_such"))


def test_network_refuses_bad_sizes_and_configs():
    for label, bad in BAD_SIZES:
        refused(lambda: pc.Network({"algorithm": "ep"}, inputs=bad, outputs=2), 'inputs ' + label)
        refused(lambda: pc.Network({"algorithm": "ep"}, inputs=2, outputs=bad), 'outputs ' + label)
        if label not in ("zero", "huge"):  # seeds 0 and 2**40 are seeds
            refused(lambda: pc.Network({"algorithm": "ep"}, inputs=2, outputs=2, seed=bad if label != "None" else -1))
    refused(lambda: pc.Network({"network.hidden": [2 ** 40]}, inputs=2, outputs=2))
    refused(lambda: pc.Network({"network.hidden": None}, inputs=2, outputs=2))
    refused(lambda: pc.Network({"network.hidden": [object()]}, inputs=2, outputs=2))
    refused(lambda: pc.Network(5, inputs=2, outputs=2))
    refused(lambda: pc.Network({"algorithm": "ep"}, overrides=[1], inputs=2, outputs=2))
    refused(lambda: pc.Network({"algorithm": "ep"}, inputs=2, outputs=2, loss="hinge"))
    refused(lambda: pc.Network({"algorithm": "ep"}, inputs=2, outputs=2, loss=3))
    refused(lambda: pc.Network({"train.learning_rate": float("nan")}, inputs=2, outputs=2))


def test_recurrent_snn_refuses_bad_input():
    for label, bad in BAD_SIZES:
        refused(lambda: pc.RecurrentSNN(n_in=bad, n_rec=4, n_out=2))
        refused(lambda: pc.RecurrentSNN(n_in=3, n_rec=bad, n_out=2))
        refused(lambda: pc.RecurrentSNN(n_in=3, n_rec=4, n_out=bad))
    refused(lambda: pc.RecurrentSNN(n_in=3, n_rec=4, n_out=2, n_adaptive=5))
    net = pc.RecurrentSNN(n_in=3, n_rec=4, n_out=2)
    x = np.zeros((T, 3))
    y = np.zeros((T, 2))
    for attribute, shape in (("w_in", (4, 3)), ("w_rec", (4, 4)), ("w_out", (2, 4))):
        for label, bad in bad_arrays(shape):
            refused(lambda: setattr(net, attribute, bad), attribute + ' ' + label)
    for label, bad in bad_arrays(x.shape):
        refused(lambda: net.forward(bad), label)
        refused(lambda: net.gradients(bad, y), label)
    for label, bad in bad_arrays(y.shape):
        if label != "one dimension less":
            refused(lambda: net.gradients(x, bad), label)
    refused(lambda: net.gradients(x, y, method="sgd"))
    net.gradients(x, y)


def test_load_run_and_evaluate_refuse_bad_paths(tmp_path):
    for bad in (None, 5, str(tmp_path / "missing")):
        with pytest.raises((TypeError, ValueError, RuntimeError)):
            pc.load_run(bad)
        with pytest.raises((TypeError, ValueError, RuntimeError)):
            pc.Network.load(bad)
