#!/usr/bin/python3
"""Train a recurrent LIF/ALIF network with e-prop on sequences made with NumPy: from frozen Poisson spike
patterns, reproduce a sum of sines (a small version of configs/eprop_sine.toml, with your own arrays).

    /usr/bin/python3 examples/eprop_own_sequences.py [--steps T] [--sequences N] [--epochs E]
"""
import argparse

import numpy as np

import plasticore as pc


def task(sequences, steps, inputs, seed):
    rng = np.random.default_rng(seed)
    x = (rng.random((sequences, steps, inputs)) < 0.01).astype(np.float32)  # 10 Hz at dt = 1 ms
    t = np.arange(steps) / steps
    y = np.zeros((sequences, steps, 1))
    for k, f in enumerate((1, 2, 3, 5)):
        y[:, :, 0] += rng.uniform(0.5, 2) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) / 4
    return x, y


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1000, help="T, steps of 1 ms")
    p.add_argument("--sequences", type=int, default=8)
    p.add_argument("--epochs", type=int, default=200)
    a = p.parse_args()
    x, y = task(a.sequences, a.steps, inputs=20, seed=3)

    net = pc.Network({"algorithm": "eprop", "network": {"recurrent": 100, "adaptive": 20},
                      "train": {"batch_size": a.sequences, "learning_rate": 0.003}},
                     inputs=20, outputs=1, loss="mse", seed=1, threads=1)
    before = net.evaluate(x, y)["test_nmse"]
    every = max(1, a.epochs // 5)
    m = net.fit(x, y, epochs=a.epochs,
                callbacks=lambda row: row["epoch"] % every or print(f"epoch {row['epoch']:.0f}: NMSE {row['test_nmse']:.3f}, "
                                                                     f"{row['mean_rate_hz']:.1f} Hz"))
    print(f"NMSE {before:.3f} before training, {m['test_nmse']:.3f} after {m['epochs']} epochs")
    print("op counts per training sample:", {k: round(v) for k, v in m["op_counts"]["training"]["per_sample"]["forward"].items() if v})


if __name__ == "__main__":
    main()
