"""NIR export and import (docs/nir.md): the file is read independently with h5py and checked against the
layout of NIR's reference package (nir.write: /version, /node with type, nodes, edges, input_type,
output_type; each node's fields as nir's dataclasses name them); a plain NumPy simulation of the graph's
equations at the file's dt reproduces plasticore's forward pass; from_nir reads the file back into the same
network; bad files raise RuntimeError naming the file and the node."""
import os
import shutil

import numpy as np
import pytest

import plasticore as pc

h5py = pytest.importorskip("h5py")


def _built_with_hdf5():
    try:
        pc.from_nir("/nonexistent.nir")
    except RuntimeError as e:
        return "without HDF5" not in str(e)
    return True


pytestmark = pytest.mark.skipif(not _built_with_hdf5(), reason="plasticore was built without HDF5")

# The datasets and groups of each node, as nir's dataclasses serialise them (asdict + "type").
NIR_FIELDS = {
    "Input": {"type", "shape", "input_type"},
    "Output": {"type", "shape", "output_type"},
    "Linear": {"type", "weight"},
    "LIF": {"type", "tau", "r", "v_leak", "v_threshold", "v_reset", "input_type", "output_type", "metadata"},
    "LI": {"type", "tau", "r", "v_leak", "input_type", "output_type"},
}


@pytest.fixture(scope="module")
def eprop_run(root, tmp_path_factory):
    """A short e-prop run with ALIF neurons (adaptation is what NIR cannot express)."""
    out = str(tmp_path_factory.mktemp("nir") / "run")
    pc.train(os.path.join(root, "configs/eprop_sine.toml"),
             {"task.steps": 200, "train.epochs": 1, "data.train_limit": 2, "network.recurrent": 20,
              "network.adaptive": 5, "network.tau_a_ms": 200.0, "network.adapt_beta": 0.05, "task.dt_ms": 2.0},
             out=out, threads=1)
    return out


@pytest.fixture()
def exported(eprop_run, tmp_path):
    path = str(tmp_path / "net.nir")
    notes = pc.to_nir(eprop_run, path)
    return path, notes


def text(dataset):
    v = dataset[()]
    return v.decode() if isinstance(v, bytes) else str(v)


def test_layout_is_nirs(exported, eprop_run):
    path, notes = exported
    assert len(notes) == 1 and "ALIF" in notes[0]
    run = pc.load_run(eprop_run)
    with h5py.File(path, "r") as f:
        assert h5py.check_string_dtype(f["version"].dtype) is not None
        g = f["node"]
        assert text(g["type"]) == "NIRGraph"
        assert set(g.keys()) == {"type", "nodes", "edges", "input_type", "output_type", "metadata"}
        types = {name: text(node["type"]) for name, node in g["nodes"].items()}
        assert types == {"input": "Input", "w_in": "Linear", "lif": "LIF", "w_rec": "Linear", "w_out": "Linear",
                         "readout": "LI", "output": "Output"}
        for name, node in g["nodes"].items():
            assert set(node.keys()) == NIR_FIELDS[types[name]], name
        edges = {(a.decode(), b.decode()) for a, b in g["edges"][()]}
        assert edges == {("input", "w_in"), ("w_in", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "w_out"),
                         ("w_out", "readout"), ("readout", "output")}
        nodes = g["nodes"]
        np.testing.assert_array_equal(nodes["input/shape"][()], [100])
        np.testing.assert_array_equal(g["input_type/input"][()], [100])
        np.testing.assert_array_equal(g["output_type/output"][()], [1])
        for name in ("w_in", "w_rec", "w_out"):
            assert nodes[name]["weight"].dtype == np.float32
            np.testing.assert_array_equal(nodes[name]["weight"][()], run[name])
        dt = g["metadata/dt"][()]
        assert dt == pytest.approx(2e-3)
        lif = nodes["lif"]
        for key in ("tau", "r", "v_leak", "v_threshold", "v_reset"):
            assert lif[key].shape == (20,), key
        # Forward-Euler equivalence: 1 - dt / tau is plasticore's decay exp(-dt / tau_m), r dt / tau = 1.
        np.testing.assert_allclose(1 - dt / lif["tau"][()], np.exp(-2.0 / 20.0), rtol=1e-12)
        np.testing.assert_allclose(lif["r"][()] * dt / lif["tau"][()], 1.0, rtol=1e-12)
        np.testing.assert_array_equal(lif["v_threshold"][()], np.float32(0.6))  # the network's float32 value
        np.testing.assert_array_equal(lif["v_leak"][()], 0.0)
        assert lif["metadata/adaptive_neurons"][()] == 5
        assert lif["metadata/tau_adaptation"][()] == pytest.approx(0.2)
        np.testing.assert_allclose(1 - dt / nodes["readout/tau"][()], np.exp(-2.0 / 20.0), rtol=1e-12)


