#!/usr/bin/env python3
"""The hardware tables from the runs of scripts/hardware_table.sh (docs/results/hw/<task>_<row>_s<seed>/):
mean +- sd over the seeds per task and substrate row, and each row against fp32 (points for accuracy,
a factor for NMSE) +- the standard error of that difference or ratio. Writes the table between the
markers <!-- hardware-table --> and <!-- /hardware-table --> of README.md and docs/hardware.md
(atomically), and prints it.
Usage: /usr/bin/python3 scripts/hardware_table.py"""
import glob
import json
import math
import os
import re
import statistics

from doc_tables import ROOT, regenerate

TASKS = [("sine", "e-prop pattern generation: test NMSE (fp32 x)"),
         ("evidence", "e-prop evidence accumulation: test accuracy, 512 sequences (points vs fp32)"),
         ("mnist", "EqSpike MNIST, 3 epochs on 10k: test accuracy, 2k images (points vs fp32)")]
ROWS = [("fp32", "fp32 (ideal)"),
        ("int8_hil", "8-bit, hardware in the loop"),
        ("int4", "4-bit, in-memory (rounds W + dW)"),
        ("int4_hil", "4-bit, hardware in the loop"),
        ("pcm_mixed", "PCM, in-memory mixed precision"),
        ("pcm_hil", "PCM, hardware in the loop (the default: 1 device per sign; reprogrammed when off by half a step from the chip read back)"),
        ("pcm_hil_readback", "PCM, hardware in the loop, threshold one step (the default before 2026-12-04)"),
        ("pcm_hil_target", "PCM, hardware in the loop, threshold one step against the programmed target (the default before 2026-12-03)"),
        ("pcm_hil_every_a20", "PCM, hardware in the loop, reprogrammed every update, 20 verify rounds"),
        ("pcm_hil_exact_writes", "PCM, hardware in the loop, every write exact (an ablation, `programming_error = false`: no device does this)"),
        ("pcm_hil_n2", "PCM, hardware in the loop, 2 devices per sign"),
        ("pcm_hil_n4", "PCM, hardware in the loop, 4 devices per sign"),
        ("pcm_hil_n8", "PCM, hardware in the loop, 8 devices per sign"),
        ("pcm_multi_device", "PCM, in-memory multi-device (4 per sign)"),
        ("pcm_sign", "PCM, in-memory sign"),
        ("pcm_stochastic", "PCM, in-memory stochastic")]


def load():
    runs = {}
    for path in glob.glob(os.path.join(ROOT, "docs/results/hw/*_s*/metrics.json")):
        name = os.path.basename(os.path.dirname(path))
        match = re.fullmatch(r"([a-z]+)_(.+)_s(\d+)", name)
        if not match:
            continue
        task, row, _ = match.groups()
        metrics = json.load(open(path))
        value = metrics["test_nmse"] if task == "sine" else 100 * metrics["test_accuracy"]
        runs.setdefault((task, row), []).append(value)
    return runs


def cell(task, row, runs):
    values = runs.get((task, row))
    if not values:
        return "not run"
    mean = statistics.mean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    text = f"{mean:.4f} ± {sd:.4f}" if task == "sine" else f"{mean:.2f} ± {sd:.2f} %"
    base = runs.get((task, "fp32"))
    if row != "fp32" and base and len(base) > 1:
        ref = statistics.mean(base)
        # standard errors of the two means, combined for the difference (delta method for the ratio)
        rel = math.sqrt((sd / mean) ** 2 / len(values) + (statistics.stdev(base) / ref) ** 2 / len(base))
        abs_se = math.sqrt(sd ** 2 / len(values) + statistics.stdev(base) ** 2 / len(base))
        text += (f" ({mean / ref:.2f}x ± {mean / ref * rel:.2f})" if task == "sine"
                 else f" ({mean - ref:+.2f} ± {abs_se:.2f})")
    return text + ("" if len(values) >= 3 else f" [{len(values)} seed{'s' if len(values) > 1 else ''}]")


def table(runs):
    lines = ["| substrate | " + " | ".join(title for _, title in TASKS) + " |",
             "|---|" + "---|" * len(TASKS)]
    for row, label in ROWS:
        if any((task, row) in runs for task, _ in TASKS):
            lines.append(f"| {label} | " + " | ".join(cell(task, row, runs) for task, _ in TASKS) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    regenerate(load, table, "hw", "scripts/hardware_table.sh", "hardware-table", ["README.md", "docs/hardware.md"])
