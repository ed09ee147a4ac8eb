#!/usr/bin/env bash
# Two plasticore binaries on the same short runs, interleaved (A B B A A B ...), one thread each, counting the
# CPU time (user + system) of each whole process: start-up, data, training and test evaluation. Prints
# the median CPU seconds of each side and the ratio A / B per config, and beside it the training loop's rate
# (train_samples_per_cpu_second of each run's metrics.json, or the wall-time train_samples_per_second if a
# binary is older than that key; median) and its ratio B / A, which start-up and data
# loading do not dilute; writes bench/results/ab.json.
# Usage: bash bench/ab.sh A_BINARY B_BINARY [REPEATS=5] [CONFIG_NAME ...]
#   e.g. git worktree add /tmp/old <commit> && (cd /tmp/old && make build) &&
#        bash bench/ab.sh /tmp/old/build/bin/plasticore build/bin/plasticore
# Config names: the keys of bench/short_runs.sh (default: the four recurrent ones). AB_SET="--set key=value ..."
# is added to every run of both sides (e.g. a substrate). Not part of the test suite: it measures time.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: bash bench/ab.sh A_BINARY B_BINARY [REPEATS] [CONFIG_NAME ...]" >&2; exit 2; }
a=$1 b=$2
shift 2
repeats=5
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then repeats=$1; shift; fi
for bin in "$a" "$b"; do [[ -x "$bin" ]] || { echo "ab: $bin is not an executable" >&2; exit 1; }; done
. bench/short_runs.sh  # SHORT_RUN: the budget of each config
configs=("$@")
[[ ${#configs[@]} -gt 0 ]] || configs=(eprop_sine eprop_evidence bptt_sine bptt_evidence)
for c in "${configs[@]}"; do [[ -n "${SHORT_RUN[$c]:-}" ]] || { echo "ab: unknown config '$c' (known: ${!SHORT_RUN[*]})" >&2; exit 2; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1
cpu_seconds() {  # binary, out dir, train args...: prints user + system seconds of the whole process
  local bin=$1 out=$2; shift 2
  /usr/bin/time -f "%U %S" -o "$out.time" "$bin" train "$@" --threads 1 --out "$out" >/dev/null 2>"$out.err" ||
    { echo "ab: $bin train $* failed: $(tail -n 1 "$out.err")" >&2; exit 1; }
  awk '{print $1 + $2}' "$out.time"
}
: >"$tmp/rows"
for c in "${configs[@]}"; do
  ta=() tb=()
  for r in $(seq "$repeats"); do
    sides=(a b); (( r % 2 == 0 )) && sides=(b a)  # alternate which binary runs first in a round
    for side in "${sides[@]}"; do
      bin=$a; [[ $side == b ]] && bin=$b
      # shellcheck disable=SC2086  # the argument strings are word lists
      seconds=$(cpu_seconds "$bin" "$tmp/$c.$side$r" "configs/$c.toml" ${SHORT_RUN[$c]} ${AB_SET:-})
      if [[ $side == a ]]; then ta+=("$seconds"); else tb+=("$seconds"); fi
    done
  done
  echo "$c ${ta[*]} | ${tb[*]}" >>"$tmp/rows"
done
/usr/bin/python3 - "$tmp/rows" bench/results/ab.json "$a" "$b" "$repeats" "$tmp" <<'PY'
import json, os, statistics, sys, datetime
rows_path, dest, a, b, repeats, tmp = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
metrics = lambda run: json.load(open(os.path.join(tmp, run, "metrics.json")))
# The training loop's CPU rate where both binaries report it (since 2026-12-03), else both sides' wall rate.
runs = [d for d in os.listdir(tmp) if os.path.isfile(os.path.join(tmp, d, "metrics.json"))]
key = "train_samples_per_cpu_second" if all("train_samples_per_cpu_second" in metrics(d) for d in runs) else "train_samples_per_second"
rate = lambda run: metrics(run)[key]
rows = []
for line in open(rows_path):
    name, rest = line.split(" ", 1)
    left, right = rest.split("|")
    ta, tb = [float(v) for v in left.split()], [float(v) for v in right.split()]
    ra = [rate(f"{name}.a{r}") for r in range(1, repeats + 1)]
    rb = [rate(f"{name}.b{r}") for r in range(1, repeats + 1)]
    rows.append({"config": name, "a_cpu_seconds": ta, "b_cpu_seconds": tb,
                 "ratio_a_over_b": statistics.median(ta) / statistics.median(tb),
                 "a_train_rate": ra, "b_train_rate": rb,  # samples/s of the training loop, by `key`
                 "train_rate_ratio_b_over_a": statistics.median(rb) / statistics.median(ra)})
print(f"A = {a}\nB = {b}\nAB_SET = {os.environ.get('AB_SET', '')!r}\n{repeats} interleaved repeats; CPU seconds of each whole process and training-loop samples/s (medians, {key}):")
for r in rows:
    print(f"  {r['config']:<16} A {statistics.median(r['a_cpu_seconds']):6.2f}  B {statistics.median(r['b_cpu_seconds']):6.2f}"
          f"  A/B {r['ratio_a_over_b']:.2f}x   training loop A {statistics.median(r['a_train_rate']):9.1f}"
          f"  B {statistics.median(r['b_train_rate']):9.1f}  B/A {r['train_rate_ratio_b_over_a']:.2f}x")
os.makedirs(os.path.dirname(dest), exist_ok=True)
with open(dest + ".tmp", "w") as f:
    json.dump({"benchmark": "ab", "a": a, "b": b, "repeats": repeats, "set": os.environ.get("AB_SET", ""), "train_rate": key, "date": datetime.date.today().isoformat(),
               "configs": rows}, f, indent=2)
os.replace(dest + ".tmp", dest)
print(f"written to {dest}")
PY
