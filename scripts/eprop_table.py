#!/usr/bin/env python3
"""The e-prop table from the runs of scripts/eprop_table.sh (docs/results/eprop/<row>_s<seed>/): the final
epoch's test figure, mean +- sd over the seeds and each seed's value, the wall time per run and the training
loop's sequences per second (wall time, one thread). Writes it
between the markers <!-- eprop-table --> and <!-- /eprop-table --> of README.md and docs/eprop.md
(atomically), and prints it.
Usage: /usr/bin/python3 scripts/eprop_table.py"""
import glob
import json
import os
import re
import statistics

from doc_tables import ROOT, regenerate

ROWS = [  # (row, task, command without --seed)
    ("eprop_sine", "pattern generation, 100 LIF, T = 1000", "configs/eprop_sine.toml"),
    ("bptt_sine", "same, BPTT", "configs/bptt_sine.toml"),
    ("eprop_evidence", "evidence accumulation, 50 LIF + 50 ALIF, T = 2250, 512 test sequences",
     "configs/eprop_evidence.toml"),
    ("bptt_evidence", "same, BPTT", "configs/bptt_evidence.toml"),
    ("eprop_evidence_random", "same, e-prop with random feedback", "configs/eprop_evidence.toml --set train.feedback=random"),
    ("eprop_evidence_adaptive", "same, e-prop with adaptive (Kolen-Pollack) feedback",
     "configs/eprop_evidence.toml --set train.feedback=adaptive"),
    ("eprop_mnist", "sequential MNIST as spikes (row by row, 28 inputs), 64 LIF + 64 ALIF, T = 84, full 10k test set",
     "configs/eprop_mnist.toml"),
    ("bptt_mnist", "same, BPTT", "configs/bptt_mnist.toml"),
    ("eprop_mnist_constant", "same, e-prop with a constant learning rate", "configs/eprop_mnist.toml --set train.lr_schedule=constant"),
    ("bptt_mnist_constant", "same, BPTT with a constant learning rate", "configs/bptt_mnist.toml --set train.lr_schedule=constant"),
]


def load():
    runs = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "docs/results/eprop/*_s*/metrics.json"))):
        match = re.fullmatch(r"(.+)_s(\d+)", os.path.basename(os.path.dirname(path)))
        if match:
            runs.setdefault(match.group(1), []).append((int(match.group(2)), json.load(open(path))))
    return {row: [m for _, m in sorted(seeds, key=lambda s: s[0])] for row, seeds in runs.items()}


def figure(metrics):  # NMSE for pattern generation, accuracy in % otherwise
    return metrics["test_nmse"] if "test_nmse" in metrics else 100 * metrics["test_accuracy"]


def test_cell(row, runs):
    values = [figure(m) for m in runs]
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    nmse = "test_nmse" in runs[0]
    fmt = (lambda v: f"{v:.4f}") if nmse else (lambda v: f"{v:.2f}")
    text = f"NMSE {fmt(statistics.mean(values))} ± {fmt(sd)}" if nmse else f"**{fmt(statistics.mean(values))} ± {fmt(sd)} %**"
    return text + " (" + " / ".join(fmt(v) for v in values) + ")"


def durations(shortest, longest):  # "a - b unit", in the unit of the longest
    if longest >= 90:
        text = [f"{v / 60:.1f}" for v in (shortest, longest)] + ["min"]
    else:
        text = [f"{v:.1f}" if longest < 10 else f"{v:.0f}" for v in (shortest, longest)] + ["s"]
    return (text[0] if text[0] == text[1] else f"{text[0]} - {text[1]}") + " " + text[2]


def table(runs):
    lines = ["| config | task | test figure, final epoch: mean ± sd (seed 1 / 2 / ...) | epochs | wall time per run "
             "| training sequences/s (median) | command |", "|---|---|---|---|---|---|---|"]
    for row, task, command in ROWS:
        if row not in runs:
            continue
        walls = [m["wall_seconds"] for m in runs[row]]
        wall = durations(min(walls), max(walls))
        rate = statistics.median(m["train_samples_per_second"] for m in runs[row])
        lines.append(f"| `{command.split()[0]}` | {task} | {test_cell(row, runs[row])} "
                     f"| {runs[row][0]['epochs']} | {wall} | {rate:,.0f} | `build/bin/plasticore train {command} --seed S --threads 1` |")
    return "\n".join(lines)


if __name__ == "__main__":
    regenerate(load, table, "eprop", "scripts/eprop_table.sh", "eprop-table", ["README.md", "docs/eprop.md"])
