#!/usr/bin/env bash
# e-prop with a batch of one (pattern generation) at several network sizes, 1 and 2 threads interleaved
# (1 2 1 2 ...): where sharing one sequence's synapse work among threads starts to pay, which sets
# EpropEligibility::kSharedBlockWork (docs/performance.md, "Threads"). Reads train_samples_per_second (wall
# time of the training loop) from each run's metrics.json, so run it on an otherwise idle machine. Prints the
# medians and the speed-up per size; writes bench/results/eprop_sizes.json.
# Usage: bash bench/eprop_sizes.sh [BINARY=build/bin/plasticore] [REPEATS=3] [NEURONS ...=100 200 400 800].
# Not part of the test suite: it measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/bin/plasticore}
repeats=${2:-3}
sizes=("${@:3}")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100 200 400 800)
[[ -x $bin ]] || { echo "eprop_sizes: $bin is missing (make build)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/rows"
for n in "${sizes[@]}"; do
  sequences=$(( 1200000 / (n * n) )); (( sequences >= 18 )) || sequences=18  # 2-4 s per run: the threads' split settles in the first ~10 sequences
  one=() two=()
  for r in $(seq "$repeats"); do
    for threads in 1 2; do
      out="$tmp/$n.$threads.$r"
      "$bin" train configs/eprop_sine.toml --set network.recurrent="$n" --set train.epochs=3 \
        --set data.train_limit="$sequences" --threads "$threads" --out "$out" >/dev/null 2>"$out.err" ||
        { echo "eprop_sizes: $n neurons, $threads threads failed: $(tail -n 1 "$out.err")" >&2; exit 1; }
      rate=$(/usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['train_samples_per_second'])" "$out/metrics.json")
      if [[ $threads == 1 ]]; then one+=("$rate"); else two+=("$rate"); fi
    done
  done
  echo "$n ${one[*]} | ${two[*]}" >>"$tmp/rows"
done
/usr/bin/python3 - "$tmp/rows" bench/results/eprop_sizes.json "$bin" "$repeats" <<'PY'
import datetime, json, os, statistics, sys
rows_path, dest, binary, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = []
for line in open(rows_path):
    neurons, rest = line.split(" ", 1)
    left, right = rest.split("|")
    one, two = [float(v) for v in left.split()], [float(v) for v in right.split()]
    n = int(neurons)
    padded = (100 + n + 15) // 16 * 16  # presynaptic columns: 100 inputs + n recurrent, padded to 16
    rows.append({"neurons": n, "synapse_steps_per_block": n * padded * 32, "one_thread": one, "two_threads": two,
                 "speedup": statistics.median(two) / statistics.median(one)})
print("| neurons | synapse-steps per 32-step block | 1 thread (samples/s) | 2 threads | speed-up |\n|---|---|---|---|---|")
for r in rows:
    print(f"| {r['neurons']} | {r['synapse_steps_per_block'] / 1e6:.2f} M | {statistics.median(r['one_thread']):,.0f} "
          f"| {statistics.median(r['two_threads']):,.0f} | {r['speedup']:.2f}x |")
os.makedirs(os.path.dirname(dest), exist_ok=True)
with open(dest + ".tmp", "w") as f:
    json.dump({"benchmark": "eprop_sizes", "binary": binary, "repeats": repeats,
               "date": datetime.date.today().isoformat(), "sizes": rows}, f, indent=2)
os.replace(dest + ".tmp", dest)
print(f"(median of {repeats} interleaved runs; written to {dest})")
PY
