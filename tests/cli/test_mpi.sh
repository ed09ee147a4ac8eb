#!/usr/bin/env bash
# Data-parallel training over MPI ranks (docs/scaling.md): (a) 1, 2 and 3 ranks give the same weights
# and metrics for small EqSpike (two-factor, also with the input sent as changes, and end-of-phase rules), e-prop
# (evidence accumulation: real slices), rate EP (its relaxation's products computed column by column since
# 2026-12-07: core/column_product.hpp) and PCM runs, bit for bit; (b) an MPI run
# killed with SIGKILL after its first epoch resumes under MPI and ends exactly like an uninterrupted
# serial run.
# Usage (from the project root): bash tests/cli/test_mpi.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" mpi "$@"
command -v mpirun >/dev/null || die mpirun "mpirun not found (scripts/setup.sh installs openmpi-bin)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$t/idx" && "$SYSPY" tests/cli/synthetic_idx.py "$t/idx" 120 60 || die data "could not write the synthetic data"
data=(--set "data.train_images=$t/idx/train-images-idx3-ubyte" --set "data.train_labels=$t/idx/train-labels-idx1-ubyte"
      --set "data.test_images=$t/idx/t10k-images-idx3-ubyte" --set "data.test_labels=$t/idx/t10k-labels-idx1-ubyte")

same_runs() {  # name, tolerance, then the run directories: tensors and metrics of each equal the first's
  "$SYSPY" - "$@" <<'PY'
import json, sys, numpy as np
name, tol, dirs = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
skip = lambda k: k.startswith(("history/epoch_seconds", "history/train_samples", "run/"))
a, ma = np.load(dirs[0] + ".npz"), json.load(open(dirs[0] + "/metrics.json"))
problems = []
for d in dirs[1:]:
    b, mb = np.load(d + ".npz"), json.load(open(d + "/metrics.json"))
    for k in a.files:
        if skip(k): continue
        if k not in b.files: problems.append(f"{d}: no {k}"); continue
        if tol == 0:
            if not np.array_equal(a[k], b[k]): problems.append(f"{d}: {k} differs")
        elif not np.allclose(a[k], b[k], rtol=0, atol=tol * max(1e-30, float(np.abs(a[k]).max()))):
            problems.append(f"{d}: {k} differs by more than {tol}")
    problems += [f"{d}: metrics.json {k}" for k in ma if k not in ("wall_seconds", "train_samples_per_second", "train_samples_per_cpu_second", "train_seconds_by_threads", "ranks")
                 and ma[k] != mb.get(k)]
    if mb.get("ranks") != int(d.rsplit("-", 1)[1]): problems.append(f"{d}: ranks = {mb.get('ranks')}")
if problems: print("; ".join(problems[:5])); sys.exit(1)
PY
}
check() {  # name, tolerance, then the train arguments
  local name=$1 tol=$2; shift 2
  local dirs=()
  for np in 1 2 3; do
    local out="$t/$name-$np"
    mpirun -np $np "$BIN" train "$@" --threads 1 --out "$out" >"$out.log" 2>&1 || { fail "$name" "$np ranks: $(tail -n 1 "$out.log")"; return; }
    "$BIN" export "$out" --npz "$out.npz" >/dev/null || { fail "$name" "export failed"; return; }
    dirs+=("$out")
  done
  if d=$(same_runs "$name" "$tol" "${dirs[@]}"); then echo "ok   (a) $name: 1, 2 and 3 ranks agree (tolerance $tol)"; else fail "$name" "$d"; fi
}
check eqspike 0 configs/eqspike_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --set train.batch_size=10
# The chip-like schemes: flip (each phase compared with its own start) and a spike trace with the free phase run again
check eqspike_input_changes 0 configs/eqspike_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --set train.batch_size=10 \
  --set ep.input_events=changes
check eqspike_flip 0 configs/eqspike_chip_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --set train.batch_size=10
check eqspike_spike_trace_fresh 0 configs/eqspike_spiketrace_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 \
  --set train.batch_size=10 --set ep.nudged_start=fresh_free_phase
check eqspike_end_of_phase 0 configs/eqspike_eop_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --set train.batch_size=10
check ep_rate 0 configs/ep_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --set train.batch_size=10
# 70 then 50 samples per batch: the rule's sums split by columns across ranks, then not (EndOfPhaseRule)
check ep_rate_split_rule 0 configs/ep_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --set train.batch_size=70
check eprop_evidence 0 configs/eprop_evidence.toml --set task.steps=1200 --set train.epochs=2 --set data.train_limit=12 \
  --set data.test_limit=7 --set train.batch_size=6 --set network.recurrent=20 --set network.adaptive=10
check pcm_sine 0 configs/eprop_sine.toml --set task.steps=200 --set train.epochs=2 --set substrate.kind=pcm

# ---- (b) kill an MPI run after its first epoch, resume it under MPI
# ~0.25 s an epoch serially (each of 2 ranks trains half), so the poll below sees the first epoch's row before
# the run ends (48 sequences were 24 ms)
args=(configs/eprop_evidence.toml --set task.steps=1200 --set train.epochs=3 --set data.train_limit=480 --set data.test_limit=8
      --set network.recurrent=40 --set network.adaptive=20 --set train.batch_size=8 --threads 1)
"$BIN" train "${args[@]}" --out "$t/whole" >"$t/whole.log" 2>&1 || die resume "serial run failed: $(tail -n 1 "$t/whole.log")"
mpirun -np 2 "$BIN" train "${args[@]}" --out "$t/killed" >"$t/killed.log" 2>&1 &
pid=$!
for i in $(seq 1 3000); do
  rows=0; [ -f "$t/killed/metrics.csv" ] && rows=$(tail -n +2 "$t/killed/metrics.csv" | grep -c .)
  [ "${rows:-0}" -ge 1 ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.02
done
{ kill -9 $pid; pkill -9 -f "$t/killed"; wait $pid; } 2>/dev/null; pid=
[ -f "$t/killed/metrics.json" ] && die resume "the run finished before it could be killed"
[ -f "$t/killed/checkpoint.bin" ] || die resume "killed before its first checkpoint"
mpirun -np 2 "$BIN" train --resume "$t/killed" >"$t/resume.log" 2>&1 || die resume "resume under MPI failed: $(tail -n 1 "$t/resume.log")"
"$BIN" export "$t/whole" --npz "$t/whole.npz" >/dev/null && "$BIN" export "$t/killed" --npz "$t/killed.npz" >/dev/null
if d=$("$SYSPY" - "$t/whole.npz" "$t/killed.npz" <<'PY'
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
d = [k for k in a.files if not k.startswith(("history/epoch_seconds", "history/train_samples", "run/")) and not np.array_equal(a[k], b[k])]
if d: print("differ:", d); sys.exit(1)
PY
); then echo "ok   (b) an MPI run killed after epoch 1 and resumed under MPI equals the serial run"; else fail resume "$d"; fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "MPI: all checks passed"
