#!/usr/bin/env bash
# plasticore sweep: (a) a 2 x 2 grid with 2 seeds trains every run as `plasticore train` would and its
# table holds the mean and sample sd of the runs' own metrics.json; (b) run again with one more value it
# keeps the finished runs and trains only the new ones; (c) a diverged run is recorded, not fatal;
# (d) a bad value anywhere in the grid fails before anything is written, and a sweep directory of another
# config is refused; (e) a sweep killed in its second run, run again, gives the same table as one that was
# not; (f) under mpirun (2 ranks, one run per rank, and one run on both) the table equals the serial one.
# Usage (from the project root): bash tests/cli/test_sweep.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" sweep "$@"
mkdir -p "$t/idx" && "$SYSPY" tests/cli/synthetic_idx.py "$t/idx" 120 60 || die data "could not write the synthetic data"
data=(--set "data.train_images=$t/idx/train-images-idx3-ubyte" --set "data.train_labels=$t/idx/train-labels-idx1-ubyte"
      --set "data.test_images=$t/idx/t10k-images-idx3-ubyte" --set "data.test_labels=$t/idx/t10k-labels-idx1-ubyte")
ep=(configs/eqspike_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --set data.validation=40 --threads 1)

# Columns of sweep.csv without the wall-clock ones.
figures() { "$SYSPY" -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows: print({k: v for k, v in r.items() if not k.startswith('wall_seconds')})" "$1"; }

# ---- (a) the grid, its runs and its table
"$BIN" sweep "${ep[@]}" --set train.batch_size=10,20 --set "ep.beta=0.5,1.0" --seeds 1,2 --out "$t/a" >"$t/a.log" 2>&1 \
  || die grid "sweep failed: $(tail -n 1 "$t/a.log")"
"$BIN" train "${ep[@]}" --set train.batch_size=20 --set ep.beta=1.0 --seed 2 --out "$t/single" >/dev/null 2>&1 || die grid "train failed"
if d=$("$SYSPY" - "$t/a" "$t/single" <<'PY'
import csv, json, math, os, statistics, sys
out, single = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(out + "/sweep.csv")))
problems = []
if len(rows) != 4: problems.append(f"{len(rows)} rows, expected 4")
for r in rows:
    runs = [json.load(open(f"{out}/train.batch_size={r['train.batch_size']},ep.beta={r['ep.beta']}/seed{s}/metrics.json")) for s in (1, 2)]
    if r["finished"] != "2": problems.append(f"row {r}: finished {r['finished']}")
    for m in ("test_accuracy", "train_accuracy", "best_test_accuracy"):
        xs = [run[m] for run in runs]
        if not math.isclose(float(r[m + "_mean"]), statistics.mean(xs), rel_tol=1e-8, abs_tol=1e-12) or \
           not math.isclose(float(r[m + "_sd"]), statistics.stdev(xs), rel_tol=1e-6, abs_tol=1e-12):
            problems.append(f"{m} of {r['train.batch_size']},{r['ep.beta']}: table {r[m+'_mean']} ± {r[m+'_sd']}, runs {xs}")
    if any(run["evaluated_on"] != "validation" for run in runs): problems.append("not evaluated on the validation split")
a = json.load(open(f"{out}/train.batch_size=20,ep.beta=1.0/seed2/metrics.json"))
b = json.load(open(single + "/metrics.json"))
for k in ("test_accuracy", "train_accuracy", "seed", "op_counts"):
    if a[k] != b[k]: problems.append(f"the sweep's run differs from plasticore train in {k}: {a[k]} vs {b[k]}")
md = open(out + "/sweep.md").read()
if "| train.batch_size | ep.beta | seeds |" not in md or md.count("2/2") != 4: problems.append("sweep.md: " + md[:300])
if problems: print("; ".join(problems[:4])); sys.exit(1)
PY
); then echo "ok   (a) 2 x 2 x 2 seeds: the runs are plasticore train's and the table is their mean ± sd"; else fail grid "$d"; fi

# ---- (b) one more value: the eight finished runs are kept
"$BIN" sweep "${ep[@]}" --set train.batch_size=10,20,30 --set "ep.beta=0.5,1.0" --seeds 1,2 --out "$t/a" >"$t/b.log" 2>&1 \
  || die extend "sweep failed: $(tail -n 1 "$t/b.log")"
trained=$(grep -c "plasticore sweep: run" "$t/b.log")
if grep -q "12 runs (8 kept" "$t/b.log" && [ "$trained" -eq 4 ] && [ "$(tail -n +2 "$t/a/sweep.csv" | grep -c .)" -eq 6 ]; then
  echo "ok   (b) a grid extended by one value trains only its 4 new runs"
else fail extend "trained $trained runs: $(tail -n 2 "$t/b.log")"; fi

# ---- (c) a diverged run is a row of the table
"$BIN" sweep configs/eprop_sine.toml --set task.steps=200 --set train.epochs=2 --set train.optimizer=sgd \
  --set train.learning_rate=1e-4,1e6 --seeds 1 --out "$t/c" >"$t/c.log" 2>&1 || fail diverged "sweep failed: $(tail -n 1 "$t/c.log")"
