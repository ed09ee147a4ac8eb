#!/usr/bin/python3
"""The table of a pattern-generation study (scripts/pcm_programming_study.sh, scripts/pcm_ablation_study.sh):
each variant's mean test NMSE over the seeds, its ratio to fp32's mean and, with --paired-to V, its paired
ratio to variant V (geometric mean over the seeds of the per-seed ratios, ± its standard error).
Usage: sine_study_table.py DIR FIRST_SEED LAST_SEED [--paired-to V] VARIANT ...  (runs in DIR/<variant>_s<seed>/)"""
import argparse
import json
import math
import statistics

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("first", type=int)
p.add_argument("last", type=int)
p.add_argument("--paired-to")
p.add_argument("variants", nargs="+")
a = p.parse_args()
seeds = range(a.first, a.last + 1)
nmse = {v: [json.load(open(f"{a.dir}/{v}_s{s}/metrics.json"))["test_nmse"] for s in seeds] for v in a.variants}
base = statistics.mean(nmse["fp32"])
paired = a.paired_to is not None
head = f"| variant (e-prop sine, seeds {a.first}-{a.last}) | mean test NMSE ± sd | x fp32 |"
print(head + (f" x `{a.paired_to}`, paired (geometric mean ± se) |" if paired else ""))
print("|---|---|---|" + ("---|" if paired else ""))
for v, x in nmse.items():
    row = f"| `{v}` | {statistics.mean(x):.4f} ± {statistics.stdev(x):.4f} | {statistics.mean(x) / base:.2f}x |"
    if paired:
        logs = [math.log(n / r) for n, r in zip(x, nmse[a.paired_to])]
        row += f" {math.exp(statistics.mean(logs)):.2f}x ± {statistics.stdev(logs) / math.sqrt(len(logs)):.2f} |"
    print(row)
