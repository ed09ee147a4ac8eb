#!/usr/bin/env bash
# How much slower training on a hardware substrate is than ideal fp32: the same short runs on every
# substrate, in memory and hardware in the loop, with the automatic weight mapping (EqSpike MNIST on the
# first N images, e-prop pattern generation); the training loop's samples per CPU-second from
# metrics.json, ratio to the ideal run. Writes bench/results/hardware_training.json.
# Usage: bench/hardware_training.sh [N=2000] [THREADS=1]. Not part of the test suite: it measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
threads=${2:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
substrates=(
  "ideal|substrate.kind=ideal"
  "quantized_4bit|substrate.kind=quantized substrate.bits=4"
  "quantized_4bit_in_the_loop|substrate.kind=quantized substrate.bits=4 substrate.training=hardware_in_the_loop"
  "pcm_mixed_precision|substrate.kind=pcm substrate.update=mixed_precision"
  "pcm_in_the_loop|substrate.kind=pcm substrate.training=hardware_in_the_loop"
  "memristor|substrate.kind=memristor substrate.update=stochastic"
)
names=()
for entry in "${substrates[@]}"; do names+=("${entry%%|*}"); done
for entry in "${substrates[@]}"; do
  name=${entry%%|*}
  sets=()
  for kv in ${entry#*|}; do sets+=(--set "$kv"); done
  build/bin/plasticore train configs/eqspike_mnist.toml --set train.epochs=1 --set data.train_limit="$n" \
    --set data.test_limit=500 "${sets[@]}" --threads "$threads" --out "$tmp/eqspike-$name" >/dev/null 2>"$tmp/err" ||
    { echo "bench: eqspike $name failed: $(tail -n 1 "$tmp/err")" >&2; exit 1; }
  build/bin/plasticore train configs/eprop_sine.toml --set train.epochs=5 "${sets[@]}" --threads "$threads" \
    --out "$tmp/eprop-$name" >/dev/null 2>"$tmp/err" || { echo "bench: eprop $name failed: $(tail -n 1 "$tmp/err")" >&2; exit 1; }
done
build/bin/crossbar_bench bench/results/crossbar_tile.json
/usr/bin/python3 - "$tmp" bench/results/hardware_training.json "$n" "$threads" "${names[@]}" <<'PY'
import json, os, sys, datetime
tmp, dest, n, threads, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
key = "train_samples_per_cpu_second"
rows = []
for task in ["eqspike", "eprop"]:
    base = json.load(open(f"{tmp}/{task}-ideal/metrics.json"))[key]
    for name in names:
        rate = json.load(open(f"{tmp}/{task}-{name}/metrics.json"))[key]
        rows.append({"task": task, "substrate": name, key: round(rate, 1), "slowdown_vs_ideal": round(base / rate, 2)})
result = {"benchmark": "hardware_training", "eqspike_train_samples": n, "threads": threads,
          "date": datetime.date.today().isoformat(), "runs": rows}
json.dump(result, open(dest + ".tmp", "w"), indent=2)
os.replace(dest + ".tmp", dest)
for r in rows:
    print(f"  {r['task']:<8} {r['substrate']:<28} {r[key]:>9.1f} samples/CPU-s  {r['slowdown_vs_ideal']:>6.2f}x")
print(f"written to {dest}")
PY
