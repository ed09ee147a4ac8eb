"""The Python module's training API: same runs as the CLI, dict results, the run record as NumPy arrays
(load_run, the same tensors as `plasticore export --npz`), Python errors."""
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
    w = pc.load_run(out)
    assert w["w1"].shape == (32, 784) and w["w2"].shape == (10, 32)
    assert w["b1"].shape == (32,) and w["w1"].dtype == np.float32
    assert np.all(np.isfinite(w["w1"]))
    assert w["run/epochs_done"] == 2 and w["run/config_toml"].startswith("# resolved configuration")
    np.testing.assert_array_equal(w["history/epoch"], [1.0, 2.0])
    assert w["history/test_accuracy"][-1] == m["test_accuracy"]
    # the checkpoint's weights are the trained ones: they moved away from a zero-mean init scale
    assert np.abs(w["b1"]).sum() > 0
    e = pc.evaluate(out, threads=1)
    assert e["test_accuracy"] == m["test_accuracy"] and e["test_samples"] == 100
    assert pc.evaluate(out, {"data.test_limit": 10})["test_samples"] == 10


def test_same_seed_same_numbers(idx_data, root, tmp_path):
    cfg = os.path.join(root, "configs/eqspike_mnist.toml")
    a = pc.train(cfg, small(idx_data, **{"train.epochs": 1}), out=str(tmp_path / "a"), seed=9, threads=2)
    b = pc.train(cfg, small(idx_data, **{"train.epochs": 1}), out=str(tmp_path / "b"), seed=9, threads=2)
    np.testing.assert_array_equal(pc.load_run(str(tmp_path / "a"))["w1"], pc.load_run(str(tmp_path / "b"))["w1"])
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
        pc.load_run(str(tmp_path / "no-such-run"))


def test_sequence_runs_from_python(root, tmp_path):
    out = str(tmp_path / "sine")
    m = pc.train(os.path.join(root, "configs/eprop_sine.toml"),
                 {"task.steps": 200, "train.epochs": 2, "data.train_limit": 2}, out=out, threads=1)
    assert m["algorithm"] == "eprop" and 0 < m["test_nmse"] < 10
    w = pc.load_run(out)
    assert w["w_in"].shape == (100, 100) and w["w_rec"].shape == (100, 100) and w["w_out"].shape == (1, 100)
    assert np.all(np.diag(w["w_rec"]) == 0)
    assert w["optimizer/updates"] == 4 and w["optimizer/first_moment/w_rec"].shape == (100, 100)  # Adam's state
    assert pc.evaluate(out)["test_nmse"] == m["test_nmse"]


def test_export_npz_holds_the_same_tensors_as_load_run(root, tmp_path):
    out = str(tmp_path / "pcm")
    pc.train(os.path.join(root, "configs/eprop_sine.toml"),
             {"task.steps": 100, "train.epochs": 1, "data.train_limit": 1, "substrate.kind": "pcm"}, out=out, threads=1)
    npz = str(tmp_path / "run.npz")
    binary = os.environ.get("PLASTICORE_CLI", os.path.join(root, "build", "bin", "plasticore"))
    assert os.system(f"{binary} export {out} --npz {npz} > /dev/null") == 0
    run, exported = pc.load_run(out), np.load(npz)
    assert sorted(run) == sorted(exported.files)
    for name in run:
        if isinstance(run[name], str):
            assert str(exported[name]) == run[name]
        else:
            assert exported[name].dtype == run[name].dtype and exported[name].shape == run[name].shape, name
            np.testing.assert_array_equal(exported[name], run[name])
    # the device's state is in the record: every conductance, its write time, the substrate clock
    assert run["substrate/w_rec/programmed_conductance_uS"].size == 2 * 100 * 100
    assert run["substrate/w_rec/kind"] == "pcm_statistical" and run["substrate/w_rec/clock_seconds"] > 0
