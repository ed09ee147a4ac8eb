#!/usr/bin/env bash
# Training throughput of every classification config: one epoch on the first N MNIST training images
# (test set cut to 1000), ROUNDS times (the configs in turn each round), the training loop's samples per
# CPU-second and per wall second read from metrics.json, median over the rounds (a shared machine moves
# single runs by 10-25 %). Also the variants the README's MNIST table has rows for (VARIANTS below, named as
# scripts/mnist_table.sh names them). Writes bench/results/train_throughput.json.
# Usage: bench/run.sh [N=6000] [THREADS=1] [ROUNDS=3]. Not part of the test suite: it measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-6000}
threads=${2:-1}
rounds=${3:-3}
out=bench/results
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=()  # "name config [--set key=value ...]"
for cfg in configs/*mnist*.toml; do runs+=("$(basename "$cfg" .toml) $cfg"); done
runs+=("eqspike_mnist_spikes configs/eqspike_mnist.toml --set ep.input_events=spikes")  # VARIANTS
for r in $(seq "$rounds"); do
  for run in "${runs[@]}"; do
    read -r name cfg extra <<<"$run"
    # shellcheck disable=SC2086  # extra is a word list
    build/bin/plasticore train "$cfg" ${extra:-} --set train.epochs=1 --set data.train_limit="$n" --set data.test_limit=1000 \
      --threads "$threads" --out "$tmp/$name.$r" >/dev/null 2>"$tmp/$name.err" || { echo "bench: $name failed: $(tail -n 1 "$tmp/$name.err")" >&2; exit 1; }
  done
done
/usr/bin/python3 - "$tmp" "$out/train_throughput.json" "$n" "$threads" "$rounds" <<'PY'
import json, os, sys, platform, datetime, statistics
tmp, dest, n, threads, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = []
for name in sorted({d.rsplit(".", 1)[0] for d in os.listdir(tmp) if os.path.isfile(os.path.join(tmp, d, "metrics.json"))}):
    runs = [json.load(open(os.path.join(tmp, f"{name}.{r}", "metrics.json"))) for r in range(1, rounds + 1)]
    m = runs[0]
    rows.append({"config": name, "algorithm": m["algorithm"], "rule": m["rule"], "spike_coding": m.get("spike_coding", "-"),
                 "network": m["network"],
                 "train_samples_per_cpu_second": round(statistics.median(x["train_samples_per_cpu_second"] for x in runs), 1),
                 "train_samples_per_second": round(statistics.median(x["train_samples_per_second"] for x in runs), 1)})
result = {"benchmark": "train_throughput", "train_samples": n, "threads": threads, "rounds": rounds,
          "cpu": platform.processor() or platform.machine(), "date": datetime.date.today().isoformat(), "configs": rows}
tmpfile = dest + ".tmp"
json.dump(result, open(tmpfile, "w"), indent=2)
os.replace(tmpfile, dest)
width = max(len(r["config"]) for r in rows)
print(f"training throughput, 1 epoch on {n} samples, {threads} thread(s), median of {rounds} rounds:")
for r in rows:
    print(f"  {r['config']:<{width}}  {r['train_samples_per_cpu_second']:>9.1f} samples/CPU-s  {r['train_samples_per_second']:>9.1f} samples/s"
          f"  ({r['rule']}, {r['spike_coding']})")
print(f"written to {dest}")
PY
