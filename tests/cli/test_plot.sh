#!/usr/bin/env bash
# `plasticore plot` on real small run directories (no MNIST): (a) a tiny EqSpike run with an STDP window,
# drift curves and conductance files beside it gives every PNG, and the re-run sample agrees with `eval`;
# (a') a rate-based EP run gives curves, states and traces; (b) --out writes elsewhere and leaves the run
# directory alone; (c) e-prop pattern generation and (d) BPTT evidence accumulation give curves, raster
# and traces; (e) a run directory without a checkpoint gives the curves only; (f) missing or invalid run
# directories and malformed extra files are one-line errors (exit 2 / 1).
# Usage (from the project root): bash tests/cli/test_plot.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" plot "$@"
# pngs DIR NAME...: each DIR/NAME.png is a PNG of at least 400x300 pixels and 10 kB.
pngs() {
  "$SYSPY" - "$@" <<'PY'
import struct, sys
d, names = sys.argv[1], sys.argv[2:]
bad = []
for n in names:
    try:
        png = open(f"{d}/{n}.png", "rb").read()
    except OSError:
        bad.append(f"{n}.png missing"); continue
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 10000:
        bad.append(f"{n}.png is not a PNG of some size ({len(png)} bytes)"); continue
    w, h = struct.unpack(">II", png[16:24])
    if w < 400 or h < 300: bad.append(f"{n}.png is only {w}x{h}")
if bad: print("; ".join(bad)); sys.exit(1)
PY
}

mkdir -p "$t/data" && "$SYSPY" tests/cli/synthetic_idx.py "$t/data" 100 20 || die data "could not write the synthetic data"
data=(--set "data.train_images=$t/data/train-images-idx3-ubyte" --set "data.train_labels=$t/data/train-labels-idx1-ubyte"
      --set "data.test_images=$t/data/t10k-images-idx3-ubyte" --set "data.test_labels=$t/data/t10k-labels-idx1-ubyte")

# ---- (a) EqSpike run with every optional file
run="$t/eqspike"
"$BIN" train configs/eqspike_mnist.toml "${data[@]}" --set "network.hidden=[16]" --set train.epochs=2 --threads 1 \
  --out "$run" >/dev/null 2>"$t/train.err" || die train "EqSpike run failed: $(tail -n 1 "$t/train.err")"
"$BIN" stdp configs/eqspike_mnist.toml "${data[@]}" --set "network.hidden=[16]" --samples 40 --synapses 100 --threads 1 \
  --out "$run" >/dev/null 2>"$t/stdp.err" || die stdp "stdp failed: $(tail -n 1 "$t/stdp.err")"
rm "$run/stdp.png"
"$SYSPY" - "$run" <<'PY' || die extras "could not write the drift and conductance files"
import json, sys
import numpy as np
run = sys.argv[1]
for compensate, accuracy in ((False, [0.3, 0.25, 0.2]), (True, [0.3, 0.29, 0.28])):
    points = [{"seconds": s, "test_accuracy": a} for s, a in zip((0, 3600, 86400), accuracy)]
    json.dump({"compensate": compensate, "points": points},
              open(f"{run}/drift{'_compensated' if compensate else ''}.json", "w"))
rng = np.random.default_rng(1)
np.save(f"{run}/conductances_W1.npy", rng.uniform(0, 25, 784 * 16).astype(np.float32))
np.save(f"{run}/conductances_W2.npy", rng.uniform(0, 25, 16 * 10).astype(np.float32))
PY
"$BIN" plot "$run" >"$t/plot.out" 2>"$t/plot.err" || die plot "plot failed: $(tail -n 1 "$t/plot.err")"
if d=$(pngs "$run" training_curves spike_raster traces stdp drift conductances); then
  echo "ok   (a) EqSpike run: training_curves, spike_raster, traces, stdp, drift, conductances"
else fail eqspike "$d"; fi
[ "$(grep -c '\.png$' "$t/plot.out")" -eq 6 ] || fail eqspike "plot did not list the 6 PNGs it wrote: $(cat "$t/plot.out")"
# The re-run sample is test sample 0 as eval sees it: right iff eval on that one sample scores 100 %.
"$BIN" eval "$run" --set data.test_limit=1 --json >"$t/eval.json" 2>"$t/eval.err" || die eval "$(tail -n 1 "$t/eval.err")"
if d=$("$SYSPY" - "$run/sample_activity.json" "$t/eval.json" "$t/data/t10k-labels-idx1-ubyte" <<'PY'
import json, sys
a, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
label = open(sys.argv[3], "rb").read()[8]
problems = []
if a["label"] != label: problems.append(f"label {a['label']}, the test set's first label is {label}")
if (a["prediction"] == a["label"]) != (e["test_accuracy"] == 1.0):
    problems.append(f"prediction {a['prediction']} vs eval accuracy {e['test_accuracy']} on that sample")
if [l["size"] for l in a["layers"]] != [784, 16, 10]: problems.append("layer sizes")
if any(len(l["states"]) != a["steps"] + 1 for l in a["layers"][1:]): problems.append("states are not T1 + 1 rows")
if not a["layers"][0]["spikes"]: problems.append("no input spikes")
if problems: print("; ".join(problems)); sys.exit(1)
PY
); then echo "ok   (a) sample_activity.json is test sample 0 with the prediction eval makes"; else fail activity "$d"; fi

