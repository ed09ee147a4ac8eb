#!/usr/bin/python3
"""Driver of bench/compare.sh: plasticore against its PyTorch peers on one core, interleaved.

For every pair, repeat r = 1..R runs plasticore, then each of its peers, with seed r (A B A B ...). Each run is
a separate process; its CPU time (user + system, from getrusage of the waited child) is the whole process:
start-up, data loading or generation, training and the test evaluation, nothing subtracted. samples per
CPU-second = training samples / that CPU time. The table gives the median over the repeats, the ratio
plasticore / peer of the medians, the target, and the accuracy (NMSE) each side reached, as the mean over
the seeds. A second ratio compares the training loops only: plasticore's train_samples_per_cpu_second from
metrics.json (CPU time of the training loop, one thread) against the peer's own training-loop CPU time.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(ROOT, "bench", "peers")
PLASTICORE = os.path.join(ROOT, "build", "bin", "plasticore")
PYTHON = "/usr/bin/python3"

# name, config, training samples (one epoch of data.train_limit), test samples, target ratio, peers, and
# optionally more --set overrides of plasticore's config
PAIRS = [
    {"name": "rate EP", "config": "configs/ep_mnist.toml", "train": 60000, "test": 10000, "target": 2.0,
     "figure": "test_accuracy", "peers": [("ep_rate.py", [])]},
    # The clamped input sent as changes (ep.input_events, the default; docs/performance.md) and, below, summed as
    # spikes every step: the same sums in another order. The peer sums spikes.
    {"name": "EqSpike two-factor, input as changes", "config": "configs/eqspike_mnist.toml", "train": 20000,
     "test": 10000, "target": 5.0, "figure": "test_accuracy", "peers": [("eqspike.py", [])],
     "set": ["ep.input_events=changes"]},
    {"name": "EqSpike two-factor, input as spikes", "config": "configs/eqspike_mnist.toml", "train": 20000,
     "test": 10000, "target": 5.0, "figure": "test_accuracy", "peers": [("eqspike.py", [])],
     "set": ["ep.input_events=spikes"]},
    {"name": "e-prop LIF, pattern generation", "config": "configs/eprop_sine.toml", "train": 300, "test": 1,
     "target": 20.0, "figure": "test_nmse",
     "peers": [("eprop.py", ["--task", "sine"]), ("eprop.py", ["--task", "sine", "--mode", "factorized"])]},
    {"name": "e-prop ALIF, evidence accumulation", "config": "configs/eprop_evidence.toml", "train": 1280,
     "test": 512, "target": 20.0, "figure": "test_accuracy", "peers": [("eprop.py", ["--task", "evidence"])]},
]


def timed(cmd, log):
    """Runs cmd to completion; returns (CPU seconds of the child: user + system, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(log, "w") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        with open(log) as f:
            tail = f.read().strip().splitlines()[-3:]
        sys.exit(f"compare: {' '.join(cmd[:3])}... failed (exit {proc.returncode}): " + " | ".join(tail))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def run_plasticore(pair, seed, tmp):
    out = os.path.join(tmp, f"pc_{PAIRS.index(pair)}_{seed}")
    cmd = [PLASTICORE, "train", pair["config"], "--threads", "1", "--seed", str(seed),
           "--set", "train.epochs=1", "--set", f"data.train_limit={pair['train']}",
           "--set", f"data.test_limit={pair['test']}"]
    for s in pair.get("set", []):
        cmd += ["--set", s]
    cmd += ["--out", out]
    cpu, wall = timed(cmd, out + ".log")
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    return {"seed": seed, "cpu_seconds": cpu, "wall_seconds": wall, "train_samples": m["train_samples"],
            "samples_per_cpu_second": m["train_samples"] / cpu,
            "train_loop_samples_per_second": m["train_samples_per_cpu_second"], "figure": m[pair["figure"]],
            "command": " ".join(os.path.relpath(c, ROOT) if c == PLASTICORE else c for c in cmd[:-2])}


def run_peer(pair, script, extra, seed, tmp):
    out = os.path.join(tmp, f"peer_{script}_{'_'.join(extra)}_{seed}.json")
    cmd = [PYTHON, os.path.join(PEERS, script), *extra, "--seed", str(seed), "--train-limit", str(pair["train"]),
           "--test-limit", str(pair["test"]), "--quiet", "--json", out]
    cpu, wall = timed(cmd, out + ".log")
    with open(out) as f:
        m = json.load(f)
    if m["train_samples"] != pair["train"]:
        sys.exit(f"compare: {script} trained {m['train_samples']} samples, plasticore {pair['train']}")
    return {"seed": seed, "cpu_seconds": cpu, "wall_seconds": wall, "train_samples": m["train_samples"],
            "samples_per_cpu_second": m["train_samples"] / cpu,
            "train_loop_samples_per_second": m["train_samples_per_cpu_second"], "figure": m[pair["figure"]],
            "peer_cpu_seconds": m["cpu_seconds"],
            "command": " ".join([PYTHON, os.path.relpath(cmd[1], ROOT)] + cmd[2:-3])}


def summary(runs):
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    figures = [r["figure"] for r in runs]
    return {"samples_per_cpu_second": med("samples_per_cpu_second"),
            "train_loop_samples_per_second": med("train_loop_samples_per_second"),
            "cpu_seconds": med("cpu_seconds"), "figure_mean": statistics.fmean(figures),
            "figure_min": min(figures), "figure_max": max(figures)}


def fmt_rate(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def fmt_figure(name, s):
    if name == "test_nmse":
        return f"NMSE {s['figure_mean']:.4f} ({s['figure_min']:.4f}-{s['figure_max']:.4f})"
    return f"{100 * s['figure_mean']:.2f} % ({100 * s['figure_min']:.2f}-{100 * s['figure_max']:.2f})"


def blas_library():
    try:
        return os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        return "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", help="run only the pairs whose name contains this")
    p.add_argument("--json", help="where to write the results (default: bench/results/compare.json; with --only "
                                  "compare_<only>.json, so that a run of some rows never replaces the whole table)")
    args = p.parse_args()
    if args.json is None:
        name = "compare" if not args.only else "compare_" + re.sub(r"[^a-z0-9]+", "_", args.only.lower()).strip("_")
        args.json = os.path.join(ROOT, "bench", "results", name + ".json")
    pairs = [q for q in PAIRS if not args.only or args.only.lower() in q["name"].lower()]
    if not pairs:
        sys.exit(f"compare: --only {args.only!r} matches none of: " + ", ".join(q["name"] for q in PAIRS))
    started = time.monotonic()
    rows = []
    with tempfile.TemporaryDirectory(prefix="plasticore_compare_") as tmp:
        for pair in pairs:
            pc_runs, peer_runs = [], [[] for _ in pair["peers"]]
            for r in range(1, args.repeats + 1):
                pc_runs.append(run_plasticore(pair, r, tmp))
                print(f"  {pair['name']}, seed {r}: plasticore {pc_runs[-1]['samples_per_cpu_second']:.1f} samples/CPU-s",
                      file=sys.stderr, end="", flush=True)
                for k, (script, extra) in enumerate(pair["peers"]):
                    peer_runs[k].append(run_peer(pair, script, extra, r, tmp))
                    print(f", {script} {' '.join(extra)} {peer_runs[k][-1]['samples_per_cpu_second']:.1f}",
                          file=sys.stderr, end="", flush=True)
                print(file=sys.stderr)
            pc = summary(pc_runs)
            for k, (script, extra) in enumerate(pair["peers"]):
                peer = summary(peer_runs[k])
                rows.append({
                    "pair": pair["name"], "config": pair["config"], "peer": " ".join(["bench/peers/" + script] + extra),
                    "train_samples": pair["train"], "test_samples": pair["test"], "figure": pair["figure"],
                    "target_ratio": pair["target"],
                    "ratio": pc["samples_per_cpu_second"] / peer["samples_per_cpu_second"],
                    "train_loop_ratio": pc["train_loop_samples_per_second"] / peer["train_loop_samples_per_second"],
                    "plasticore": pc, "peer_summary": peer, "plasticore_runs": pc_runs, "peer_runs": peer_runs[k]})
    elapsed = time.monotonic() - started

    head = ("| work (config) | peer | train / test samples | plasticore samples per CPU-s | peer samples per CPU-s "
            "| ratio | target | met | plasticore test figure | peer test figure | training-loop ratio |")
    lines = [f"Samples per CPU-second of the whole process (start-up, data, training and test evaluation; nothing "
             f"subtracted), median of {args.repeats} interleaved runs, seeds 1-{args.repeats}, one core each; test "
             f"figures: mean (min-max) over the seeds. Training-loop ratio: plasticore's metrics.json "
             f"train_samples_per_cpu_second over the peer's training-loop CPU rate.", "",
             head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        pc, peer = row["plasticore"], row["peer_summary"]
        lines.append(
            f"| {row['pair']} (`{row['config']}`) | `{row['peer']}` | {row['train_samples']:,} / {row['test_samples']:,} "
            f"| {fmt_rate(pc['samples_per_cpu_second'])} | {fmt_rate(peer['samples_per_cpu_second'])} "
            f"| **{row['ratio']:.2f}x** | >= {row['target_ratio']:g}x | {'yes' if row['ratio'] >= row['target_ratio'] else 'no'} "
            f"| {fmt_figure(row['figure'], pc)} | {fmt_figure(row['figure'], peer)} | {row['train_loop_ratio']:.2f}x |")
    table = "\n".join(lines)
    print(table)

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return "unknown"

    torch_version = version([PYTHON, "-c", "import torch; print(torch.__version__)"])
    result = {"benchmark": "compare_peers", "date": datetime.date.today().isoformat(), "repeats": args.repeats,
              "seconds": round(elapsed, 1), "cpu": version(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]),
              "cores": os.cpu_count(), "plasticore_version": version([PLASTICORE, "--version"]),
              "git": version(["git", "describe", "--always", "--dirty"]), "torch": torch_version,
              "blas": blas_library(), "python": PYTHON, "platform": platform.platform(),
              "cpu_time": "whole process (getrusage of the waited child, user + system), nothing subtracted",
              "rows": rows, "table_markdown": table}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    tmpfile = args.json + ".tmp"
    with open(tmpfile, "w") as f:
        json.dump(result, f, indent=2)
    os.replace(tmpfile, args.json)
    print(f"\n{len(rows)} rows in {elapsed / 60:.1f} min; written to {os.path.relpath(args.json, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