def simulate_nir(path, x):
    """The graph's equations at its dt, written from the file alone: forward Euler of
    tau dv/dt = (v_leak - v) + r I, spikes z = v > v_threshold, plasticore's documented subtractive reset and
    (from the lif metadata) its ALIF threshold adaptation. Recurrence carries z[t-1], feed-forward edges z[t]."""
    with h5py.File(path, "r") as f:
        n = f["node/nodes"]
        dt = f["node/metadata/dt"][()]
        w_in, w_rec, w_out = (n[k]["weight"][()].astype(np.float64) for k in ("w_in", "w_rec", "w_out"))
        lif, li = n["lif"], n["readout"]
        a_m = 1 - dt / lif["tau"][()]
        g_m = dt / lif["tau"][()] * lif["r"][()]
        th = lif["v_threshold"][()]
        a_o = 1 - dt / li["tau"][()]
        g_o = dt / li["tau"][()] * li["r"][()]
        n_ad = int(lif["metadata/adaptive_neurons"][()])
        rho = np.exp(-dt / lif["metadata/tau_adaptation"][()])
        beta = lif["metadata/adaptation_beta"][()]
    n_rec = w_in.shape[0]
    v, z, a = np.zeros(n_rec), np.zeros(n_rec), np.zeros(n_rec)
    y = np.zeros(w_out.shape[0])
    ys, zs = [], []
    adaptive = np.arange(n_rec) < n_ad
    for t in range(x.shape[0]):
        a = np.where(adaptive, rho * a + z, 0.0)
        v = a_m * v + g_m * (w_in @ x[t] + w_rec @ z) - th * z
        z = (v - (th + beta * a) > 0).astype(np.float64)
        y = a_o * y + g_o * (w_out @ z)
        ys.append(y.copy())
        zs.append(z.copy())
    return np.array(ys), np.array(zs)


def test_forward_pass_matches_a_plain_simulation_of_the_file(exported, eprop_run):
    path, _ = exported
    x = (np.random.default_rng(4).random((300, 100)) < 0.05).astype(np.float64)
    y_file, z_file = simulate_nir(path, x)
    net = pc.from_nir(path)
    y_net, z_net = net.forward(x)
    assert z_net.sum() > 100  # active enough for the comparison to mean something
    np.testing.assert_array_equal(z_net, z_file)
    np.testing.assert_allclose(y_net, y_file, atol=1e-4)
    # and from_nir's network is the trained one: its weights and its forward pass
    run = pc.load_run(eprop_run)
    np.testing.assert_array_equal(net.w_in, run["w_in"])
    np.testing.assert_array_equal(net.w_out, run["w_out"])
    trained = pc.RecurrentSNN(n_in=100, n_rec=20, n_out=1, n_adaptive=5, tau_a=200.0, adapt_beta=0.05, dt=2.0)
    trained.w_in, trained.w_rec, trained.w_out = run["w_in"], run["w_rec"], run["w_out"]
    y_trained, z_trained = trained.forward(x)
    np.testing.assert_array_equal(z_trained, z_net)
    np.testing.assert_array_equal(y_trained, y_net)


