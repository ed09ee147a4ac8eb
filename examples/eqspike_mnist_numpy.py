#!/usr/bin/python3
"""Train EqSpike (spiking equilibrium propagation) on MNIST held as NumPy arrays.

    /usr/bin/python3 examples/eqspike_mnist_numpy.py [--data DIR] [--train N] [--test N] [--epochs E]

DIR holds the four MNIST IDX files (default: $PLASTICORE_DATA/mnist or ~/.cache/plasticore/mnist, where
scripts/setup.sh puts them). The network, rule and hyper-parameters are configs/eqspike_mnist.toml's
(the README's 97.58 ± 0.11 % runs), with the data from NumPy instead of its IDX keys.
"""
import argparse
import os
import struct

import numpy as np

import plasticore as pc

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "eqspike_mnist.toml")


def read_idx(path):
    with open(path, "rb") as f:
        ndim = struct.unpack(">I", f.read(4))[0] - 0x800
        shape = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(shape)


def load(directory, prefix, limit):
    images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte"))[:limit]
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte"))[:limit]
    # Pixels in [0, 1], scaled as plasticore's IDX reader does (so a run equals the CLI's on the same images).
    return images.reshape(len(images), -1).astype(np.float32) * np.float32(1 / 255), labels.astype(np.int64)


def main():
    default = os.path.join(os.environ.get("PLASTICORE_DATA", os.path.expanduser("~/.cache/plasticore")), "mnist")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=default)
    p.add_argument("--train", type=int, default=10000, help="training images")
    p.add_argument("--test", type=int, default=2000, help="test images")
    p.add_argument("--epochs", type=int, default=3)
    a = p.parse_args()
    x, y = load(a.data, "train", a.train)
    test = load(a.data, "t10k", a.test)

    net = pc.Network(CONFIG, inputs=x.shape[1], outputs=10, seed=1, threads=1)
    print(net)
    net.fit(x, y, epochs=a.epochs, test=test,
            callbacks=lambda row: print(f"epoch {row['epoch']:.0f}: test accuracy {100 * row['test_accuracy']:.2f} %"))
    print("test accuracy", net.evaluate(*test)["test_accuracy"])
    w = net.parameters()["w1"]
    print(f"w1 {w.shape}, mean |w| {np.abs(w).mean():.4f}")


if __name__ == "__main__":
    main()
