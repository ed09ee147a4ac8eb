#!/usr/bin/env bash
# Bad input gets a clear one-line error and the right exit code (2: config/override/usage problems,
# 1: data-file problems), never a crash, and leaves no metrics.json behind. Self-contained: the
# script writes a tiny synthetic IDX data set, so MNIST is not needed.
# Usage (from the project root): bash tests/cli/test_bad_input.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" bad_input "$@"

# ---- synthetic data: 200 train / 100 test random 28x28 images, labels 0..9, plus broken variants
"$SYSPY" - "$t" <<'PY' || { echo "FAIL: could not write the synthetic data"; exit 1; }
import random, struct, sys
out = sys.argv[1]
rng = random.Random(7)
def pair(prefix, n):
    labels = bytes(rng.randrange(10) for _ in range(n))
    images = rng.randbytes(n * 28 * 28)
    open(f"{out}/{prefix}-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x00000803, n, 28, 28) + images)
    open(f"{out}/{prefix}-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x00000801, n) + labels)
    return images, labels
images, labels = pair("train", 200)
pair("t10k", 100)
# Header says 200 images, data stops 100 bytes short.
open(f"{out}/trunc-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 200, 28, 28) + images[:-100])
# Header only (the shared check's 8-byte file: 3 dims announced, one size present).
open(f"{out}/stub-idx3-ubyte", "wb").write(b"\x00\x00\x08\x03\x00\x00\x00\x05")
# A PNG signature instead of the IDX magic, and an IDX of 32-bit ints (type 0x0C) instead of bytes.
open(f"{out}/magic-idx3-ubyte", "wb").write(b"\x89PNG\r\n\x1a\n" + images)
open(f"{out}/int-idx1-ubyte", "wb").write(struct.pack(">II", 0x00000C01, 200) + bytes(800))
# Labels that disagree with the images: 150 of them, or one out of range.
open(f"{out}/short-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 150) + labels[:150])
open(f"{out}/bad-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 200) + labels[:50] + b"\x0a" + labels[51:])
PY
printf 'this is = = not toml [[[\n' >"$t/broken.toml"
sed 's/^batch_size = 20$/batch_size = 20\nbatch_sise = 10/' configs/ep_mnist.toml >"$t/typo.toml"
grep -q '^batch_sise' "$t/typo.toml" || { echo "FAIL: could not write typo.toml"; exit 1; }
mkdir -p "$t/empty-run"

data=(--set "data.train_images=$t/train-images-idx3-ubyte" --set "data.train_labels=$t/train-labels-idx1-ubyte"
      --set "data.test_images=$t/t10k-images-idx3-ubyte" --set "data.test_labels=$t/t10k-labels-idx1-ubyte"
      --set "network.hidden=[32]" --set train.epochs=1 --threads 1)

n=0
# check DESCRIPTION EXPECTED_EXIT NEEDLE COMMAND...   (NEEDLE: text the error message must contain)
check() {
  local desc=$1 want=$2 needle=$3; shift 3; n=$((n+1))
  local out="$t/run$n"
  "$@" --out "$out" >"$t/o$n" 2>"$t/e$n"; local rc=$?
  local lines; lines=$(grep -c . "$t/e$n")
  if [ $rc -ne "$want" ]; then fail "$desc" "exit $rc, expected $want; stderr: $(head -c 300 "$t/e$n")"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$desc" "expected a one-line message on stderr, got $lines lines: $(head -c 300 "$t/e$n")"; return; fi
  grep -qF -- "$needle" "$t/e$n" || fail "$desc" "message does not name '$needle': $(cat "$t/e$n")"
  grep -q 'error' "$t/e$n" || fail "$desc" "message does not say it is an error: $(cat "$t/e$n")"
  [ -e "$out/metrics.json" ] && fail "$desc" "metrics.json left behind"
  [ -e "$out/checkpoint.bin" ] && fail "$desc" "checkpoint.bin left behind"
  [ -e "$out" ] && fail "$desc" "the run directory was created although nothing can run"
  [ -s "$t/o$n" ] && fail "$desc" "unexpected output on stdout: $(head -c 200 "$t/o$n")"
  echo "ok   $desc (exit $rc): $(cat "$t/e$n")"
}

# The synthetic data itself is fine: a one-epoch run on it succeeds (otherwise the data cases prove nothing).
"$BIN" train configs/ep_mnist.toml "${data[@]}" --out "$t/good" >"$t/good.out" 2>"$t/good.err" \
  && [ -f "$t/good/metrics.json" ] || { echo "FAIL: a run on the intact synthetic data failed: $(tail -n 2 "$t/good.err")"; exit 1; }

# ---- usage errors (exit 2)
check missing-config     2 "$t/nope.toml"     "$BIN" train "$t/nope.toml" "${data[@]}"
check broken-toml        2 "$t/broken.toml"   "$BIN" train "$t/broken.toml" "${data[@]}"
check unknown-set-key    2 "--set train.epochz" "$BIN" train configs/ep_mnist.toml "${data[@]}" --set train.epochz=1
check negative-epochs    2 "train.epochs"     "$BIN" train configs/ep_mnist.toml "${data[@]}" --set train.epochs=-3
check zero-epochs        2 "train.epochs"     "$BIN" train configs/ep_mnist.toml "${data[@]}" --set train.epochs=0
check nan-value          2 "train.epochs"     "$BIN" train configs/ep_mnist.toml "${data[@]}" --set train.epochs=nan
check nan-beta           2 "ep.beta"          "$BIN" train configs/ep_mnist.toml "${data[@]}" --set ep.beta=nan
check wrong-type         2 "data.train_limit" "$BIN" train configs/ep_mnist.toml "${data[@]}" --set data.train_limit=lots
check unknown-file-key   2 "batch_sise"       "$BIN" train "$t/typo.toml" "${data[@]}"
check unknown-file-key-path 2 "$t/typo.toml"  "$BIN" train "$t/typo.toml" "${data[@]}"
check set-without-value  2 "train.epochs"     "$BIN" train configs/ep_mnist.toml "${data[@]}" --set train.epochs
check resume-no-checkpoint 2 "$t/empty-run"   "$BIN" train --resume "$t/empty-run"
check resume-missing-dir 2 "$t/no-such-run"   "$BIN" train --resume "$t/no-such-run"

# ---- data-file errors (exit 1)
check truncated-idx      1 "$t/trunc-idx3-ubyte" "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.train_images=$t/trunc-idx3-ubyte"
check header-only-idx    1 "$t/stub-idx3-ubyte"  "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.train_images=$t/stub-idx3-ubyte"
check missing-idx        1 "$t/none-idx3-ubyte"  "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.train_images=$t/none-idx3-ubyte"
check missing-test-idx   1 "$t/none-idx1-ubyte"  "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.test_labels=$t/none-idx1-ubyte"
check wrong-magic-idx    1 "$t/magic-idx3-ubyte" "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.train_images=$t/magic-idx3-ubyte"
check non-byte-idx       1 "$t/int-idx1-ubyte"   "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.train_labels=$t/int-idx1-ubyte"
check count-mismatch     1 "$t/short-labels-idx1-ubyte" "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.train_labels=$t/short-labels-idx1-ubyte"
check label-out-of-range 1 "$t/bad-labels-idx1-ubyte"   "$BIN" train configs/ep_mnist.toml "${data[@]}" --set "data.train_labels=$t/bad-labels-idx1-ubyte"

# ---- sequence runs (e-prop / BPTT): the sequential MNIST task on the synthetic IDX files, and the
# keys of adaptive feedback and the refractory period
seq=(--set "data.train_images=$t/train-images-idx3-ubyte" --set "data.train_labels=$t/train-labels-idx1-ubyte"
     --set "data.test_images=$t/t10k-images-idx3-ubyte" --set "data.test_labels=$t/t10k-labels-idx1-ubyte"
     --set data.train_limit=20 --set data.test_limit=10 --set network.recurrent=16 --set network.adaptive=8
     --set train.epochs=1 --threads 1)
"$BIN" train configs/eprop_mnist.toml "${seq[@]}" --out "$t/seq-good" >"$t/seq-good.out" 2>"$t/seq-good.err" \
  && grep -q '"test_accuracy"' "$t/seq-good/metrics.json" \
  || { echo "FAIL: an e-prop MNIST run on the intact synthetic data failed: $(tail -n 2 "$t/seq-good.err")"; exit 1; }
check mnist-steps-too-short   2 "task.steps"          "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set task.steps=40
check mnist-no-decision       2 "task.decision_steps" "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set task.decision_steps=0
check mnist-decision-too-long 2 "task.decision_steps" "$BIN" train configs/bptt_mnist.toml "${seq[@]}" --set task.decision_steps=84
check mnist-decision-nan      2 "task.decision_steps" "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set task.decision_steps=nan
check mnist-too-many-test     2 "data.test_limit"     "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set data.test_limit=101
check mnist-too-many-train    2 "data.train_limit"    "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set data.train_limit=201
check mnist-missing-idx       1 "$t/none-idx3-ubyte"  "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set "data.train_images=$t/none-idx3-ubyte"
check mnist-truncated-idx     1 "$t/trunc-idx3-ubyte" "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set "data.train_images=$t/trunc-idx3-ubyte"
check mnist-count-mismatch    1 "$t/short-labels-idx1-ubyte" "$BIN" train configs/eprop_mnist.toml "${seq[@]}" --set "data.train_labels=$t/short-labels-idx1-ubyte"
check mnist-key-on-evidence   2 "task.decision_steps" "$BIN" train configs/eprop_evidence.toml --set task.decision_steps=5 --threads 1
check mnist-path-on-evidence  2 "data.train_images"   "$BIN" train configs/eprop_evidence.toml --set "data.train_images=$t/train-images-idx3-ubyte" --threads 1
check feedback-unknown        2 "train.feedback"      "$BIN" train configs/eprop_evidence.toml --set train.feedback=mirror --threads 1
check feedback-adaptive-bptt  2 "train.feedback"      "$BIN" train configs/bptt_evidence.toml --set train.feedback=adaptive --threads 1
check decay-without-adaptive  2 "train.feedback_decay" "$BIN" train configs/eprop_evidence.toml --set train.feedback_decay=0.1 --threads 1
check decay-negative          2 "train.feedback_decay" "$BIN" train configs/eprop_evidence.toml --set train.feedback=adaptive --set train.feedback_decay=-0.1 --threads 1
check decay-above-one         2 "train.feedback_decay" "$BIN" train configs/eprop_evidence.toml --set train.feedback=adaptive --set train.feedback_decay=1.5 --threads 1
check decay-nan               2 "train.feedback_decay" "$BIN" train configs/eprop_evidence.toml --set train.feedback=adaptive --set train.feedback_decay=nan --threads 1
check refractory-negative     2 "network.refractory_steps" "$BIN" train configs/eprop_evidence.toml --set network.refractory_steps=-1 --threads 1
check seq-lr-schedule-unknown 2 "train.lr_schedule"  "$BIN" train configs/eprop_sine.toml --set train.lr_schedule=step --threads 1
check seq-lr-final-above-one  2 "train.lr_final_factor" "$BIN" train configs/eprop_sine.toml --set train.lr_final_factor=1.5 --threads 1
check refractory-not-int      2 "network.refractory_steps" "$BIN" train configs/bptt_sine.toml --set network.refractory_steps=2.5 --threads 1

# --resume of a finished run is refused and leaves the run untouched.
before=$(md5sum "$t/good/metrics.json" "$t/good/checkpoint.bin")
"$BIN" train --resume "$t/good" >"$t/fin.out" 2>"$t/fin.err"; rc=$?; n=$((n+1))
if [ $rc -ne 2 ] || ! grep -q "$t/good" "$t/fin.err"; then fail resume-finished "exit $rc: $(cat "$t/fin.err")"
elif [ "$before" != "$(md5sum "$t/good/metrics.json" "$t/good/checkpoint.bin")" ]; then fail resume-finished "the finished run was modified"
else echo "ok   resume-finished (exit 2): $(cat "$t/fin.err")"; fi

if [ $fails -ne 0 ]; then echo "$fails failure(s) in $n bad-input cases"; exit 1; fi
echo "bad input: $n cases, all clear one-line errors with the right exit code and no metrics.json"
