#!/usr/bin/env bash
# Device substrates from the CLI (tiny e-prop pattern-generation runs, no data files): (a) a PCM
# mixed-precision run writes conductances_w_in/w_rec/w_out.npy (float32, 2 devices per weight, every
# value in [0, g_max]) and saves the keys PCM reads (and only those) in config.toml; (b) `plasticore drift
# --json` prints one point per time with test_nmse and writes drift.json / drift_compensated.json with
# "compensate"; (c) bad input exits 2 and writes nothing: bad --times, unknown substrate key,
# multi_device with one device per sign; (d) a device run resumes from its run record (device state
# included) and ends as it did.
# Usage (from the project root): bash tests/cli/test_hardware.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" hardware "$@"
tiny=(--set task.steps=200 --set train.epochs=2 --set data.train_limit=2 --threads 1)

# ---- (a) PCM run: conductance files and the saved substrate keys
"$BIN" train configs/eprop_sine.toml "${tiny[@]}" --set substrate.kind=pcm --set substrate.update=mixed_precision \
  --set substrate.range=2.0 --out "$t/pcm" >/dev/null 2>"$t/pcm.err" || die pcm "run failed: $(tail -n 1 "$t/pcm.err")"
if d=$("$SYSPY" - "$t/pcm" <<'PY'
import sys, numpy as np, tomllib
run = sys.argv[1]
problems = []
shapes = {"w_in": 100 * 100, "w_rec": 100 * 100, "w_out": 1 * 100}
for name, weights in shapes.items():
    g = np.load(f"{run}/conductances_{name}.npy")
    if g.dtype != np.float32 or g.ndim != 1: problems.append(f"{name}: dtype {g.dtype}, ndim {g.ndim}")
    if g.size != 2 * weights: problems.append(f"{name}: {g.size} conductances, expected {2 * weights}")
    if not (np.isfinite(g).all() and g.min() >= 0 and g.max() <= 12.0): problems.append(f"{name}: range {g.min()}..{g.max()}")
s = tomllib.load(open(f"{run}/config.toml", "rb"))["substrate"]
for k, v in {"kind": "pcm", "update": "mixed_precision", "range": 2.0, "tile_size": 256}.items():
    if s.get(k) != v: problems.append(f"config.toml substrate.{k} = {s.get(k)!r}, expected {v!r}")
for k in ["devices_per_sign", "adc_bits", "dac_bits", "seconds_per_update", "mode", "refresh", "drift"]:
    if k not in s: problems.append(f"config.toml lacks substrate.{k}")
for k in ["bits", "rounding", "levels"]:
    if k in s: problems.append(f"config.toml has substrate.{k}, which PCM does not read")
if problems: print("; ".join(problems)); sys.exit(1)
PY
); then echo "ok   (a) PCM run writes conductances_*.npy in range and saves the substrate keys"; else fail pcm "$d"; fi

# ---- (b) drift on an ideal run, with and without compensation
"$BIN" train configs/eprop_sine.toml "${tiny[@]}" --out "$t/ideal" >/dev/null 2>"$t/ideal.err" || die ideal "run failed"
for comp in "" "--compensate"; do
  file=drift.json; [ -n "$comp" ] && file=drift_compensated.json
  if d=$("$BIN" drift "$t/ideal" --times 1,3600,2592000 $comp --json 2>"$t/drift.err" | "$SYSPY" -c '
import json, sys
out = json.load(sys.stdin); saved = json.load(open(sys.argv[1]))
p = out.get("points", [])
problems = []
secs = [x.get("seconds") for x in p]
if secs != [1, 3600, 2592000]: problems.append(f"seconds {secs}")
if not all(0 <= x.get("test_nmse", -1) < 100 for x in p): problems.append("test_nmse missing or out of range")
if saved.get("points") != p or saved.get("compensate") != (sys.argv[2] == "1"): problems.append("saved file differs from --json output")
if problems: print("; ".join(problems)); sys.exit(1)
' "$t/ideal/$file" "$([ -n "$comp" ] && echo 1 || echo 0)"); then echo "ok   (b) drift $comp: points per time, $file written"; else fail "drift$comp" "$d $(tail -n 1 "$t/drift.err")"; fi
done

# ---- (c) bad input: exit 2, nothing written
expect_usage() {  # name, then the command
  local name=$1; shift
  "$@" >/dev/null 2>"$t/err"; local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$t/err")" -eq 1 ]; then echo "ok   (c) $name: exit 2, $(cat "$t/err")"; else fail "$name" "exit $rc: $(cat "$t/err")"; fi
}
rm -f "$t/ideal/drift.json"
expect_usage "bad --times" "$BIN" drift "$t/ideal" --times 1,abc
[ -e "$t/ideal/drift.json" ] && fail "bad --times" "drift.json was written"
expect_usage "unknown key" "$BIN" train configs/eprop_sine.toml "${tiny[@]}" --set substrate.bitz=4 --out "$t/bad1"
expect_usage "multi_device N=1" "$BIN" train configs/eprop_sine.toml "${tiny[@]}" --set substrate.kind=pcm \
  --set substrate.update=multi_device --set substrate.devices_per_sign=1 --out "$t/bad2"
expect_usage "bits out of range" "$BIN" train configs/eprop_sine.toml "${tiny[@]}" --set substrate.kind=quantized \
  --set substrate.bits=9 --out "$t/bad3"
[ -e "$t/bad1" ] || [ -e "$t/bad2" ] || [ -e "$t/bad3" ] && fail "bad config" "a run directory was created"

# ---- (d) resume a device run killed after its last checkpoint: metrics.json again, from the device state
cp "$t/pcm/metrics.json" "$t/pcm-metrics.json"
rm -f "$t/pcm/metrics.json"
if "$BIN" train --resume "$t/pcm" >/dev/null 2>"$t/resume.err"; then
  "$SYSPY" - "$t/pcm-metrics.json" "$t/pcm/metrics.json" <<'PY' && echo "ok   (d) a PCM run resumes from its run record" || fail resume "metrics differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
d = [k for k in a if "second" not in k and k != "op_counts" and a[k] != b.get(k)]
if d: print("differ:", d); sys.exit(1)
PY
else fail resume "train --resume of a PCM run failed: $(tail -n 1 "$t/resume.err")"; fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all hardware CLI checks passed"
