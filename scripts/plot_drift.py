#!/usr/bin/env python3
"""Drift curve PNG from `plasticore drift` output: RUN_DIR/drift.json and drift_compensated.json.
Usage: /usr/bin/python3 scripts/plot_drift.py RUN_DIR OUT.png"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

run, out = sys.argv[1], sys.argv[2]
fig, ax = plt.subplots(figsize=(5, 3.2))
for name, label in [("drift.json", "no compensation"), ("drift_compensated.json", "global drift compensation")]:
    path = os.path.join(run, name)
    if not os.path.exists(path):
        continue
    points = json.load(open(path))["points"]
    metric = "test_accuracy" if "test_accuracy" in points[0] else "test_nmse"
    scale = 100 if metric == "test_accuracy" else 1
    ax.plot([p["seconds"] for p in points], [scale * p[metric] for p in points], "o-", label=label)
ax.set_xscale("log")
ax.set_xlabel("time since programming (s)")
ax.set_ylabel("test accuracy (%)" if metric == "test_accuracy" else "test NMSE")
ax.set_title("PCM inference drift (aihwkit PCM model)")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
fig.tight_layout()
tmp = out + ".tmp.png"
fig.savefig(tmp, dpi=120)
os.replace(tmp, out)
print("written to", out)
