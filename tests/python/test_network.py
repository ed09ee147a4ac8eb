"""plasticore.Network: build a network and substrate from a config dict, train it on NumPy arrays with the
CLI's trainer, evaluate, read/set parameters, op counts and energy, save/load; the RecurrentSNN defaults."""
import json
import os

import numpy as np
import pytest

import plasticore as pc

from conftest import band_images


def small_ep(**extra):
    config = {"algorithm": "ep", "network": {"hidden": [32]}, "train.learning_rate": [0.1, 0.05]}
    config.update(extra)
    return config


def sine_task(n=4, T=100, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.random((n, T, 5)) < 0.1).astype(np.float32)
    y = np.repeat(np.sin(np.linspace(0, 6, T))[None, :, None], n, axis=0)
    return x, y


def test_fit_on_arrays_is_the_cli_run_on_the_same_images(idx_data, root, tmp_path):
    """One code path: Network.fit on the arrays of the IDX files trains exactly what pc.train trains."""
    out = str(tmp_path / "cli")
    cli = pc.train(os.path.join(root, "configs/ep_mnist.toml"), dict(idx_data, **{"network.hidden": [32], "train.epochs": 2}),
                   out=out, seed=3, threads=1)
    (x, y), test = band_images("train", idx_data), band_images("test", idx_data)
    net = pc.Network(os.path.join(root, "configs/ep_mnist.toml"), {"network.hidden": [32]}, inputs=784, outputs=10,
                     seed=3, threads=1)
    m = net.fit(x, y, epochs=2, test=test)
    assert m["test_accuracy"] == cli["test_accuracy"] and m["train_accuracy"] == cli["train_accuracy"]
    saved = pc.load_run(out)
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(value, saved[name], err_msg=name)
    assert m["test_accuracy"] > 0.5  # chance is 0.1


def test_measured_threads_train_the_numbers_of_one_thread(idx_data, root, tmp_path):
    """threads=0 chooses the team batch by batch (train/thread_choice.hpp): the same numbers as threads=1, and each
    run reports the same largest team (the unit tests check that the caller's team comes back)."""
    config = os.path.join(root, "configs/ep_mnist.toml")
    overrides = dict(idx_data, **{"network.hidden": [32], "train.epochs": 1})
    runs = [pc.train(config, overrides, out=str(tmp_path / f"run{k}"), seed=3, threads=t) for k, t in enumerate((0, 0, 1))]
    assert runs[1]["threads"] == runs[0]["threads"] and runs[2]["threads"] == 1
    for figure in ("train_accuracy", "test_accuracy"):
        assert runs[0][figure] == runs[1][figure] == runs[2][figure], figure


def test_callbacks_see_every_epoch_and_can_stop(idx_data):
    x, y = band_images("train", idx_data)
    seen = []
    net = pc.Network(small_ep(), inputs=784, outputs=10, seed=1, threads=1)
    m = net.fit(x, y, epochs=5, callbacks=[seen.append, lambda row: row["epoch"] < 2])
    assert [row["epoch"] for row in seen] == [1.0, 2.0]  # the second callback ended training after epoch 2
    assert m["epochs"] == 2 and net.epochs_done == 2 and len(net.history) == 2
    assert seen[-1]["test_accuracy"] == m["test_accuracy"] and m["evaluated_on"] == "train"
    net.fit(x, y, epochs=1)  # goes on: one more epoch
    assert net.epochs_done == 3


def test_evaluate_and_step(idx_data):
    x, y = band_images("train", idx_data)
    xt, yt = band_images("test", idx_data)
    net = pc.Network(small_ep(), inputs=784, outputs=10, seed=2, threads=1)
    m = net.fit(x, y, epochs=1, test=(xt, yt))
    e = net.evaluate(xt, yt)
    assert e["test_accuracy"] == m["test_accuracy"] and e["test_samples"] == len(yt)
    before = net.parameter("w1")
    s = net.step(x[:20], y[:20])
    assert s["samples"] == 20 and 0 <= s["train_accuracy"] <= 1
    assert not np.array_equal(before, net.parameter("w1"))  # one update happened


def test_parameters_are_read_only_copies_with_explicit_setters():
    net = pc.Network(small_ep(), inputs=6, outputs=3, seed=1)
    p = net.parameters()
    assert set(p) == {"w1", "b1", "w2", "b2"} and p["w1"].shape == (32, 6) and p["b1"].shape == (32,)
    with pytest.raises(ValueError):
        p["w1"][0, 0] = 5.0  # no silent loss of an in-place edit
    w = np.arange(32 * 6, dtype=np.float64).reshape(32, 6) / 100
    net.set_parameter("w1", w)
    np.testing.assert_array_equal(net.parameter("w1"), w.astype(np.float32))
    net.set_parameter("b2", np.array([1.0, -2.0, 0.5]))
    np.testing.assert_array_equal(net.parameter("b2"), [1.0, -2.0, 0.5])
    with pytest.raises(KeyError):
        net.parameter("w9")