if grep -q "1 diverged" "$t/c/sweep.md" 2>/dev/null && grep -q "diverged in epoch" "$t/c/train.learning_rate=1e6/seed1/failed.txt" 2>/dev/null \
   && [ -f "$t/c/train.learning_rate=1e-4/seed1/metrics.json" ]; then
  echo "ok   (c) a diverged run is recorded (failed.txt, 'diverged' in the table) and the sweep goes on"
else fail diverged "$(cat "$t/c/sweep.md" 2>/dev/null | tail -n 3)"; fi

# ---- (d) errors before anything is written
"$BIN" sweep "${ep[@]}" --set train.batch_size=10,0 --out "$t/d" >"$t/d.log" 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "train.batch_size" "$t/d.log" && grep -q "train.batch_size=0" "$t/d.log" && [ ! -e "$t/d" ]; then
  echo "ok   (d) a bad value in the grid: exit 2 naming the point and the key, nothing written"
else fail bad-value "rc=$rc, $(tail -n 1 "$t/d.log"), $(ls "$t/d" 2>&1 | head -n 2)"; fi
"$BIN" sweep "${ep[@]}" --set ep.free_steps=21 --set train.batch_size=10,20 --set "ep.beta=0.5,1.0" --seeds 1,2 --out "$t/a" >"$t/d2.log" 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "another config" "$t/d2.log"; then echo "ok   (d) a sweep directory of another config is refused"
else fail other-config "rc=$rc: $(tail -n 1 "$t/d2.log")"; fi
for bad in "--seeds 1,x" "--seeds 3-1" "--set train.batch_size=[10,20" "--set seed=1,2" "--seeds 1,1"; do
  "$BIN" sweep "${ep[@]}" $bad --out "$t/d3" >"$t/d3.log" 2>&1; rc=$?
  [ $rc -eq 2 ] && [ ! -e "$t/d3" ] || fail bad-args "'$bad': rc=$rc, $(tail -n 1 "$t/d3.log")"
done
echo "ok   (d) bad --seeds / --set lists are usage errors"

# ---- (e) a sweep killed during its second run continues when run again
# An epoch of ~0.25 s: long enough after the first epoch's row for the poll below to see it and kill the run
# (48 sequences took 24 ms an epoch, and the sweep sometimes finished first).
long=(configs/eprop_evidence.toml --set task.steps=1200 --set train.epochs=3 --set data.train_limit=480 --set data.test_limit=8
      --set network.recurrent=40 --set network.adaptive=20 --set train.batch_size=8 --threads 1 --set "train.learning_rate=0.005,0.01" --seeds 1)
"$BIN" sweep "${long[@]}" --out "$t/whole" >"$t/whole.log" 2>&1 || die kill "sweep failed: $(tail -n 1 "$t/whole.log")"
"$BIN" sweep "${long[@]}" --out "$t/killed" >"$t/killed.log" 2>&1 &
pid=$!
second="$t/killed/train.learning_rate=0.01/seed1/metrics.csv"
for i in $(seq 1 3000); do
  rows=0; [ -f "$second" ] && rows=$(tail -n +2 "$second" | grep -c .)
  [ "${rows:-0}" -ge 1 ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.02
done
{ kill -9 $pid; wait $pid; } 2>/dev/null; pid=
[ -f "$t/killed/sweep.csv" ] && die kill "the sweep finished before it could be killed"
"$BIN" sweep "${long[@]}" --out "$t/killed" >"$t/again.log" 2>&1 || die kill "the second sweep failed: $(tail -n 1 "$t/again.log")"
if [ "$(figures "$t/whole/sweep.csv")" = "$(figures "$t/killed/sweep.csv")" ] && grep -q "resuming" "$t/again.log"; then
  echo "ok   (e) a sweep killed in its second run, run again, resumes that run and gives the same table"
else fail kill "tables differ or no resume: $(grep -c resuming "$t/again.log") resumes"; fi

# ---- (f) under MPI
if command -v mpirun >/dev/null; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OMPI_MCA_rmaps_base_oversubscribe=1
  for g in 1 2; do
    mpirun -np 2 "$BIN" sweep "${ep[@]}" --set train.batch_size=10,20 --set "ep.beta=0.5,1.0" --seeds 1,2 --ranks-per-run $g \
      --out "$t/f$g" >"$t/f$g.log" 2>&1 || { fail mpi "2 ranks, $g per run: $(tail -n 1 "$t/f$g.log")"; continue; }
    if [ "$(figures "$t/a/sweep.csv" | head -n 4)" = "$(figures "$t/f$g/sweep.csv")" ]; then
      echo "ok   (f) 2 ranks with $g rank(s) per run: the serial table"
    else fail mpi "2 ranks, $g per run: the table differs from the serial one"; fi
  done
  mpirun -np 2 "$BIN" sweep "${ep[@]}" --set train.batch_size=10 --ranks-per-run 3 --out "$t/f3" >"$t/f3.log" 2>&1; rc=$?
  [ $rc -eq 2 ] && grep -q "ranks-per-run" "$t/f3.log" || fail mpi "--ranks-per-run 3 of 2 ranks: rc=$rc $(tail -n 1 "$t/f3.log")"
else
  echo "skip (f): mpirun not found"
fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "sweep: all checks passed"
