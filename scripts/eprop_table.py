#!/usr/bin/env python3
"""The e-prop table from the runs of scripts/eprop_table.sh (docs/results/eprop/<row>_s<seed>/): the final
epoch's test figure, mean +- sd over the seeds and each seed's value, the wall time per run and the training
loop's sequences per second (wall time, one thread), and the command of the runs. Writes it between the markers <!-- eprop-table --> and <!-- /eprop-table --> of README.md and docs/eprop.md
(atomically), and prints it.
Usage: /usr/bin/python3 scripts/eprop_table.py"""
import re
import statistics

from doc_tables import regenerate, runs_by_row

ROWS = [  # (row, task); scripts/eprop_table.sh says how each row is run
    ("eprop_sine", "pattern generation, 100 LIF, T = 1000"),
    ("bptt_sine", "same, BPTT"),
    ("eprop_evidence", "evidence accumulation, 50 LIF + 50 ALIF, T = 2250, 512 test sequences"),
    ("bptt_evidence", "same, BPTT"),
    ("eprop_evidence_random", "same, e-prop with random feedback"),
    ("eprop_evidence_adaptive", "same, e-prop with adaptive (Kolen-Pollack) feedback"),
    ("eprop_mnist", "sequential MNIST as spikes (row by row, 28 inputs), 64 LIF + 64 ALIF, T = 84, full 10k test set"),
    ("bptt_mnist", "same, BPTT"),
    ("eprop_mnist_constant", "same, e-prop with a constant learning rate"),
    ("bptt_mnist_constant", "same, BPTT with a constant learning rate"),
]


def load():  # {row: [(metrics, command) in seed order]}
    return {row: [seeds[s] for s in sorted(seeds)] for row, seeds in runs_by_row("eprop").items()}


def figure(metrics):  # NMSE for pattern generation, accuracy in % otherwise
    return metrics["test_nmse"] if "test_nmse" in metrics else 100 * metrics["test_accuracy"]


def test_cell(runs):
    values = [figure(m) for m, _ in runs]
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    nmse = "test_nmse" in runs[0][0]
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
    for row, task in ROWS:
        if row not in runs:
            continue
        metrics = [m for m, _ in runs[row]]
        walls = [m["wall_seconds"] for m in metrics]
        rate = statistics.median(m["train_samples_per_second"] for m in metrics)
        command = re.sub(r" --seed \d+", " --seed S", runs[row][0][1])  # the seeds' commands differ only there
        lines.append(f"| `{command.split()[2]}` | {task} | {test_cell(runs[row])} | {metrics[0]['epochs']} "
                     f"| {durations(min(walls), max(walls))} | {rate:,.0f} | `{command}` |")
    return "\n".join(lines)


if __name__ == "__main__":
    regenerate(load, table, "eprop", "scripts/eprop_table.sh", "eprop-table", ["README.md", "docs/eprop.md"])
