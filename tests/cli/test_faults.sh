#!/usr/bin/env bash
# Faults (docs/reliability.md): (a) runs killed with SIGKILL at several points of training — during start-up,
# inside epochs, between them — then continued with `train --resume` (killed again while resuming at some
# points) end bit-identical to an uninterrupted run, for rate EP, e-prop, a PCM device run and a hardware-in-the-loop PCM run; (b) two
# processes cannot write one run directory: a second `train --out DIR` or `--resume DIR` while the first runs
# exits 2 naming the directory, and the lock dies with its holder; (c) output never follows a symlink planted
# in the run directory (the file outside stays untouched); (a') a run killed between its last checkpoint and its CSV row
# resumes to the same metrics.csv.
# Usage (from the project root): bash tests/cli/test_faults.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" faults "$@"
export OMP_NUM_THREADS=1
mkdir -p "$t/idx" && "$SYSPY" tests/cli/synthetic_idx.py "$t/idx" 6000 100 || die data "could not write the synthetic data"
data=(--set "data.train_images=$t/idx/train-images-idx3-ubyte" --set "data.train_labels=$t/idx/train-labels-idx1-ubyte"
      --set "data.test_images=$t/idx/t10k-images-idx3-ubyte" --set "data.test_labels=$t/idx/t10k-labels-idx1-ubyte")
ep=(configs/ep_mnist.toml "${data[@]}" --set "network.hidden=[24]" --set train.epochs=3 --seed 5 --threads 1)
eprop=(configs/eprop_evidence.toml --set task.steps=1200 --set train.epochs=3 --set data.train_limit=12 --set data.test_limit=4
       --set train.batch_size=4 --set network.recurrent=24 --set network.adaptive=12 --seed 5 --threads 1)
pcm=(configs/eprop_sine.toml --set task.steps=200 --set train.epochs=4 --set data.train_limit=3 --set substrate.kind=pcm
     --set substrate.update=mixed_precision --seed 5 --threads 1)
# Hardware in the loop: master weights, programmed targets and the chip's devices all in the record.
hil=(configs/eprop_sine.toml --set task.steps=200 --set train.epochs=4 --set data.train_limit=3 --set substrate.kind=pcm
     --set substrate.training=hardware_in_the_loop --seed 5 --threads 1)

same_run() {  # uninterrupted run, resumed run: every tensor, metrics.json and metrics.csv equal (timings aside)
  "$SYSPY" - "$1" "$2" <<'PY'
import csv, json, sys, numpy as np
a, b = sys.argv[1], sys.argv[2]
timing = ("history/epoch_seconds", "history/train_samples_per_second", "run/wall_seconds")
ta, tb = np.load(a + ".npz"), np.load(b + ".npz")
problems = [k for k in ta.files if k not in timing and (k not in tb.files or not np.array_equal(ta[k], tb[k]))]
problems += [k for k in tb.files if k not in ta.files]
ma, mb = json.load(open(a + "/metrics.json")), json.load(open(b + "/metrics.json"))
problems += ["metrics.json " + k for k in ma if k not in ("wall_seconds", "train_samples_per_second", "train_samples_per_cpu_second", "train_seconds_by_threads") and ma[k] != mb.get(k)]
ra, rb = list(csv.DictReader(open(a + "/metrics.csv"))), list(csv.DictReader(open(b + "/metrics.csv")))
problems += ["metrics.csv " + k for x, y in zip(ra, rb) for k in x
             if k not in ("epoch_seconds", "train_samples_per_second") and x[k] != y[k]]
if len(ra) != len(rb): problems.append("metrics.csv rows")
if problems: print(", ".join(problems[:6])); sys.exit(1)
PY
}

