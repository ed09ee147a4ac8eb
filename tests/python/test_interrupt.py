"""Ctrl-C: SIGINT while Network.fit or plasticore.train runs stops training after the batch under way and
raises KeyboardInterrupt naming the checkpoint; continuing (fit again, Network.load + fit, resume) ends
with exactly the weights of a run that was never interrupted."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import plasticore as pc

CONFIG = {"algorithm": "eqspike", "network": {"hidden": [64]}, "train": {"batch_size": 10}}


def band_arrays(n, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    x = rng.random((n, 784), dtype=np.float32) * np.float32(0.25)
    for i, c in enumerate(labels):
        x[i, 56 * c:56 * c + 112] = 1
    return x, labels


def interrupt_when(path_exists):
    """SIGINT to this process once `path_exists` appears (the first epoch's files): mid-run, not by the clock."""
    state = {"running": True}

    def watch():
        while state["running"] and not os.path.exists(path_exists):
            time.sleep(0.005)
        if state["running"]:
            os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return state, thread


def test_ctrl_c_stops_fit_and_training_goes_on_where_it_stopped(tmp_path):
    x, y = band_arrays(3000)
    whole = pc.Network(CONFIG, inputs=784, outputs=10, seed=7, threads=1)
    whole.fit(x, y, epochs=3)
    out = str(tmp_path / "run")
    net = pc.Network(CONFIG, inputs=784, outputs=10, seed=7, threads=1)
    timers = []

    def interrupt_during_epoch_2(figures):
        # SIGINT 50 ms after epoch 1's callback: past the epoch-boundary check (which follows the callback at
        # once), well before epoch 2's 300 batches end (>= 0.2 s), so the stop lands between two batches.
        if figures["epoch"] == 1:
            timers.append(threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT)))
            timers[-1].start()

    try:
        with pytest.raises(KeyboardInterrupt, match="interrupted in epoch 2 after batch"):
            net.fit(x, y, epochs=3, out=out, callbacks=interrupt_during_epoch_2)
    finally:
        for t in timers:
            t.join()
    assert net.epochs_done == 1 and os.path.exists(os.path.join(out, "checkpoint.bin"))
    assert not os.path.exists(os.path.join(out, "metrics.json"))
    loaded = pc.Network.load(out)
    for n in (net, loaded):  # in memory, and from the checkpoint: the pending epoch is the first of the two
        n.fit(x, y, epochs=2)
        assert n.epochs_done == 3
        for name, value in whole.parameters().items():
            np.testing.assert_array_equal(n.parameter(name), value, err_msg=name)
        assert [r["test_accuracy"] for r in n.history] == [r["test_accuracy"] for r in whole.history]


def test_ctrl_c_stops_plasticore_train_with_a_checkpoint_to_resume(idx_data, root, tmp_path):
    config = os.path.join(root, "configs/eqspike_mnist.toml")
    overrides = dict(idx_data, **{"network.hidden": [64], "train.epochs": 40, "train.batch_size": 5})
    whole = str(tmp_path / "whole")
    pc.train(config, overrides, out=whole, seed=2, threads=1)
    cut = str(tmp_path / "cut")
    state, thread = interrupt_when(os.path.join(cut, "metrics.csv"))
    try:
        with pytest.raises(KeyboardInterrupt, match="--resume"):
            pc.train(config, overrides, out=cut, seed=2, threads=1)
    finally:
        state["running"] = False
        thread.join()
    assert not os.path.exists(os.path.join(cut, "metrics.json"))
    m = pc.resume(cut)
    assert m["epochs"] == 40
    a, b = pc.load_run(whole), pc.load_run(cut)
    for name in ("w1", "b1", "w2", "b2", "history/test_accuracy", "history/train_accuracy"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
