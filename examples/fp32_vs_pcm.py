#!/usr/bin/python3
"""The same EqSpike network trained on exact fp32 weights and on a PCM crossbar (hardware-in-the-loop:
every update is programming pulses on devices with noise and drift); accuracy, energy per sample on each
technology, and the devices' conductances.

    /usr/bin/python3 examples/fp32_vs_pcm.py [--data DIR] [--train N] [--test N] [--epochs E]
"""
import argparse
import os

import numpy as np

import plasticore as pc
from eqspike_mnist_numpy import CONFIG, load


def main():
    default = os.path.join(os.environ.get("PLASTICORE_DATA", os.path.expanduser("~/.cache/plasticore")), "mnist")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=default)
    p.add_argument("--train", type=int, default=5000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=2)
    a = p.parse_args()
    x, y = load(a.data, "train", a.train)
    test = load(a.data, "t10k", a.test)

    # configs/eqspike_mnist.toml with a smaller hidden layer; on PCM the weight range of the README's hardware runs
    for substrate, keys in (("ideal", {}), ("pcm", {"substrate.range": 0.5})):
        net = pc.Network(CONFIG, {"network.hidden": [200], "substrate.kind": substrate, **keys},
                         inputs=x.shape[1], outputs=10, seed=1, threads=1)
        m = net.fit(x, y, epochs=a.epochs, test=test)
        energy = net.energy()["technologies"]
        print(f"{substrate:6s} test accuracy {100 * m['test_accuracy']:.2f} %   training J/sample: "
              + ", ".join(f"{k} {v['training_joules']:.3g}" for k, v in sorted(energy.items())))
        for name, g in net.conductances().items():
            print(f"       {name}: {g.size} devices, conductance {np.percentile(g, 5):.2f} .. {np.percentile(g, 95):.2f} uS (5-95 %)")


if __name__ == "__main__":
    main()