def damaged(path, tmp_path, edit):
    bad = str(tmp_path / "bad.nir")
    shutil.copy(path, bad)
    with h5py.File(bad, "r+") as f:
        edit(f)
    return bad


@pytest.mark.parametrize("edit,needles", [
    (lambda f: (f["node/nodes/lif"].__delitem__("type"), f["node/nodes/lif"].create_dataset("type", data="Conv2d")),
     ["node 'lif'", "Conv2d"]),
    (lambda f: (f["node/nodes/w_in"].__delitem__("weight"), f["node/nodes/w_in"].create_dataset("weight", data=np.ones((20, 7), "f4"))),
     ["node 'w_in'", "20 x 7"]),
    (lambda f: f["node/nodes/lif/tau"].__setitem__(3, 1.0), ["node 'lif'", "tau", "differs between neurons"]),
    (lambda f: f["node/nodes/lif/v_leak"].__setitem__(slice(None), 0.1), ["node 'lif'", "v_leak"]),
    (lambda f: (f["node/nodes/w_rec"].__delitem__("weight"),
                f["node/nodes/w_rec"].create_dataset("weight", shape=(70000, 70000), dtype="f4")),
     ["node 'w_rec'", "out of range"]),  # declared huge, never read
    (lambda f: (f["node/nodes/w_out"].__delitem__("weight"), f["node/nodes/w_out"].create_dataset("weight", data="x")),
     ["node 'w_out'", "not numeric"]),
    (lambda f: f["node/metadata"].__delitem__("dt"), ["no metadata dt"]),
])
def test_bad_files_raise_runtime_error_naming_the_node(exported, tmp_path, edit, needles):
    bad = damaged(exported[0], tmp_path, edit)
    with pytest.raises(RuntimeError) as e:
        pc.from_nir(bad)
    message = str(e.value)
    assert "bad.nir" in message and "\n" not in message
    for needle in needles:
        assert needle in message, message


def test_dt_argument_replaces_missing_metadata(exported, tmp_path):
    bad = damaged(exported[0], tmp_path, lambda f: f["node/metadata"].__delitem__("dt"))
    x = (np.random.default_rng(5).random((50, 100)) < 0.05).astype(np.float64)
    np.testing.assert_array_equal(pc.from_nir(bad, dt=2.0).forward(x)[0], pc.from_nir(exported[0]).forward(x)[0])


def test_not_hdf5_and_ep_runs_are_refused(idx_data, root, tmp_path):
    junk = tmp_path / "junk.nir"
    junk.write_text("no")
    with pytest.raises(RuntimeError, match="junk.nir: not an HDF5 file"):
        pc.from_nir(str(junk))
    out = str(tmp_path / "ep")
    overrides = dict(idx_data)
    overrides.update({"network.hidden": [16], "train.epochs": 1})
    pc.train(os.path.join(root, "configs/ep_mnist.toml"), overrides, out=out, threads=1)
    with pytest.raises(ValueError, match="docs/nir.md"):
        pc.to_nir(out, str(tmp_path / "ep.nir"))
    assert not (tmp_path / "ep.nir").exists()


def test_compressed_datasets_are_read(exported, tmp_path):
    """nir.write compresses arrays with gzip by default."""
    def compress(f):
        w = f["node/nodes/w_in/weight"][()]
        del f["node/nodes/w_in/weight"]
        f["node/nodes/w_in"].create_dataset("weight", data=w, compression="gzip")
    bad = damaged(exported[0], tmp_path, compress)
    np.testing.assert_array_equal(pc.from_nir(bad).w_in, pc.from_nir(exported[0]).w_in)


def test_a_long_type_string_is_refused(exported, tmp_path):
    bad = damaged(exported[0], tmp_path, lambda f: (f["node/nodes/lif"].__delitem__("type"),
                                                   f["node/nodes/lif"].create_dataset("type", data="L" * 100000)))
    with pytest.raises(RuntimeError, match="node 'lif'|nodes/lif/type"):
        pc.from_nir(bad)
