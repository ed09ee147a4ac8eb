#!/usr/bin/python3
"""How far a hardware-in-the-loop PCM chip is from what the host programmed (docs/hardware.md, "Against the
targets"): for each matrix of a run exported with `plasticore export RUN --npz FILE`, the rms of (chip weight
as written, before drift and read noise) - (the weight the host last programmed), in units of the rms
master weight, over all synapses and by |master| / rms bins, with the mean error signed along the weight
(> 0: the chip holds a larger magnitude). The last bin's error includes the clipping of weights beyond the
chip's range. Usage: scripts/hil_write_error.py FILE.npz
"""
import sys

import numpy as np

G_MIN_US, G_MAX_US = 0.1, 12.0  # pcm_device.hpp (Nandakumar et al. as coded in srnn-pcm)
BINS = [(0, 0.25), (0.25, 1), (1, 2), (2, np.inf)]


def chip_weights(z, m, shape):
    g = z[f"substrate/{m}/chip/programmed_conductance_uS"].astype(np.float64)
    devices = g.size // (2 * shape[0] * shape[1])  # per sign: [sign][device][synapse, column-major]
    g = g.reshape(2, devices, -1).sum(axis=1)
    weight_range = float(z[f"substrate/{m}/chip/range"].ravel()[0])
    return (weight_range * (g[0] - g[1]) / (devices * (G_MAX_US - G_MIN_US))).reshape(shape, order="F")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    z = np.load(sys.argv[1])
    matrices = [k.split("/")[1] for k in z.files if k.endswith("/chip/programmed_conductance_uS")]
    if not matrices:
        sys.exit(f"{sys.argv[1]}: no PCM chip in this run (a hardware-in-the-loop PCM run exported with --npz?)")
    print("| matrix | range / rms | error rms / rms | " + " | ".join(f"|w|/rms in [{a:g}, {b:g}): n, rms, signed mean" for a, b in BINS) + " |")
    print("|---|---|---|" + "---|" * len(BINS))
    for m in matrices:
        if str(z[f"substrate/{m}/chip/kind"]) != "pcm_statistical":
            continue
        master = z[f"substrate/{m}/master"].astype(np.float64)
        target = z[f"substrate/{m}/programmed_target"].astype(np.float64)
        error = chip_weights(z, m, master.shape) - target
        rms = np.sqrt((master**2).mean())
        size = np.abs(master) / rms
        cells = []
        for a, b in BINS:
            s = (size >= a) & (size < b)
            if s.any():
                e = error[s] / rms
                cells.append(f"{s.sum()}, {np.sqrt((e**2).mean()):.3f}, {(e * np.sign(master[s])).mean():+.3f}")
            else:
                cells.append("0")
        weight_range = float(z[f"substrate/{m}/chip/range"].ravel()[0])
        print(f"| {m} | {weight_range / rms:.2f} | {np.sqrt((error**2).mean()) / rms:.3f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
