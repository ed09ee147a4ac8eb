#!/usr/bin/python3
"""Train a small recurrent network with e-prop on your own NumPy sequences, export it to NIR (the
Neuromorphic Intermediate Representation, HDF5: docs/nir.md) for other simulators and chips, and read the
file back: the weights must be the same, and h5py shows the graph other tools will see.

    /usr/bin/python3 examples/export_nir.py [--steps T] [--epochs E] [--out FILE]
"""
import argparse
import os
import tempfile

import h5py
import numpy as np

import plasticore as pc


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=500, help="T, steps of 1 ms")
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--out", default="", help="the .nir file (default: a temporary directory)")
    a = p.parse_args()
    rng = np.random.default_rng(1)
    x = (rng.random((4, a.steps, 10)) < 0.02).astype(np.float32)  # 20 Hz Poisson input
    y = np.sin(2 * np.pi * 3 * np.arange(a.steps) / a.steps)[None, :, None].repeat(4, axis=0) / 2

    net = pc.Network({"algorithm": "eprop", "network": {"recurrent": 30}, "train": {"batch_size": 4}},
                     inputs=10, outputs=1, loss="mse", seed=1, threads=1)
    m = net.fit(x, y, epochs=a.epochs)
    print(f"NMSE after {m['epochs']} epochs: {m['test_nmse']:.3f}")

    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, "run")
        net.save(run)
        out = a.out or os.path.join(tmp, "net.nir")
        for note in pc.to_nir(run, out):
            print("note:", note)
        with h5py.File(out, "r") as f:
            nodes = f["node/nodes"]
            print("NIR nodes:", ", ".join(f"{k} ({nodes[k]['type'][()].decode()})" for k in sorted(nodes)))
        back = pc.from_nir(out)
        trained = net.parameters()
        same = all(np.array_equal(np.asarray(getattr(back, k)), trained[k]) for k in ("w_in", "w_rec", "w_out"))
        print("weights read back from NIR equal the trained ones:", same)
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
