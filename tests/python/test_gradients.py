"""The RecurrentSNN gradient API (e-prop issue): shapes, e-prop == BPTT without recurrence, Python errors."""
import numpy as np
import pytest

import plasticore as pc


def make_net(rng, w_rec_scale=0.0, n_adaptive=4):
    net = pc.RecurrentSNN(n_in=5, n_rec=8, n_out=3, n_adaptive=n_adaptive, tau_m=20.0, tau_out=20.0, tau_a=200.0,
                          v_th=0.6, adapt_beta=0.07, gamma=0.3, dt=1.0)
    net.w_in = rng.normal(0, 1.0, (8, 5))            # float64 accepted
    net.w_rec = rng.normal(0, w_rec_scale / np.sqrt(8), (8, 8))
    net.w_out = rng.normal(0, 1.0 / np.sqrt(8), (3, 8))
    return net


def sequence(rng, T=200, onehot=False):
    x = (rng.random((T, 5)) < 0.15).astype(np.float64)
    if onehot:
        y = np.zeros((T, 3))
        y[np.arange(T), rng.integers(0, 3, T)] = 1
    else:
        y = np.sin(np.linspace(0, 6, T))[:, None] * np.ones((1, 3))
    return x, y


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("n_adaptive", [0, 4])
def test_eprop_equals_bptt_without_recurrence(loss, n_adaptive):
    rng = np.random.default_rng(1)
    net = make_net(rng, 0.0, n_adaptive)
    x, y = sequence(rng, onehot=loss == "ce")
    l1, g1 = net.gradients(x, y, method="eprop", loss=loss)
    l2, g2 = net.gradients(x, y, method="bptt", loss=loss)
    assert l1 == pytest.approx(l2, rel=1e-6)
    for k in ("w_in", "w_rec", "w_out"):
        assert g1[k].shape == g2[k].shape
        scale = max(np.abs(g2[k]).max(), 1e-12)
        np.testing.assert_allclose(g1[k], g2[k], atol=1e-4 * scale, rtol=0)
    assert np.abs(g2["w_in"]).max() > 0  # the test is not vacuous: the neurons spiked


def test_with_recurrence_eprop_is_an_approximation():
    rng = np.random.default_rng(2)
    net = make_net(rng, 0.4)
    x, y = sequence(rng)
    _, ge = net.gradients(x, y, method="eprop")
    _, gb = net.gradients(x, y, method="bptt")
    a, b = ge["w_rec"].ravel(), gb["w_rec"].ravel()
    cosine = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    assert 0.3 < cosine < 0.9999  # aligned, but not equal: e-prop drops the recurrent paths
    assert np.all(np.diag(ge["w_rec"]) == 0) and np.all(np.diag(gb["w_rec"]) == 0)


def test_weights_round_trip_and_diagonal_is_ignored():
    rng = np.random.default_rng(3)
    net = make_net(rng, 0.5)
    w = rng.normal(size=(8, 8))
    net.w_rec = w
    got = net.w_rec
    assert got.shape == (8, 8)
    np.testing.assert_allclose(got - np.diag(np.diag(got)), (w - np.diag(np.diag(w))).astype(np.float32), rtol=1e-7)
    assert np.all(np.diag(got) == 0)


def test_ce_and_cross_entropy_are_one_loss():
    rng = np.random.default_rng(6)
    net = make_net(rng, 0.3)
    x, y = sequence(rng, T=50, onehot=True)
    l1, g1 = net.gradients(x, y, method="bptt", loss="ce")
    l2, g2 = net.gradients(x, y, method="bptt", loss="cross_entropy")
    assert l1 == l2
    np.testing.assert_array_equal(g1["w_rec"], g2["w_rec"])


def test_bad_input_raises_value_error():
    rng = np.random.default_rng(4)
    net = make_net(rng)
    x, y = sequence(rng, T=20)
    with pytest.raises(ValueError):
        net.gradients(x[:, :4], y)
    with pytest.raises(ValueError):
        net.gradients(x, y[:10])
    x_nan = x.copy()
    x_nan[3, 2] = np.nan
    with pytest.raises(ValueError):
        net.gradients(x_nan, y)
    with pytest.raises(ValueError):
        net.gradients(x, y, method="backprop")
    with pytest.raises(ValueError):
        net.gradients(x, y, loss="hinge")
    with pytest.raises(ValueError):
        net.w_in = np.zeros((5, 8))
    with pytest.raises(ValueError):
        net.w_out = np.full((3, 8), np.inf)


def test_refractory_period_keeps_eprop_exact_without_recurrence():
    rng = np.random.default_rng(5)
    x, y = sequence(rng, onehot=True)
    w_in = rng.normal(0, 1.5, (8, 5))
    w_out = rng.normal(0, 1.0 / np.sqrt(8), (3, 8))
    spikes = {}
    for n_ref in (0, 4):
        net = pc.RecurrentSNN(n_in=5, n_rec=8, n_out=3, n_adaptive=4, tau_a=200.0, adapt_beta=0.07,
                              refractory_steps=n_ref)
        net.w_in, net.w_rec, net.w_out = w_in, np.zeros((8, 8)), w_out
        spikes[n_ref] = net.forward(x)[1].sum()
        _, g1 = net.gradients(x, y, method="eprop", loss="ce")
        _, g2 = net.gradients(x, y, method="bptt", loss="ce")
        for k in ("w_in", "w_out"):
            np.testing.assert_allclose(g1[k], g2[k], atol=1e-4 * np.abs(g2[k]).max(), rtol=0)
    assert spikes[4] < spikes[0]  # the period bites
    with pytest.raises(ValueError):
        pc.RecurrentSNN(n_in=5, n_rec=8, n_out=3, refractory_steps=-1)