# ---- (a) kill -9 at several points, resume, compare
kill_and_resume() {  # name, then the train arguments
  local name=$1; shift
  local whole="$t/$name-whole"
  local start=$(date +%s.%N)
  "$BIN" train "$@" --out "$whole" >/dev/null 2>"$whole.err" || { fail "$name" "uninterrupted run failed: $(tail -n 1 "$whole.err")"; return; }
  local seconds; seconds=$("$SYSPY" -c "import sys; print(max(0.3, float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")
  "$BIN" export "$whole" --npz "$whole.npz" >/dev/null || { fail "$name" "export failed"; return; }
  local tried=0 killed=0 before=$fails note=
  # Kill points as fractions of the uninterrupted run; a second fraction kills the first resume too.
  for point in 0.03 0.15:0.3 0.35 0.55:0.5 0.8 0.95; do
    local first=${point%%:*} again=; [ "$point" != "$first" ] && again=${point#*:}
    local out="$t/$name-kill$point"
    tried=$((tried+1))
    "$BIN" train "$@" --out "$out" >/dev/null 2>"$out.err" &
    pid=$!
    sleep "$("$SYSPY" -c "print($seconds * $first)")"
    kill -9 "$pid" 2>/dev/null && killed=$((killed+1)); wait "$pid" 2>/dev/null; pid=
    if [ -n "$again" ] && [ ! -f "$out/metrics.json" ]; then
      "$BIN" train --resume "$out" >/dev/null 2>"$out.resume1.err" &
      pid=$!
      sleep "$("$SYSPY" -c "print($seconds * $again)")"
      kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
    fi
    if [ ! -f "$out/config.toml" ]; then  # killed before the run existed (loading data): start it again
      note="$note, restarted at $first"
      "$BIN" train "$@" --out "$out" >/dev/null 2>"$out.err" || { fail "$name" "restart after a kill at $point failed: $(tail -n 1 "$out.err")"; continue; }
    elif [ ! -f "$out/metrics.json" ]; then
      "$BIN" train --resume "$out" >/dev/null 2>"$out.resume.err" || { fail "$name" "resume after a kill at $point failed: $(tail -n 1 "$out.resume.err")"; continue; }
    fi
    "$BIN" export "$out" --npz "$out.npz" >/dev/null || { fail "$name" "export after a kill at $point failed"; continue; }
    d=$(same_run "$whole" "$out") || fail "$name" "killed at $point of the run and resumed: differs in $d"
  done
  [ $fails -eq $before ] && echo "ok   (a) $name: killed with SIGKILL at $killed of $tried points (fractions of a ${seconds} s run), resumed, bit-identical$note"
}
kill_and_resume ep "${ep[@]}"
kill_and_resume eprop "${eprop[@]}"
kill_and_resume pcm "${pcm[@]}"
kill_and_resume hil "${hil[@]}"

# ---- (a') the narrowest window, made on purpose: killed after the last checkpoint, before its CSV row and metrics.json
cp -r "$t/pcm-whole" "$t/pcm-lastrow" && rm "$t/pcm-lastrow/metrics.json" && sed -i '$d' "$t/pcm-lastrow/metrics.csv"
if "$BIN" train --resume "$t/pcm-lastrow" >/dev/null 2>"$t/pcm-lastrow.err" && "$BIN" export "$t/pcm-lastrow" --npz "$t/pcm-lastrow.npz" >/dev/null; then
  d=$(same_run "$t/pcm-whole" "$t/pcm-lastrow") && echo "ok   (a') killed between the last checkpoint and its CSV row: the resume writes the row back" \
    || fail lastrow "resumed after a kill between the last checkpoint and its CSV row: differs in $d"
else fail lastrow "resume of a run whose last epoch is checkpointed but not in metrics.csv failed: $(tail -n 1 "$t/pcm-lastrow.err")"; fi

# ---- (b) one writer per run directory
long=(configs/eprop_evidence.toml --set task.steps=1200 --set train.epochs=50 --set data.train_limit=8 --set network.recurrent=24 --set network.adaptive=12 --threads 1)
"$BIN" train "${long[@]}" --out "$t/locked" >/dev/null 2>"$t/locked.err" &
pid=$!
for _ in $(seq 100); do [ -f "$t/locked/checkpoint.bin" ] && break; sleep 0.1; done
[ -f "$t/locked/checkpoint.bin" ] || fail lock "the first run wrote no checkpoint.bin"
"$BIN" train "${long[@]}" --out "$t/locked" >/dev/null 2>"$t/second.err"; rc=$?
[ $rc -eq 2 ] && grep -q "another plasticore process" "$t/second.err" && grep -q "$t/locked" "$t/second.err" \
  || fail lock "a second train --out on a running run: exit $rc, $(cat "$t/second.err")"
"$BIN" train --resume "$t/locked" >/dev/null 2>"$t/second-resume.err"; rc=$?
[ $rc -eq 2 ] && grep -q "another plasticore process (pid $pid)" "$t/second-resume.err" \
  || fail lock "--resume of a running run: exit $rc, $(cat "$t/second-resume.err")"
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
"$BIN" train --resume "$t/locked" >/dev/null 2>"$t/after.err" &
pid=$!
sleep 1
if kill -0 "$pid" 2>/dev/null; then echo "ok   (b) a second writer exits 2 naming the directory and pid; the lock died with its holder"
else wait "$pid"; fail lock "resume after the holder was killed: $(tail -n 1 "$t/after.err")"; fi
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=

# ---- (c) symlinks planted in a run directory are replaced, never followed
mkdir -p "$t/planted" && echo precious >"$t/outside"
for f in metrics.csv .metrics.csv.tmp checkpoint.bin.tmp .checkpoint.bin.tmp config.toml .config.toml.tmp; do ln -s "$t/outside" "$t/planted/$f"; done
"$BIN" train "${pcm[@]}" --set train.epochs=1 --out "$t/planted" >/dev/null 2>"$t/planted.err" || fail symlink "run failed: $(tail -n 1 "$t/planted.err")"
[ "$(cat "$t/outside")" = precious ] || fail symlink "a file outside the run directory was written through a symlink"
[ -f "$t/planted/metrics.csv" ] && [ ! -L "$t/planted/metrics.csv" ] || fail symlink "metrics.csv is not a regular file of the run"
[ "$(cat "$t/outside")" = precious ] && echo "ok   (c) symlinks planted in the run directory were replaced, the file outside is untouched"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "faults: all checks passed"
