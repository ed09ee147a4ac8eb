#!/usr/bin/env bash
# Two plasticore builds, each with 1 and N threads, on the same runs, interleaved (A/1, A/N, B/1, B/N, then B first
# and A): what a change did to one thread and to N threads in the same minutes of this shared host. Runs are one
# epoch on RUN_SAMPLES (default 6,000) training samples and 100 test samples, long enough for the threads' shares
# to settle; the figure is the training loop's samples per second of wall time (metrics.json), median over the
# rounds. Prints a Markdown table (A and B, N / 1, and B with N threads over A with 1) and writes
# bench/results/threads_ab.json.
# Usage: bash bench/threads_ab.sh A_BINARY B_BINARY [N=2] [ROUNDS=3] [CONFIG_NAME ...] (default: the MNIST configs)
#   AB_SET="--set key=value ..." is added to every run of both sides (e.g. --set ep.input_events=changes).
# Not part of the test suite: it measures time. Run it with nothing else on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: bash bench/threads_ab.sh A_BINARY B_BINARY [N] [ROUNDS] [CONFIG_NAME ...]" >&2; exit 2; }
a=$1 b=$2
shift 2
n=2 rounds=3
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then n=$1; shift; fi
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
for bin in "$a" "$b"; do [[ -x "$bin" ]] || { echo "threads_ab: $bin is not an executable" >&2; exit 1; }; done
configs=("$@")
[[ ${#configs[@]} -gt 0 ]] || configs=(ep_mnist eqspike_mnist eqspike_eop_mnist)
for c in "${configs[@]}"; do [[ -f "configs/$c.toml" ]] || { echo "threads_ab: no configs/$c.toml" >&2; exit 2; }; done
samples=${RUN_SAMPLES:-6000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in "${configs[@]}"; do
  for r in $(seq "$rounds"); do
    sides=(a b); (( r % 2 == 0 )) && sides=(b a)  # alternate which build goes first in a round
    for side in "${sides[@]}"; do
      bin=$a; [[ $side == b ]] && bin=$b
      for t in 1 "$n"; do
        out="$tmp/$c.$side.$t.$r"
        # shellcheck disable=SC2086  # AB_SET is a word list
        "$bin" train "configs/$c.toml" --set train.epochs=1 --set data.train_limit="$samples" --set data.test_limit=100 \
          ${AB_SET:-} --threads "$t" --out "$out" >/dev/null 2>"$out.err" ||
          { echo "threads_ab: $bin train $c --threads $t failed: $(tail -n 1 "$out.err")" >&2; exit 1; }
      done
    done
  done
done
/usr/bin/python3 - "$tmp" "$n" "$rounds" "$a" "$b" "${AB_SET:-}" bench/results/threads_ab.json "${configs[@]}" <<'PY'
import datetime, json, os, statistics, sys
tmp, n, rounds, a, b, extra, dest, configs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8:]
def rate(c, side, t):
    return [json.load(open(os.path.join(tmp, f"{c}.{side}.{t}.{r}", "metrics.json")))["train_samples_per_second"] for r in range(1, rounds + 1)]
rows = []
print(f"| config | A, 1 thread | A, {n} | A {n} / 1 | B, 1 thread | B, {n} | B {n} / 1 | B {n} / A 1 |")
print("|---|---|---|---|---|---|---|---|")
for c in configs:
    m = {(s, t): statistics.median(rate(c, s, t)) for s in "ab" for t in (1, n)}
    rows.append({"config": c, "runs": {f"{s}{t}": rate(c, s, t) for s in "ab" for t in (1, n)},
                 "medians": {f"{s}{t}": m[(s, t)] for s in "ab" for t in (1, n)}})
    print(f"| `{c}` | {m[('a', 1)]:,.0f} | {m[('a', n)]:,.0f} | {m[('a', n)] / m[('a', 1)]:.2f}x | {m[('b', 1)]:,.0f} | "
          f"{m[('b', n)]:,.0f} | {m[('b', n)] / m[('b', 1)]:.2f}x | {m[('b', n)] / m[('a', 1)]:.2f}x |")
print(f"(A = {a}, B = {b}{', ' + extra if extra else ''}; training samples/s of wall time, median of {rounds} interleaved rounds)")
tmp_dest = dest + ".tmp"
with open(tmp_dest, "w") as f:
    json.dump({"date": datetime.date.today().isoformat(), "a": a, "b": b, "threads": n, "rounds": rounds,
               "set": extra, "rows": rows}, f, indent=1)
os.replace(tmp_dest, dest)
print(f"written to {dest}")
PY
