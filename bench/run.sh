#!/usr/bin/env bash
# Training throughput of every classification config: one epoch on the first N MNIST training images
# (test set cut to 1000), samples/s read from metrics.json. Writes bench/results/train_throughput.json.
# Usage: bench/run.sh [N=6000] [THREADS=1]. Not part of the test suite: it measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-6000}
threads=${2:-1}
out=bench/results
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for cfg in configs/*mnist*.toml; do
  name=$(basename "$cfg" .toml)
  build/bin/plasticore train "$cfg" --set train.epochs=1 --set data.train_limit="$n" --set data.test_limit=1000 \
    --threads "$threads" --out "$tmp/$name" >/dev/null 2>"$tmp/$name.err" || { echo "bench: $name failed: $(tail -n 1 "$tmp/$name.err")" >&2; exit 1; }
done
/usr/bin/python3 - "$tmp" "$out/train_throughput.json" "$n" "$threads" <<'PY'
import json, os, sys, platform, datetime
tmp, dest, n, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = []
for name in sorted(os.listdir(tmp)):
    path = os.path.join(tmp, name, "metrics.json")
    if not os.path.isfile(path):
        continue
    m = json.load(open(path))
    rows.append({"config": name, "algorithm": m["algorithm"], "rule": m["rule"], "spike_coding": m.get("spike_coding", "-"),
                 "network": m["network"], "train_samples_per_second": round(m["train_samples_per_second"], 1)})
result = {"benchmark": "train_throughput", "train_samples": n, "threads": threads,
          "cpu": platform.processor() or platform.machine(), "date": datetime.date.today().isoformat(), "configs": rows}
tmpfile = dest + ".tmp"
json.dump(result, open(tmpfile, "w"), indent=2)
os.replace(tmpfile, dest)
width = max(len(r["config"]) for r in rows)
print(f"training throughput, 1 epoch on {n} samples, {threads} thread(s):")
for r in rows:
    print(f"  {r['config']:<{width}}  {r['train_samples_per_second']:>9.1f} samples/s  ({r['rule']}, {r['spike_coding']})")
print(f"written to {dest}")
PY
