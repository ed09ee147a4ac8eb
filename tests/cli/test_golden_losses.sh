#!/usr/bin/env bash
# Golden curves (as NEST's e-prop tests do): the first training losses of fixed small e-prop and BPTT
# runs are pinned, so a refactor that changes the numbers is caught. Tolerance 1e-4 relative: tight
# enough for any change in the maths, loose enough for a different vector width (FMA contraction).
# To re-pin after an intended change, run the commands below and copy train_loss from metrics.csv.
# Usage (from the project root): bash tests/cli/test_golden_losses.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" golden_losses "$@"
check() {  # name, expected losses (space separated), train args...
  local name=$1 expected=$2; shift 2
  "$BIN" train "$@" --set data.train_limit=2 --set data.test_limit=2 --set train.batch_size=1 --threads 1 \
    --out "$t/$name" >"$t/$name.log" 2>&1 || { echo "FAIL($name): run failed: $(tail -n 1 "$t/$name.log")"; fails=$((fails+1)); return; }
  local got
  got=$(tail -n +2 "$t/$name/metrics.csv" | cut -d, -f2 | tr '\n' ' ')
  /usr/bin/python3 - "$name" "$expected" "$got" <<'PY' || fails=$((fails+1))
import sys
name, want, got = sys.argv[1], [float(v) for v in sys.argv[2].split()], [float(v) for v in sys.argv[3].split()]
bad = len(want) != len(got) or any(abs(g - w) > 1e-4 * abs(w) for w, g in zip(want, got))
print(("FAIL" if bad else "ok") + f"({name}): train_loss {got} (pinned {want})")
sys.exit(1 if bad else 0)
PY
}
check eprop_sine "0.6478092803 0.3038786021 0.2415810841 0.1423724368" \
  configs/eprop_sine.toml --set task.steps=300 --set train.epochs=4
check bptt_sine "0.6519907851 0.2987993438 0.1776456761 0.1224259119" \
  configs/bptt_sine.toml --set task.steps=300 --set train.epochs=4
check eprop_evidence "0.6864367054 1.960939846 1.372032753" \
  configs/eprop_evidence.toml --set task.steps=1200 --set train.epochs=3 --set train.lr_schedule=constant
[ $fails -eq 0 ] || { echo "$fails golden curve(s) changed"; exit 1; }
echo "golden losses: 3 runs match their pinned curves"
