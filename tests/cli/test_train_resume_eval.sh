#!/usr/bin/env bash
# End to end on a synthetic IDX data set (no MNIST needed): (a) same seed and threads give identical
# metrics, (b) a run killed with SIGKILL after its first epoch resumes with `train --resume` and ends
# exactly like an uninterrupted one, (c) `eval --json` reproduces the final test accuracy and honours
# --set data.test_limit, (d) the run directory holds every documented file.
# Usage (from the project root): bash tests/cli/test_train_resume_eval.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" train_resume_eval "$@"


# make_data DIR N_TRAIN N_TEST: synthetic IDX files (tests/cli/synthetic_idx.py): learnable, but a quarter
# of the labels are random, so accuracies stay well below 1 and tell runs apart.
make_data() {
  mkdir -p "$1" && "$SYSPY" tests/cli/synthetic_idx.py "$@"
}
data_args() {  # DIR -> --set options pointing the config at DIR's IDX files
  printf '%s\n' --set "data.train_images=$1/train-images-idx3-ubyte" --set "data.train_labels=$1/train-labels-idx1-ubyte" \
                --set "data.test_images=$1/t10k-images-idx3-ubyte" --set "data.test_labels=$1/t10k-labels-idx1-ubyte"
}
json_get() { "$SYSPY" -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"; }
# same_metrics A B: identical metrics.json apart from timing/path keys; prints the differing keys.
same_metrics() {
  "$SYSPY" - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
skip = lambda k: any(w in k for w in ("second", "time", "date", "path", "dir"))
keys = sorted(set(a) | set(b))
diff = [k for k in keys if not skip(k) and (k not in a or k not in b or a[k] != b[k])]
if diff:
    print(", ".join(f"{k}: {a.get(k)!r} vs {b.get(k)!r}" for k in diff)); sys.exit(1)
PY
}
# same_csv A B: identical metrics.csv apart from the timing columns.
same_csv() {
  "$SYSPY" - "$1" "$2" <<'PY'
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
keep = lambda r: {k: v for k, v in r.items() if "second" not in k}
if [keep(r) for r in a] != [keep(r) for r in b]:
    print([keep(r) for r in a], "vs", [keep(r) for r in b]); sys.exit(1)
PY
}

make_data "$t/small" 200 100 || die data "could not write the synthetic data"
mapfile -t small < <(data_args "$t/small")
model=(--set "network.hidden=[32]" --set "train.learning_rate=[0.1,0.05]" --set train.epochs=3)
common=(configs/ep_mnist.toml "${small[@]}" "${model[@]}" --seed 5 --threads 2)

# ---- (a) reproducibility
for i in 1 2; do
  "$BIN" train "${common[@]}" --out "$t/rep$i" >"$t/rep$i.out" 2>"$t/rep$i.err" || die reproducible "run $i failed: $(tail -n 2 "$t/rep$i.err")"
done
if d=$(same_metrics "$t/rep1/metrics.json" "$t/rep2/metrics.json"); then echo "ok   (a) identical metrics.json for seed 5, threads 2"
else fail reproducible "metrics.json differs: $d"; fi
if d=$(same_csv "$t/rep1/metrics.csv" "$t/rep2/metrics.csv"); then echo "ok   (a) identical per-epoch accuracies in metrics.csv"
else fail reproducible "metrics.csv differs: $d"; fi
cmp -s "$t/rep1/config.toml" "$t/rep2/config.toml" || fail reproducible "config.toml differs between identical runs"

# ---- (d) the run directory
run="$t/rep1"
for f in metrics.json metrics.csv config.toml checkpoint.bin; do
  [ -s "$run/$f" ] || fail files "$f missing or empty"
done
leftovers=$(find "$run" -name '*.tmp' | wc -l)
[ "$leftovers" -eq 0 ] || fail files "$leftovers temporary file(s) left in the run directory"
if d=$("$SYSPY" - "$run" <<'PY'
import csv, json, sys, tomllib
run = sys.argv[1]
m = json.load(open(f"{run}/metrics.json"))
problems = []
need = ["algorithm", "rule", "substrate", "dataset", "epochs", "train_samples", "test_samples", "train_accuracy",
        "test_accuracy", "wall_seconds", "train_samples_per_second", "train_samples_per_cpu_second", "seed"]
missing = [k for k in need if k not in m]
if missing: problems.append(f"metrics.json lacks {missing}")
expect = {"algorithm": "ep", "rule": "end_of_phase", "substrate": "ideal", "dataset": "mnist", "epochs": 3,
          "train_samples": 200, "test_samples": 100, "seed": 5}
problems += [f"metrics.json {k} = {m.get(k)!r}, expected {v!r}" for k, v in expect.items() if m.get(k) != v]
for k in ("train_accuracy", "test_accuracy"):
    if not isinstance(m.get(k), (int, float)) or not 0 <= m[k] <= 1: problems.append(f"{k} = {m.get(k)!r} not in [0, 1]")
for k in ("wall_seconds", "train_samples_per_second", "train_samples_per_cpu_second"):
    if not isinstance(m.get(k), (int, float)) or not m[k] > 0: problems.append(f"{k} = {m.get(k)!r} not positive")
lines = open(f"{run}/metrics.csv").read().splitlines()
if len(lines) != 4: problems.append(f"metrics.csv has {len(lines)} lines, expected a header and 3 rows")
rows = list(csv.DictReader(lines))
if [r.get("epoch") for r in rows] != ["1", "2", "3"]: problems.append(f"metrics.csv epochs {[r.get('epoch') for r in rows]}")
elif float(rows[-1]["test_accuracy"]) != m["test_accuracy"] or float(rows[-1]["train_accuracy"]) != m["train_accuracy"]:
    problems.append("the last metrics.csv row disagrees with metrics.json")
cfg = tomllib.load(open(f"{run}/config.toml", "rb"))
if cfg.get("network", {}).get("hidden") != [32]: problems.append(f"config.toml network.hidden = {cfg.get('network')}")
if cfg.get("train", {}).get("epochs") != 3: problems.append("config.toml train.epochs is not 3")
if cfg.get("seed") != 5: problems.append("config.toml seed is not 5")
if not cfg.get("data", {}).get("train_images", "").startswith(run.rsplit("/", 1)[0]):
    problems.append(f"config.toml data.train_images = {cfg.get('data', {}).get('train_images')!r}")
if open(f"{run}/checkpoint.bin", "rb").read(8) != b"PLRUN001": problems.append("checkpoint.bin lacks its magic")
if problems: print("; ".join(problems)); sys.exit(1)
PY
); then echo "ok   (d) run directory has metrics.json (all keys), metrics.csv (header + 3 rows), config.toml, checkpoint.bin"
else fail files "$d"; fi

# ---- (c) eval
if "$BIN" eval "$run" --json >"$t/eval.json" 2>"$t/eval.err"; then
  a=$(json_get "$run/metrics.json" test_accuracy); b=$(json_get "$t/eval.json" test_accuracy)
  [ "$a" = "$b" ] || fail eval "eval reports test_accuracy $b, metrics.json $a"
  [ "$(json_get "$t/eval.json" test_samples)" = 100 ] || fail eval "eval test_samples $(json_get "$t/eval.json" test_samples), expected 100"
  [ "$(json_get "$t/eval.json" epochs_done)" = 3 ] || fail eval "eval epochs_done $(json_get "$t/eval.json" epochs_done), expected 3"
  echo "ok   (c) eval --json test_accuracy $b equals metrics.json"
else fail eval "eval failed: $(cat "$t/eval.err")"; fi
if "$BIN" eval "$run/checkpoint.bin" --json >"$t/eval-file.json" 2>"$t/eval-file.err"; then
  [ "$(json_get "$t/eval-file.json" test_accuracy)" = "$(json_get "$run/metrics.json" test_accuracy)" ] || fail eval "eval of checkpoint.bin disagrees"
else fail eval "eval of the checkpoint file failed: $(cat "$t/eval-file.err")"; fi
if "$BIN" eval "$run" --set data.test_limit=10 --json >"$t/eval10.json" 2>"$t/eval10.err"; then
  n10=$(json_get "$t/eval10.json" test_samples)
  [ "$n10" = 10 ] && echo "ok   (c) eval --set data.test_limit=10 evaluates 10 samples" || fail eval "test_limit=10 gave test_samples $n10"
else fail eval "eval --set data.test_limit=10 failed: $(cat "$t/eval10.err")"; fi
"$BIN" eval "$run" --set data.test_limitz=10 --json >"$t/evalbad.json" 2>"$t/evalbad.err"; rc=$?
[ $rc -eq 2 ] && grep -q "data.test_limitz" "$t/evalbad.err" || fail eval "eval with an unknown --set key: exit $rc, $(cat "$t/evalbad.err")"

# ---- (b) kill -9 after the first epoch, resume, compare with the uninterrupted run
# Each epoch must last long enough (~1 s) to be caught by the 0.05 s poll: size the training set from a
# one-epoch speed measurement, and grow it if the run still outpaces the poll. One thread: on a busy
# machine, OpenMP threads waiting for each other make epoch times erratic.
"$BIN" train configs/ep_mnist.toml "${small[@]}" "${model[@]}" --set train.epochs=1 --threads 1 --out "$t/speed" >/dev/null 2>"$t/speed.err" \
  || die resume "speed measurement run failed: $(tail -n 2 "$t/speed.err")"
n_train=$("$SYSPY" -c 'import json,sys; sps=json.load(open(sys.argv[1]))["train_samples_per_second"]; print(min(30000, max(1000, int(sps))))' "$t/speed/metrics.json") \
  || die resume "cannot read train_samples_per_second from metrics.json"
resumed=0
for attempt in 1 2 3; do
  [ "$attempt" -gt 1 ] && n_train=$((n_train * 3))
  make_data "$t/big" "$n_train" 200 || die data "could not write the larger synthetic data"
  mapfile -t big < <(data_args "$t/big")
  resume_args=(configs/ep_mnist.toml "${big[@]}" "${model[@]}" --seed 11 --threads 1)
  rm -rf "$t/killed"
  "$BIN" train "${resume_args[@]}" --out "$t/killed" >"$t/killed.out" 2>"$t/killed.err" &
  pid=$!
  rows=0
  while kill -0 "$pid" 2>/dev/null; do
    [ -f "$t/killed/metrics.csv" ] && rows=$(tail -n +2 "$t/killed/metrics.csv" | grep -c .)
    [ "${rows:-0}" -ge 1 ] && break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
  if [ -f "$t/killed/metrics.json" ]; then echo "note: $n_train-sample run finished before it could be killed; retrying larger"; continue; fi
  [ "${rows:-0}" -ge 1 ] || die resume "the run died before finishing an epoch: $(tail -n 2 "$t/killed.err")"
  rows=$(tail -n +2 "$t/killed/metrics.csv" | grep -c .)
  [ "$rows" -lt 3 ] || die resume "killed run has $rows epochs but no metrics.json"
  [ -f "$t/killed/checkpoint.bin" ] || die resume "killed run has a metrics.csv row but no checkpoint.bin"
  resumed=1
  echo "ok   (b) killed with SIGKILL after $rows epoch(s) of $n_train samples"
  break
done
[ $resumed -eq 1 ] || die resume "could not kill a run before it finished"
"$BIN" train "${resume_args[@]}" --out "$t/whole" >"$t/whole.out" 2>"$t/whole.err" || die resume "uninterrupted run failed: $(tail -n 2 "$t/whole.err")"
cp "$t/killed/config.toml" "$t/config-before-resume.toml"
if "$BIN" train --resume "$t/killed" >"$t/resume.out" 2>"$t/resume.err"; then
  grep -q resuming "$t/resume.err" || fail resume "resume did not say it is resuming: $(head -n 1 "$t/resume.err")"
  a=$(json_get "$t/whole/metrics.json" test_accuracy); b=$(json_get "$t/killed/metrics.json" test_accuracy)
  [ "$a" = "$b" ] && echo "ok   (b) resumed run ends at test_accuracy $b like the uninterrupted run" \
    || fail resume "resumed run ends at $b, uninterrupted at $a"
  d=$(same_metrics "$t/whole/metrics.json" "$t/killed/metrics.json") || fail resume "metrics.json differs: $d"
  d=$(same_csv "$t/whole/metrics.csv" "$t/killed/metrics.csv") || fail resume "metrics.csv differs: $d"
  cmp -s "$t/config-before-resume.toml" "$t/killed/config.toml" || fail resume "resume rewrote config.toml"
  "$BIN" train --resume "$t/killed" >/dev/null 2>"$t/again.err"; rc=$?
  [ $rc -eq 2 ] || fail resume "resuming a finished run: exit $rc, expected 2 ($(cat "$t/again.err"))"
else fail resume "train --resume failed: $(tail -n 2 "$t/resume.err")"; fi
"$BIN" train --resume "$t/whole" --seed 3 >/dev/null 2>"$t/seed.err"; rc=$?
[ $rc -eq 2 ] || fail resume "--resume with --seed: exit $rc, expected 2"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "train/resume/eval: all checks passed"
