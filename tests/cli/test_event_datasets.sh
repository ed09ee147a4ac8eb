#!/usr/bin/env bash
# Event data sets from the command line (docs/datasets.md), on small files in the real formats written by
# tests/data/make_event_files.py: (a) configs/eprop_shd.toml trains e-prop on SHD files and learns the
# generator's classes (each has its own channels) well above chance; (b) SSC the same for one epoch; (c) N-MNIST
# as sequences (e-prop) and as event counts (rate EP); (d) missing data: exit 1, one line saying where to
# download it, no run directory; (e) a damaged file: exit 1, one line naming the file and the sample.
# Usage (from the project root): bash tests/cli/test_event_datasets.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" event_datasets "$@"
"$SYSPY" -c "import h5py" 2>/dev/null || { echo "SKIP: no h5py (python3-h5py) for the generator"; exit 0; }
"$SYSPY" tests/data/make_event_files.py "$t/data" --train 160 --test 60 || die generator "could not write the files"

# SHD and SSC need HDF5; a build without it says so, and only the N-MNIST checks run.
hdf5=1
"$BIN" train configs/eprop_shd.toml --set data.path="$t/data/shd" --set train.epochs=1 --set data.train_limit=1 \
  --set data.test_limit=1 --set network.recurrent=4 --set network.adaptive=0 --out "$t/probe" >/dev/null 2>"$t/err" \
  || { grep -q "without HDF5" "$t/err" && hdf5=0 && echo "SKIP (SHD, SSC): $(cat "$t/err")"; }

# ---- (a) SHD with the shipped config
if [ $hdf5 -eq 0 ]; then :
elif "$BIN" train configs/eprop_shd.toml --set data.path="$t/data/shd" --set train.epochs=4 --set train.batch_size=8 --set task.steps=70 \
     --set network.recurrent=32 --set network.adaptive=16 --set train.learning_rate=0.01 --threads 1 \
     --out "$t/shd" >/dev/null 2>"$t/err"; then
  acc=$("$SYSPY" -c "import json; print(json.load(open('$t/shd/metrics.json'))['test_accuracy'])")
  "$SYSPY" -c "import sys; sys.exit(0 if $acc > 0.5 else 1)" && echo "ok   (a) eprop_shd.toml on SHD-format files: test accuracy $acc (chance 0.05)" \
    || fail shd "accuracy $acc not above 0.5"
else fail shd "train failed: $(tail -n 1 "$t/err")"; fi

# ---- (b) SSC
if [ $hdf5 -eq 1 ]; then
  "$BIN" train configs/eprop_shd.toml --set data.dataset=ssc --set data.path="$t/data/ssc" --set train.epochs=1 \
    --set network.recurrent=16 --set network.adaptive=0 --set data.train_limit=64 --threads 1 --out "$t/ssc" >/dev/null 2>"$t/err" \
    && "$SYSPY" -c "import json,sys; m=json.load(open('$t/ssc/metrics.json')); sys.exit(0 if m['dataset']=='ssc' and m['test_samples']==60 else 1)" \
    && echo "ok   (b) SSC-format files (35 classes): one epoch" || fail ssc "$(tail -n 1 "$t/err")"
fi

# ---- (c) N-MNIST as sequences and as counts
"$BIN" train configs/eprop_shd.toml --set data.dataset=nmnist --set data.path="$t/data/nmnist" --set train.epochs=1 \
  --set task.steps=30 --set network.recurrent=16 --set network.adaptive=0 --threads 1 --out "$t/nm_seq" >/dev/null 2>"$t/err" \
  && echo "ok   (c) N-MNIST files as event sequences (e-prop)" || fail nmnist-eprop "$(tail -n 1 "$t/err")"
if "$BIN" train configs/ep_mnist.toml --set data.dataset=nmnist --set data.path="$t/data/nmnist" --set train.epochs=5 \
     --set 'network.hidden=[64]' --threads 1 --out "$t/nm_ep" >/dev/null 2>"$t/err"; then
  acc=$("$SYSPY" -c "import json; print(json.load(open('$t/nm_ep/metrics.json'))['test_accuracy'])")
  "$SYSPY" -c "import sys; sys.exit(0 if $acc > 0.3 else 1)" && echo "ok   (c) N-MNIST as event counts (rate EP): test accuracy $acc (chance 0.1)" \
    || fail nmnist-ep "accuracy $acc not above 0.3"
else fail nmnist-ep "$(tail -n 1 "$t/err")"; fi

# ---- (d) missing data
for ds in $([ $hdf5 -eq 1 ] && echo shd) nmnist; do
  "$BIN" train configs/eprop_shd.toml --set data.dataset=$ds --set data.path="$t/none" --out "$t/missing-$ds" >/dev/null 2>"$t/err"; rc=$?
  if [ $rc -eq 1 ] && grep -q "download" "$t/err" && grep -q "docs/datasets.md" "$t/err" && [ "$(wc -l <"$t/err")" -eq 1 ] && [ ! -e "$t/missing-$ds" ]
  then echo "ok   (d) missing $ds: $(cut -c1-150 "$t/err")..."
  else fail "missing-$ds" "exit $rc: $(cat "$t/err")"; fi
done

# ---- (e) a damaged file
[ $hdf5 -eq 0 ] && { [ $fails -eq 0 ] || exit 1; echo "event data set CLI checks passed (N-MNIST only)"; exit 0; }
"$BIN" train configs/eprop_shd.toml --set data.path="$t/data/bad/shd_unit" --set train.epochs=1 --set network.recurrent=8 \
  --set network.adaptive=0 --out "$t/bad" >/dev/null 2>"$t/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "shd_unit/shd_t.*.h5: sample 1: unit 700" "$t/err" && [ "$(wc -l <"$t/err")" -eq 1 ] && [ ! -e "$t/bad" ]
then echo "ok   (e) damaged SHD file, no run directory: $(cat "$t/err")"; else fail damaged "exit $rc: $(cat "$t/err")"; fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "event data set CLI checks passed"
