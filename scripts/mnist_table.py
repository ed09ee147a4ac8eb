#!/usr/bin/env python3
"""The MNIST results table from the runs of scripts/mnist_table.sh (docs/results/mnist/<config>_s<seed>/):
per run the final and the best epoch's test accuracy, the wall time and the training loop's samples per
second in the run; per config the training loop's samples per CPU-second from bench/results/train_throughput.json
(bash bench/run.sh 6000 1 5); for a config with several seeds, a row with their mean +- sd. Writes it between
the markers <!-- mnist-table --> and <!-- /mnist-table --> of README.md (atomically), and prints it.
Usage: /usr/bin/python3 scripts/mnist_table.py"""
import json
import os
import statistics

from doc_tables import ROOT, regenerate, runs_by_row

CONFIGS = [  # (row, what); scripts/mnist_table.sh says how each row is run
    ("eqspike_mnist", "EqSpike: spiking (sigma-delta), spike-triggered two-factor rule with learning trace"),
    ("eqspike_mnist_spikes", "the same with the clamped input summed as spikes every step (the same sums in another order)"),
    ("eqspike_mnist_fine", "EqSpike two-factor, finer spike resolution (leak 0.2, T 30/15)"),
    ("eqspike_eop_mnist", "same spiking network, end-of-phase EP update from its states"),
    ("ep_mnist", "rate-based EP (prototypical, leak 1, T 20/4, random-sign beta)"),
    ("eqspike_mnist_wide", "EqSpike two-factor, 784-1000-10"),
    ("ep_mnist_wide", "rate-based EP, 784-1000-10"),
]


def load():  # {row: {seed: (metrics, command)}}
    return runs_by_row("mnist")


def throughput():
    path = os.path.join(ROOT, "bench/results/train_throughput.json")
    if not os.path.exists(path):
        return {}, None
    bench = json.load(open(path))
    return {row["config"]: row["train_samples_per_cpu_second"] for row in bench["configs"]}, bench


def duration(seconds):
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def table(runs):
    speed, bench = throughput()
    bench_title = (f"`bench/run.sh` samples per CPU-second ({bench['threads']} thread, median of {bench['rounds']}, "
                   f"{bench['date']})" if bench else "`bench/run.sh` samples per CPU-second")
    lines = [f"| config | what | test accuracy, final epoch (best epoch) | epochs | wall time | samples/s in the run "
             f"(1 thread) | {bench_title} | command |", "|---|---|---|---|---|---|---|---|"]
    for row, what in CONFIGS:
        seeds = runs.get(row, {})
        for seed, (m, command) in sorted(seeds.items()):
            lines.append(f"| `{command.split()[2]}` | {what if seed == min(seeds) else f'the same, seed {seed}'} "
                         f"| **{100 * m['test_accuracy']:.2f} %** ({100 * m['best_test_accuracy']:.2f} %) | {m['epochs']} "
                         f"| {duration(m['wall_seconds'])} | {m['train_samples_per_second']:,.0f} "
                         f"| {f'{speed[row]:,.0f}' if row in speed else 'not measured'} | `{command}` |")
        if len(seeds) > 1:
            values = [100 * m["test_accuracy"] for _, (m, _) in sorted(seeds.items())]
            lines.append(f"| `{command.split()[2]}` | seeds {min(seeds)}-{max(seeds)} | **{statistics.mean(values):.2f} ± "
                         f"{statistics.stdev(values):.2f} %** (mean ± sd) | | | | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    regenerate(load, table, "mnist", "scripts/mnist_table.sh", "mnist-table", ["README.md"])
