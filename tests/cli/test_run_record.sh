#!/usr/bin/env bash
# The run record from the CLI: (a) `plasticore export RUN --npz FILE` writes a standard .npz that NumPy
# reads (weights, history, the config as text); (b) a checkpoint of an older plasticore (PLCKPT01,
# PLSEQ001) is refused by eval and --resume with a one-line error naming its format, exit 1; (c) bad
# export targets exit 1/2 and leave no file.
# Usage (from the project root): bash tests/cli/test_run_record.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" run_record "$@"
"$BIN" train configs/eprop_sine.toml --set task.steps=100 --set train.epochs=2 --threads 1 --out "$t/run" >/dev/null 2>"$t/run.err" \
  || die train "run failed: $(tail -n 1 "$t/run.err")"

# ---- (a) export
if "$BIN" export "$t/run" --npz "$t/run.npz" >/dev/null 2>"$t/export.err"; then
  d=$("$SYSPY" - "$t/run.npz" <<'PY'
import sys, numpy as np
z = np.load(sys.argv[1])
problems = []
need = {"w_in": (100, 100), "w_rec": (100, 100), "w_out": (1, 100), "history/epoch": (2,), "history/test_nmse": (2,)}
for k, shape in need.items():
    if k not in z.files: problems.append(f"no {k}"); continue
    if z[k].shape != shape: problems.append(f"{k} shape {z[k].shape}")
if "run/config_toml" in z.files and "[substrate]" not in str(z["run/config_toml"]): problems.append("config text")
if int(z["run/epochs_done"]) != 2: problems.append("epochs_done")
if problems: print("; ".join(problems)); sys.exit(1)
PY
) && echo "ok   (a) export --npz: NumPy reads weights, history and the config" || fail export "$d"
else fail export "export failed: $(cat "$t/export.err")"; fi

# ---- (b) older formats
for magic in PLCKPT01 PLSEQ001; do
  mkdir -p "$t/old-$magic"
  cp "$t/run/config.toml" "$t/old-$magic/"
  printf '%s' "$magic" > "$t/old-$magic/checkpoint.bin"; head -c 200 /dev/zero >> "$t/old-$magic/checkpoint.bin"
  for cmd in eval resume; do
    if [ $cmd = eval ]; then "$BIN" eval "$t/old-$magic" >/dev/null 2>"$t/err"; else "$BIN" train --resume "$t/old-$magic" >/dev/null 2>"$t/err"; fi
    rc=$?
    if [ $rc -eq 1 ] && grep -q "format $magic" "$t/err" && [ "$(wc -l <"$t/err")" -eq 1 ]; then echo "ok   (b) $cmd of a $magic checkpoint: $(cat "$t/err")"
    else fail "old-$magic-$cmd" "exit $rc: $(cat "$t/err")"; fi
  done
done

# ---- (c) bad export targets
"$BIN" export "$t/nothing-here" --npz "$t/x.npz" >/dev/null 2>"$t/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$t/x.npz" ] || fail "export missing run" "exit $rc: $(cat "$t/err")"
"$BIN" export "$t/run" --npz "$t/no-such-dir/x.npz" >/dev/null 2>"$t/err"; rc=$?
[ $rc -eq 1 ] || fail "export unwritable" "exit $rc: $(cat "$t/err")"
[ $fails -eq 0 ] && echo "ok   (c) bad export targets: exit 2 / 1, nothing written"

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "run record CLI checks passed"
