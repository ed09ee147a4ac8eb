#!/usr/bin/env bash
# Sequence runs from the CLI (e-prop / BPTT on the synthetic tasks, no data files): (a) a short e-prop
# pattern-generation run writes metrics.json with the documented keys, (b) BPTT evidence accumulation
# runs, (c) a run killed with SIGKILL after its first epoch resumes with `train --resume` and ends
# exactly like an uninterrupted one (Adam state included), (d) unknown keys and bad values exit 2.
# Usage (from the project root): bash tests/cli/test_sequence_train.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" sequence_train "$@"

# ---- (a) e-prop pattern generation, metrics.json keys
"$BIN" train configs/eprop_sine.toml --set task.steps=300 --set train.epochs=2 --set data.train_limit=3 \
  --threads 1 --out "$t/sine" >/dev/null 2>"$t/sine.err" || die sine "run failed: $(tail -n 1 "$t/sine.err")"
if d=$("$SYSPY" - "$t/sine" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/metrics.json"))
need = ["algorithm", "rule", "substrate", "dataset", "epochs", "train_samples", "test_samples", "wall_seconds",
        "train_samples_per_second", "seed", "test_loss", "test_nmse"]
problems = [f"lacks {k}" for k in need if k not in m]
expect = {"algorithm": "eprop", "rule": "eprop", "dataset": "pattern_generation", "epochs": 2, "train_samples": 3}
problems += [f"{k} = {m.get(k)!r}, expected {v!r}" for k, v in expect.items() if m.get(k) != v]
if not 0 < m.get("test_nmse", -1) < 10: problems.append(f"test_nmse = {m.get('test_nmse')!r}")
if len(open(sys.argv[1] + "/metrics.csv").read().splitlines()) != 3: problems.append("metrics.csv is not a header + 2 rows")
if problems: print("; ".join(problems)); sys.exit(1)
PY
); then echo "ok   (a) e-prop pattern generation: metrics.json has the documented keys"; else fail sine "$d"; fi

# ---- (a') eval of the saved e-prop model reproduces its test figures
if d=$("$BIN" eval "$t/sine" --json 2>"$t/eval.err" | "$SYSPY" -c '
import json, sys
e = json.load(sys.stdin); m = json.load(open(sys.argv[1] + "/metrics.json"))
if e.get("test_nmse") != m["test_nmse"] or e.get("test_samples") != m["test_samples"]:
    print("eval", e, "vs metrics.json test_nmse", m["test_nmse"]); sys.exit(1)' "$t/sine"); then
  echo "ok   (a') eval --json reproduces test_nmse"
else fail eval "${d:-$(tail -n 1 "$t/eval.err")}"; fi

# ---- (b) BPTT evidence accumulation
"$BIN" train configs/bptt_evidence.toml --set task.steps=1300 --set data.train_limit=4 --set data.test_limit=4 \
  --set train.batch_size=2 --set train.epochs=1 --set network.recurrent=20 --set network.adaptive=10 \
  --threads 1 --out "$t/evidence" >/dev/null 2>"$t/evidence.err" || die evidence "run failed: $(tail -n 1 "$t/evidence.err")"
grep -q '"test_accuracy"' "$t/evidence/metrics.json" && echo "ok   (b) BPTT evidence accumulation reports test_accuracy" \
  || fail evidence "metrics.json lacks test_accuracy"

# ---- (c) kill after the first epoch, resume, compare with the uninterrupted run
# ~0.2 s an epoch, so the poll below sees the first epoch's row before the run ends (25 sequences were ~30 ms)
args=(configs/eprop_sine.toml --set train.epochs=3 --set data.train_limit=200 --seed 4 --threads 1)
"$BIN" train "${args[@]}" --out "$t/whole" >/dev/null 2>"$t/whole.err" || die resume "uninterrupted run failed: $(tail -n 1 "$t/whole.err")"
"$BIN" train "${args[@]}" --out "$t/killed" >/dev/null 2>"$t/killed.err" &
pid=$!
rows=0
while kill -0 "$pid" 2>/dev/null; do
  [ -f "$t/killed/metrics.csv" ] && rows=$(tail -n +2 "$t/killed/metrics.csv" | grep -c .)
  [ "${rows:-0}" -ge 1 ] && break
  sleep 0.02
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
[ -f "$t/killed/metrics.json" ] && die resume "the run finished before it could be killed (make epochs longer)"
[ -f "$t/killed/checkpoint.bin" ] || die resume "no checkpoint.bin after the first epoch"
echo "ok   (c) killed with SIGKILL after $(tail -n +2 "$t/killed/metrics.csv" | grep -c .) epoch(s)"
if "$BIN" train --resume "$t/killed" >/dev/null 2>"$t/resume.err"; then
  if d=$("$SYSPY" - "$t/whole" "$t/killed" <<'PY'
import csv, json, sys
a, b = (json.load(open(p + "/metrics.json")) for p in sys.argv[1:3])
skip = lambda k: "second" in k
diff = [k for k in sorted(set(a) | set(b)) if not skip(k) and a.get(k) != b.get(k)]
ra, rb = ([{k: v for k, v in r.items() if "second" not in k} for r in csv.DictReader(open(p + "/metrics.csv"))] for p in sys.argv[1:3])
if ra != rb: diff.append("metrics.csv")
if diff: print(", ".join(diff)); sys.exit(1)
PY
  ); then echo "ok   (c) resumed run ends exactly like the uninterrupted one"; else fail resume "differs: $d"; fi
else fail resume "train --resume failed: $(tail -n 1 "$t/resume.err")"; fi

# ---- (d) bad keys and values
for bad in "task.stepz=10" "data.dataset=copy" "train.optimizer=rmsprop" "network.adaptive=500" "task.steps=0"; do
  "$BIN" train configs/eprop_evidence.toml --set "$bad" --out "$t/bad" >/dev/null 2>"$t/bad.err"; rc=$?
  key=${bad%%=*}
  { [ $rc -eq 2 ] && grep -q "$key" "$t/bad.err" && [ "$(wc -l <"$t/bad.err")" -eq 1 ]; } \
    || fail bad "--set $bad: exit $rc, $(cat "$t/bad.err")"
  [ -e "$t/bad" ] && fail bad "--set $bad left a run directory" && rm -rf "$t/bad"
done
"$BIN" train configs/eprop_evidence.toml --set task.steps=1000 --out "$t/bad" >/dev/null 2>"$t/bad.err"; rc=$?
{ [ $rc -eq 2 ] && grep -q "task.steps" "$t/bad.err" && [ ! -e "$t/bad" ]; } || fail bad "evidence with T=1000: exit $rc, $(cat "$t/bad.err")"
[ $fails -eq 0 ] && echo "ok   (d) bad keys and values exit 2 with a one-line message naming the key"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "sequence train/resume: all checks passed"
