"""The Python module's training API: same runs as the CLI, dict results, NumPy weights, Python errors."""
import json
import os

import numpy as np
import pytest

import plasticore as pc


def small(idx_data, **extra):
    o = dict(idx_data)
    o.update({"network.hidden": [32], "train.epochs": 2})
    o.update(extra)
    return o


def test_train_returns_metrics_and_writes_the_run(idx_data, root, tmp_path):
    out = str(tmp_path / "run")
    m = pc.train(os.path.join(root, "configs/ep_mnist.toml"), small(idx_data), out=out, seed=3, threads=1)
    assert m["out_dir"] == out
    assert m["algorithm"] == "ep" and m["rule"] == "end_of_phase" and m["epochs"] == 2
    assert m["train_samples"] == 300 and m["test_samples"] == 100
    assert m["test_accuracy"] > 0.5  # the bright band is easy; chance is 0.1
    on_disk = json.load(open(os.path.join(out, "metrics.json")))
    assert on_disk["test_accuracy"] == m["test_accuracy"]


def test_weights_are_numpy_arrays_and_evaluate_matches(idx_data, root, tmp_path):
    out = str(tmp_path / "run")
    m = pc.train(os.path.join(root, "configs/ep_mnist.toml"), small(idx_data), out=out, seed=3, threads=1)
    w = pc.load_weights(out)
    assert w["W1"].shape == (32, 784) and w["W2"].shape == (10, 32)
    assert w["b1"].shape == (32,) and w["W1"].dtype == np.float32
    assert np.all(np.isfinite(w["W1"]))
    # the checkpoint's weights are the trained ones: they moved away from a zero-mean init scale
    assert np.abs(w["b1"]).sum() > 0
    e = pc.evaluate(out, threads=1)
    assert e["test_accuracy"] == m["test_accuracy"] and e["test_samples"] == 100
    assert pc.evaluate(out, {"data.test_limit": 10})["test_samples"] == 10


def test_same_seed_same_numbers(idx_data, root, tmp_path):
    cfg = os.path.join(root, "configs/eqspike_mnist.toml")
    a = pc.train(cfg, small(idx_data, **{"train.epochs": 1}), out=str(tmp_path / "a"), seed=9, threads=2)
    b = pc.train(cfg, small(idx_data, **{"train.epochs": 1}), out=str(tmp_path / "b"), seed=9, threads=2)
    np.testing.assert_array_equal(pc.load_weights(str(tmp_path / "a"))["W1"], pc.load_weights(str(tmp_path / "b"))["W1"])
    assert a["test_accuracy"] == b["test_accuracy"]


@pytest.mark.parametrize("bad", [{"train.epochz": 1}, {"train.epochs": -1}, {"ep.beta": 0}, {"data.train_limit": "lots"}])
def test_bad_overrides_raise_value_error(idx_data, root, tmp_path, bad):
    out = tmp_path / "bad"
    with pytest.raises(ValueError):
        pc.train(os.path.join(root, "configs/ep_mnist.toml"), small(idx_data, **bad), out=str(out))
    assert not (out / "metrics.json").exists()


def test_bad_data_raises_runtime_error(idx_data, root, tmp_path):
    with pytest.raises(RuntimeError, match="nope-idx3-ubyte"):
        pc.train(os.path.join(root, "configs/ep_mnist.toml"),
                 small(idx_data, **{"data.train_images": str(tmp_path / "nope-idx3-ubyte")}), out=str(tmp_path / "r"))
    with pytest.raises(ValueError):
        pc.load_weights(str(tmp_path / "no-such-run"))


def test_sequence_runs_from_python(root, tmp_path):
    out = str(tmp_path / "sine")
    m = pc.train(os.path.join(root, "configs/eprop_sine.toml"),
                 {"task.steps": 200, "train.epochs": 2, "data.train_limit": 2}, out=out, threads=1)
    assert m["algorithm"] == "eprop" and 0 < m["test_nmse"] < 10
    w = pc.load_weights(out)
    assert w["w_in"].shape == (100, 100) and w["w_rec"].shape == (100, 100) and w["w_out"].shape == (1, 100)
    assert np.all(np.diag(w["w_rec"]) == 0)
    assert pc.evaluate(out)["test_nmse"] == m["test_nmse"]
