#!/usr/bin/env bash
# Training throughput with 1 and with N threads (default 2), interleaved (1 N N 1 1 N ...), on short runs of
# every training config: the threads table of docs/performance.md. Reads train_samples_per_second (wall
# time of the training loop) from each run's metrics.json, so run it on an otherwise idle machine.
# Prints the medians and the speed-up per config; writes bench/results/threads.json. Runs build/bin/host_probe
# before and after (what moving a cache line between the two cores costs at the time: it changes from one
# benchmark to the next on the VMs we have) and records its figures beside the speed-ups (the probe always
# uses 2 threads, whatever N is).
# Usage: bash bench/threads.sh [N=2] [REPEATS=3] [CONFIG_NAME ...] (default: every config below). Not part
# of the test suite: it measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2}
repeats=${2:-3}
for b in plasticore host_probe; do
  [[ -x build/bin/$b ]] || { echo "threads: build/bin/$b is missing (make build)" >&2; exit 1; }
done
. bench/short_runs.sh  # SHORT_RUN: the budget of each config
configs=(eprop_sine eprop_evidence bptt_sine bptt_evidence ep_mnist eqspike_mnist eqspike_eop_mnist)
[[ $# -gt 2 ]] && configs=("${@:3}")
for c in "${configs[@]}"; do [[ -n "${SHORT_RUN[$c]:-}" ]] || { echo "threads: unknown config '$c' (known: ${!SHORT_RUN[*]})" >&2; exit 2; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate() {  # config, threads, repeat
  local out="$tmp/$1.$2.$3"
  # shellcheck disable=SC2086  # the argument strings are word lists
  build/bin/plasticore train "configs/$1.toml" ${SHORT_RUN[$1]} --threads "$2" --out "$out" >/dev/null 2>"$out.err" ||
    { echo "threads: $1 with $2 threads failed: $(tail -n 1 "$out.err")" >&2; exit 1; }
  /usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['train_samples_per_second'])" "$out/metrics.json"
}
: >"$tmp/rows"
build/bin/host_probe --repeats 3 --json "$tmp/probe_before.json" | tail -n 4
for c in "${configs[@]}"; do
  one=() many=()
  for r in $(seq "$repeats"); do
    order=(one many); (( r % 2 == 0 )) && order=(many one)  # alternate which thread count runs first in a repeat
    for side in "${order[@]}"; do
      if [[ $side == one ]]; then one+=("$(rate "$c" 1 "$r")"); else many+=("$(rate "$c" "$n" "$r")"); fi
    done
  done
  echo "$c ${one[*]} | ${many[*]}" >>"$tmp/rows"
done
build/bin/host_probe --repeats 3 --json "$tmp/probe_after.json" | tail -n 4
/usr/bin/python3 - "$tmp/rows" bench/results/threads.json "$n" "$repeats" "$tmp" <<'PY'
import datetime, json, os, statistics, sys
rows_path, dest, n, repeats, tmp = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
probe = {when: {k: v for k, v in json.load(open(f"{tmp}/probe_{when}.json")).items()
                if k in ("threads", "two_thread_speedup", "shared_read_cost", "omp_barrier_cost", "syscall_us")}
         for when in ("before", "after")}
rows = []
for line in open(rows_path):
    name, rest = line.split(" ", 1)
    left, right = rest.split("|")
    one, many = [float(v) for v in left.split()], [float(v) for v in right.split()]
    rows.append({"config": name, "one_thread": one, f"{n}_threads": many,
                 "speedup": statistics.median(many) / statistics.median(one)})
print(f"| config | 1 thread (samples/s) | {n} threads | speed-up |\n|---|---|---|---|")
for r in rows:
    print(f"| `{r['config']}` | {statistics.median(r['one_thread']):,.0f} | {statistics.median(r[f'{n}_threads']):,.0f} | {r['speedup']:.2f}x |")
os.makedirs(os.path.dirname(dest), exist_ok=True)
with open(dest + ".tmp", "w") as f:
    json.dump({"benchmark": "threads", "threads": n, "repeats": repeats, "date": datetime.date.today().isoformat(),
               "host_probe": probe, "configs": rows}, f, indent=2)
os.replace(dest + ".tmp", dest)
print(f"(median of {repeats} interleaved runs; written to {dest})")
print("host_probe, a line moving between the cores (shared_read_cost): "
      f"{probe['before']['shared_read_cost']:.2f}x before, {probe['after']['shared_read_cost']:.2f}x after")
PY
