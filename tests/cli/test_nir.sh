#!/usr/bin/env bash
# `plasticore export RUN --nir FILE` (docs/nir.md): (a) an e-prop run with ALIF neurons is written as a NIR
# graph that h5py reads (the graph's node types), with a one-line note that adaptation was approximated;
# (b) without --npz or --nir, or for a missing run, exit 2 and no file; an unwritable target exits 1.
# Usage (from the project root): bash tests/cli/test_nir.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" nir "$@"
"$BIN" train configs/eprop_sine.toml --set task.steps=100 --set train.epochs=1 --set data.train_limit=2 \
  --set network.adaptive=10 --threads 1 --out "$t/run" >/dev/null 2>"$t/run.err" || die train "run failed: $(tail -n 1 "$t/run.err")"

# ---- (a)
"$BIN" export "$t/run" --nir "$t/probe.nir" >/dev/null 2>"$t/err" || ! grep -q "without HDF5" "$t/err" \
  || { echo "SKIP: plasticore was built without HDF5: $(cat "$t/err")"; exit 0; }
if "$BIN" export "$t/run" --nir "$t/net.nir" >"$t/out" 2>"$t/err"; then
  grep -q "note: 10 ALIF neurons written as LIF" "$t/err" || fail note "no ALIF note: $(cat "$t/err")"
  d=$("$SYSPY" - "$t/net.nir" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    types = {k: v["type"][()].decode() for k, v in f["node/nodes"].items()}
    if types != {"input": "Input", "w_in": "Linear", "lif": "LIF", "w_rec": "Linear", "w_out": "Linear",
                 "readout": "LI", "output": "Output"}:
        print(types); sys.exit(1)
    if f["node/nodes/w_in/weight"].shape != (100, 100): print("w_in shape"); sys.exit(1)
PY
) && echo "ok   (a) export --nir: $(cat "$t/out")" || fail export "$d"
else fail export "export failed: $(cat "$t/err")"; fi

# ---- (b)
"$BIN" export "$t/run" >/dev/null 2>"$t/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--nir" "$t/err" || fail "no target" "exit $rc: $(cat "$t/err")"
"$BIN" export "$t/nothing" --nir "$t/x.nir" >/dev/null 2>"$t/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$t/x.nir" ] || fail "missing run" "exit $rc: $(cat "$t/err")"
"$BIN" export "$t/run" --nir "$t/no-such-dir/x.nir" >/dev/null 2>"$t/err"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$t/err")" -eq 1 ] && [ -z "$(ls -A "$t" | grep "^\.")" ] || fail unwritable "exit $rc: $(cat "$t/err")"
[ $fails -eq 0 ] && echo "ok   (b) bad export targets: exit 2 / 1, nothing written"

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "NIR CLI checks passed"
