#!/usr/bin/env python3
"""The EqSpike-on-chip tables from the runs of scripts/eqspike_table.sh (docs/results/eqspike/<part>_<row>_s<seed>/):
final accuracy, mean +- sd over the seeds, per row; the ablations against their base row (points). Writes them
between the markers <!-- eqspike-ablations --> ... <!-- /eqspike-ablations -->, <!-- eqspike-fashion-choice --> ... and <!-- eqspike-full -->
... <!-- /eqspike-full --> of docs/eqspike.md (and the full table into README.md), atomically, and prints them.
Usage: /usr/bin/python3 scripts/eqspike_table.py"""
import glob
import json
import os
import re
import statistics

from doc_tables import ROOT, replace_block

ABLATIONS = [  # (row, what the chip gives up or gains, base row it is compared with)
    ("base", "state trace, +-beta from the stored free state, mini-batches of 20 (T2 = 20)", None),
    ("fresh_free_phase", "no stored free state: the free phase run again before the -beta phase", "base"),
    ("flip", "no stored free state: +-beta in turn, the second from where the first ended (flip)", "base"),
    ("per_sample", "per-sample updates (batch 1, learning rate / 20)", "base"),
    ("positive", "one nudged phase, +beta only", "base"),
    ("random", "one nudged phase, random sign per mini-batch", "base"),
    ("alternating", "one nudged phase, sign alternating between mini-batches", "base"),
    ("chip", "all at once: flip + per-sample (configs/eqspike_chip_mnist.toml)", "base"),
    ("spikes", "spike trace, +-beta from the stored free state (configs/eqspike_spiketrace_mnist.toml)", None),
    ("spikes_flip", "spike trace, flip", "spikes"),
    ("spikes_flip_t60", "spike trace, flip, free phase 60 steps (the slow trace settles)", "spikes"),
    ("spikes_chip", "spike trace, all at once: flip (T1 = 60) + per-sample", "spikes"),
]
FULL = [
    ("eqspike_spiketrace_mnist", "strictly spike-based rule: trace of the post spikes, +-beta, batch 20"),
    ("eqspike_chip_mnist", "hardware-like: state trace, flip (nothing stored), per-sample updates"),
    ("eqspike_spiketrace_wide_mnist", "the spike-based rule, 784-1000-10, training images shifted by up to 1 pixel"),
    ("eqspike_fashion", "Fashion-MNIST: the paper's rule, state trace (eqspike_mnist.toml's settings)"),
    ("ep_fashion", "Fashion-MNIST: rate EP (ep_mnist.toml's settings)"),
]
FASHION_CHOICE = [  # which rule carries over to Fashion-MNIST (short budget, validation split, seed 1)
    ("spikes", "EqSpike, spike trace (eqspike_spiketrace_mnist.toml: learning rates 0.4, 0.2)"),
    ("spikes_lr01", "EqSpike, spike trace, learning rates 0.1, 0.05"),
    ("state", "EqSpike, the paper's state trace (eqspike_mnist.toml)"),
    ("rate_ep", "rate EP (ep_mnist.toml)"),
]


def load(part):
    runs = {}
    for path in sorted(glob.glob(os.path.join(ROOT, f"docs/results/eqspike/{part}_*_s*/metrics.json"))):
        match = re.fullmatch(part + r"_(.+)_s(\d+)", os.path.basename(os.path.dirname(path)))
        if match:
            runs.setdefault(match.group(1), []).append(100 * json.load(open(path))["test_accuracy"])
    return runs


def mean_sd(values):
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    text = f"{statistics.mean(values):.2f} ± {sd:.2f} %"
    return text + ("" if len(values) >= 3 else f" [{len(values)} seed{'s' if len(values) > 1 else ''}]")


def ablation_table(runs):
    lines = ["| row | what changes | validation accuracy | vs its base |", "|---|---|---|---|"]
    for row, label, base in ABLATIONS:
        values = runs.get(row)
        if not values:
            continue
        delta = f"{statistics.mean(values) - statistics.mean(runs[base]):+.2f}" if base and runs.get(base) else ""
        lines.append(f"| `{row}` | {label} | {mean_sd(values)} | {delta} |")
    return "\n".join(lines)


def full_table(runs):
    lines = ["| config | rule and regime | test accuracy, 30 epochs | seeds |", "|---|---|---|---|"]
    for row, label in FULL:
        values = runs.get(row)
        if values:
            seeds = ", ".join(f"{v:.2f}" for v in values)
            lines.append(f"| `{row}` | {label} | {mean_sd(values)} | {seeds} |")
    return "\n".join(lines)


def fashion_choice_table(runs):
    lines = ["| row | rule | validation accuracy |", "|---|---|---|"]
    for row, label in FASHION_CHOICE:
        if runs.get(row):
            lines.append(f"| `{row}` | {label} | {mean_sd(runs[row])} |")
    return "\n".join(lines)


if __name__ == "__main__":
    ablations, full = ablation_table(load("ablation")), full_table(load("full"))
    fashion_choice = fashion_choice_table(load("fashion_choice"))
    print(ablations + "\n\n" + fashion_choice + "\n\n" + full)
    replace_block(os.path.join(ROOT, "docs/eqspike.md"), "eqspike-fashion-choice", fashion_choice)
    replace_block(os.path.join(ROOT, "docs/eqspike.md"), "eqspike-ablations", ablations)
    replace_block(os.path.join(ROOT, "docs/eqspike.md"), "eqspike-full", full)
    replace_block(os.path.join(ROOT, "README.md"), "eqspike-full", full)