def test_recurrent_network_trains_on_sequences_and_starts_active():
    x, y = sine_task()
    net = pc.Network({"algorithm": "eprop", "network.recurrent": 20, "train": {"learning_rate": 0.01}},
                     inputs=5, outputs=1, loss="mse", seed=1, threads=1)
    first = net.evaluate(x, y)
    assert first["test_nmse"] > 0
    m = net.fit(x, y, epochs=20)
    assert m["mean_rate_hz"] > 0  # the default initialisation spikes
    assert m["test_nmse"] < first["test_nmse"]
    p = net.parameters()
    assert set(p) == {"w_in", "w_rec", "w_out"} and np.all(np.diag(p["w_rec"]) == 0)
    w = np.ones((20, 20))
    net.set_parameter("w_rec", w)
    assert np.all(np.diag(net.parameter("w_rec")) == 0) and net.parameter("w_rec")[0, 1] == 1  # no autapses


def test_device_substrate_conductances_op_counts_and_energy(idx_data):
    x, y = band_images("train", idx_data)
    net = pc.Network(small_ep(**{"substrate.kind": "pcm"}), inputs=784, outputs=10, seed=1, threads=1)
    assert net.substrate == "pcm"
    with pytest.raises(RuntimeError):
        net.op_counts()  # nothing counted before fit
    net.fit(x[:100], y[:100], epochs=1)
    g = net.conductances()
    assert set(g) == {"w1", "w2"} and g["w1"].dtype == np.float32 and np.all(g["w1"] >= 0)
    with pytest.raises(ValueError):
        g["w1"][0] = 1.0
    ops = net.op_counts()
    assert ops["training"]["samples"] == 100 and ops["training"]["per_sample"]["update"]["programming_pulses"] >= 0
    report = net.energy()
    assert {"gpu", "loihi", "pcm_crossbar"} <= set(report["technologies"])
    assert report["technologies"]["gpu"]["training_joules"] > 0
    assert pc.Network(small_ep(), inputs=4, outputs=2).conductances() == {}  # digital: none


def test_save_load_and_fit_into_a_run_directory(idx_data, tmp_path):
    x, y = band_images("train", idx_data)
    out = str(tmp_path / "run")
    a = pc.Network(small_ep(), inputs=784, outputs=10, seed=4, threads=1)
    a.fit(x, y, epochs=2, out=out)
    for f in ("config.toml", "checkpoint.bin", "metrics.csv", "metrics.json"):
        assert os.path.exists(os.path.join(out, f)), f
    assert json.load(open(os.path.join(out, "metrics.json")))["dataset"] == "arrays"
    b = pc.Network.load(out)
    assert b.epochs_done == 2 and b.out_dir == out and b.config_toml == a.config_toml
    for name, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameter(name))
    assert b.evaluate(x, y) == a.evaluate(x, y)
    # Two more epochs after loading = four epochs in one go.
    b.fit(x, y, epochs=2)
    c = pc.Network(small_ep(), inputs=784, outputs=10, seed=4, threads=1)
    c.fit(x, y, epochs=4)
    for name, value in c.parameters().items():
        np.testing.assert_array_equal(value, b.parameter(name), err_msg=name)
    with pytest.raises(ValueError):
        pc.Network(small_ep(), inputs=784, outputs=10).fit(x, y, epochs=1, out=out)  # holds another run


def test_config_errors_name_the_key():
    with pytest.raises(ValueError, match="network.hiddn"):
        pc.Network({"network.hiddn": [3]}, inputs=4, outputs=2)
    with pytest.raises(ValueError, match="data.inputs"):
        pc.Network({"algorithm": "ep"}, outputs=2)
    with pytest.raises(ValueError, match="train.epochs"):
        pc.Network({"train": {"epochs": 0}}, inputs=4, outputs=2)


def test_recurrent_snn_starts_with_activity_and_read_only_weights():
    net = pc.RecurrentSNN(n_in=5, n_rec=8, n_out=2)
    x = (np.random.default_rng(0).random((200, 5)) < 0.2).astype(np.float64)
    readout, spikes = net.forward(x)
    assert spikes.sum() > 0 and np.abs(readout).sum() > 0
    with pytest.raises(ValueError):
        net.w_in[0, 0] = 5.0
    w = np.zeros((8, 5))
    net.w_in = w
    assert np.all(net.w_in == 0)
    assert not np.array_equal(pc.RecurrentSNN(n_in=5, n_rec=8, n_out=2, seed=2).w_in,
                              pc.RecurrentSNN(n_in=5, n_rec=8, n_out=2, seed=1).w_in)
