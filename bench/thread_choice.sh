#!/usr/bin/env bash
# `--threads 0` (the team size measured on the run's own batches, src/train/thread_choice.hpp) against 1 and 2
# fixed threads, interleaved (1 2 0 1 2 0 ...), on runs of every training config with ten times the epochs of
# bench/threads.sh's short budgets (a few seconds of training: the choice's probes take ~0.4 s), optionally beside LOAD busy
# processes (a shared or oversubscribed machine). Reads train_samples_per_second (wall time of the training
# loop) and train_seconds_by_threads from each run's metrics.json. Prints the medians, the speed-ups over one
# thread and the share of the measured runs' training time spent with 2 threads; writes
# bench/results/thread_choice.json (LOAD > 0: thread_choice_loaded.json).
# Usage: [LOAD=2] bash bench/thread_choice.sh [REPEATS=3] [CONFIG_NAME ...]. Not part of the test suite: it
# measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
load=${LOAD:-0}
[[ -x build/bin/plasticore ]] || { echo "thread_choice: build/bin/plasticore is missing (make build)" >&2; exit 1; }
. bench/short_runs.sh  # SHORT_RUN: bench/threads.sh's budgets; here with ten times the epochs
configs=(eprop_sine eprop_evidence bptt_sine bptt_evidence ep_mnist eqspike_mnist eqspike_eop_mnist)
[[ $# -gt 1 ]] && configs=("${@:2}")
for c in "${configs[@]}"; do [[ -n "${SHORT_RUN[$c]:-}" ]] || { echo "thread_choice: unknown config '$c' (known: ${!SHORT_RUN[*]})" >&2; exit 2; }; done
tmp=$(mktemp -d)
busy=()
cleanup() { [[ ${#busy[@]} -gt 0 ]] && kill "${busy[@]}" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq "$load"); do
  sh -c 'while :; do :; done' &
  busy+=($!)
done
run() {  # config, threads, repeat: prints "samples_per_second seconds_with_2_threads seconds_in_all"
  local out="$tmp/$1.$2.$3" budget=${SHORT_RUN[$1]}
  [[ $budget =~ train\.epochs=([0-9]+) ]] &&
    budget=${budget/train.epochs=${BASH_REMATCH[1]}/train.epochs=$((BASH_REMATCH[1] * 10))}
  # shellcheck disable=SC2086  # the argument strings are word lists
  build/bin/plasticore train "configs/$1.toml" $budget --threads "$2" --out "$out" >/dev/null 2>"$out.err" ||
    { echo "thread_choice: $1 with --threads $2 failed: $(tail -n 1 "$out.err")" >&2; exit 1; }
  /usr/bin/python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
by = m['train_seconds_by_threads']
print(m['train_samples_per_second'], by.get('2', 0), sum(by.values()))" "$out/metrics.json"
}
: >"$tmp/rows"
for c in "${configs[@]}"; do
  for r in $(seq "$repeats"); do
    for t in 1 2 0; do
      figures=$(run "$c" "$t" "$r")  # an assignment, so that a failed run stops the script (set -e)
      echo "$c $t $figures" >>"$tmp/rows"
    done
  done
done
dest=bench/results/thread_choice.json
[[ $load -gt 0 ]] && dest=bench/results/thread_choice_loaded.json
/usr/bin/python3 - "$tmp/rows" "$dest" "$repeats" "$load" <<'PY'
import datetime, json, os, statistics, sys
rows_path, dest, repeats, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
runs = {}
for line in open(rows_path):
    name, threads, rate, two, total = line.split()
    runs.setdefault(name, {}).setdefault(threads, []).append((float(rate), float(two), float(total)))
rows = []
for name, by in runs.items():
    med = {t: statistics.median(r[0] for r in by[t]) for t in by}
    share = sum(r[1] for r in by["0"]) / sum(r[2] for r in by["0"])
    rows.append({"config": name, "samples_per_second": {t: [r[0] for r in by[t]] for t in by},
                 "two_threads_speedup": med["2"] / med["1"], "measured_speedup": med["0"] / med["1"],
                 "measured_share_with_two_threads": share})
print(f"beside {load} busy processes" if load else "no other load")
print("| config | 1 thread (samples/s) | 2 threads | `--threads 0` | 2 / 1 | 0 / 1 | time with 2 threads (0) |\n|---|---|---|---|---|---|---|")
for r in rows:
    s = r["samples_per_second"]
    print(f"| `{r['config']}` | {statistics.median(s['1']):,.0f} | {statistics.median(s['2']):,.0f} | "
          f"{statistics.median(s['0']):,.0f} | {r['two_threads_speedup']:.2f}x | {r['measured_speedup']:.2f}x | "
          f"{100 * r['measured_share_with_two_threads']:.0f} % |")
os.makedirs(os.path.dirname(dest), exist_ok=True)
with open(dest + ".tmp", "w") as f:
    json.dump({"benchmark": "thread_choice", "repeats": repeats, "busy_processes": load,
               "date": datetime.date.today().isoformat(), "configs": rows}, f, indent=2)
os.replace(dest + ".tmp", dest)
print(f"(median of {repeats} interleaved runs; written to {dest})")
PY