# ---- (a') rate-based EP (no spikes: the raster shows the states)
"$BIN" train configs/ep_mnist.toml "${data[@]}" --set "network.hidden=[16]" --threads 1 --out "$t/rate" >/dev/null \
  2>"$t/rate.err" || die rate "EP run failed: $(tail -n 1 "$t/rate.err")"
"$BIN" plot "$t/rate" >/dev/null 2>"$t/plot.err" || die rate "plot failed: $(tail -n 1 "$t/plot.err")"
d=$(pngs "$t/rate" training_curves spike_raster traces) && echo "ok   (a') rate-based EP run: curves, state raster, traces" \
  || fail rate "$d"

# ---- (b) --out
before=$(ls "$run" | sort)
"$BIN" plot "$run" --out "$t/figures" >/dev/null 2>"$t/plot.err" || fail out "plot --out failed: $(tail -n 1 "$t/plot.err")"
d=$(pngs "$t/figures" training_curves spike_raster traces stdp drift conductances) || fail out "$d"
[ "$(ls "$run" | sort)" = "$before" ] || fail out "plot --out changed the run directory"
[ $fails -eq 0 ] && echo "ok   (b) --out DIR: the PNGs go to DIR, the run directory is untouched"

# ---- (c) e-prop pattern generation
"$BIN" train configs/eprop_sine.toml --set task.steps=200 --set train.epochs=2 --set data.train_limit=2 --threads 1 \
  --out "$t/sine" >/dev/null 2>"$t/sine.err" || die sine "e-prop run failed: $(tail -n 1 "$t/sine.err")"
"$BIN" plot "$t/sine" >/dev/null 2>"$t/plot.err" || die sine "plot failed: $(tail -n 1 "$t/plot.err")"
if d=$(pngs "$t/sine" training_curves spike_raster traces) && d=$("$SYSPY" -c '
import json, sys
a = json.load(open(sys.argv[1]))
ok = a["kind"] == "sequence" and a["steps"] == 200 and len(a["readout"]) == 200 and len(a["membrane_potential"]) == 200
sys.exit(0 if ok else print(a["kind"], a["steps"], len(a["readout"])) or 1)' "$t/sine/sample_activity.json"); then
  echo "ok   (c) e-prop pattern generation: curves, raster, membrane traces and readout vs target"
else fail sine "$d"; fi

# ---- (d) BPTT evidence accumulation (ALIF neurons, cross-entropy readout)
"$BIN" train configs/bptt_evidence.toml --set task.steps=1300 --set data.train_limit=2 --set data.test_limit=2 \
  --set train.batch_size=2 --set train.epochs=1 --set network.recurrent=12 --set network.adaptive=6 --threads 1 \
  --out "$t/evidence" >/dev/null 2>"$t/evidence.err" || die evidence "BPTT run failed: $(tail -n 1 "$t/evidence.err")"
"$BIN" plot "$t/evidence" >/dev/null 2>"$t/plot.err" || die evidence "plot failed: $(tail -n 1 "$t/plot.err")"
d=$(pngs "$t/evidence" training_curves spike_raster traces) && echo "ok   (d) BPTT evidence accumulation: curves, raster, traces" \
  || fail evidence "$d"

# ---- (e) no checkpoint (as in docs/results): curves only
mkdir -p "$t/results" && cp docs/results/mnist/eqspike_mnist_s1/metrics.* docs/results/mnist/eqspike_mnist_s1/config.toml "$t/results/"
"$BIN" plot "$t/results" --out "$t/results_figures" >/dev/null 2>"$t/plot.err" || fail results "plot failed: $(tail -n 1 "$t/plot.err")"
d=$(pngs "$t/results_figures" training_curves) && [ ! -e "$t/results_figures/spike_raster.png" ] \
  && echo "ok   (e) a run without checkpoint.bin: training curves only" || fail results "${d:-a raster without a checkpoint}"

# ---- (f) bad input
expect_error() {  # CODE WORDS RUN_DIR
  "$BIN" plot "$3" --out "$t/bad_figures" >/dev/null 2>"$t/bad.err"; local rc=$?
  { [ $rc -eq "$1" ] && grep -q "$2" "$t/bad.err" && [ "$(wc -l <"$t/bad.err")" -eq 1 ]; } \
    || fail bad "plot $3: exit $rc (expected $1), $(cat "$t/bad.err")"
}
expect_error 2 "no such run directory" "$t/none"
mkdir -p "$t/empty" && expect_error 2 "not a run directory" "$t/empty"
cp -r "$run" "$t/broken" && echo '{"compensate": true, "points": [' >"$t/broken/drift_compensated.json"
expect_error 1 "drift_compensated.json: not valid JSON" "$t/broken"
cp -r "$run" "$t/matrix" && "$SYSPY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.zeros((3, 4), np.float32))' \
  "$t/matrix/conductances_W1.npy" && expect_error 1 "conductances_W1.npy: expected a non-empty 1-D" "$t/matrix"
[ $fails -eq 0 ] && echo "ok   (f) missing / invalid run directories exit 2, malformed drift or conductance files exit 1"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "plot: all checks passed"
