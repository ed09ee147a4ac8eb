#!/usr/bin/env bash
# Golden curves (as NEST's e-prop tests do): the first training losses of fixed small e-prop and BPTT
# runs, and for rate EP, EqSpike two-factor and EqSpike end-of-phase (on synthetic IDX images) the
# per-epoch accuracies and the final weight norms, are pinned, so a refactor that changes the numbers is
# caught. Tolerance 1e-4 relative (EP accuracies: one sample): tight enough for any change in the maths,
# loose enough for a different vector width (FMA contraction). To re-pin after an intended change, run
# the commands below and copy the printed values.
# The EP curves are pinned per vector instruction set (PLASTICORE_SIMD, which tests/CMakeLists.txt sets from the
# build: avx512 or avx2 for a release build with -march=native, baseline otherwise; without it, this CPU's): Eigen's
# products and the kernels' scalar fallbacks round differently without AVX-512, and a spiking network turns a last
# bit into another spike (the AVX2 + FMA build moved three of the EqSpike curves by 1-6 samples of 200). The
# recurrent losses hold at the tolerance on both. A baseline build (no -march=native: portable and sanitizer
# builds) has no pinned curves and is skipped.
# Usage (from the project root): bash tests/cli/test_golden_losses.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" golden_losses "$@"
if [ -z "${PLASTICORE_SIMD:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then PLASTICORE_SIMD=avx512
  elif grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then PLASTICORE_SIMD=avx2
  else PLASTICORE_SIMD=baseline; fi
fi
case $PLASTICORE_SIMD in
  avx512|avx2) ;;
  *) echo "golden curves: skipped, pinned for release builds with AVX-512 or AVX2 + FMA (this build: $PLASTICORE_SIMD)"; exit 0 ;;
esac
pin() { [ "$PLASTICORE_SIMD" = avx512 ] && echo "$1" || echo "$2"; }  # the AVX-512 curve, the AVX2 + FMA one
check() {  # name, expected losses (space separated), train args...
  local name=$1 expected=$2; shift 2
  "$BIN" train "$@" --set data.train_limit=2 --set data.test_limit=2 --set train.batch_size=1 --threads 1 \
    --out "$t/$name" >"$t/$name.log" 2>&1 || { echo "FAIL($name): run failed: $(tail -n 1 "$t/$name.log")"; fails=$((fails+1)); return; }
  local got
  got=$(tail -n +2 "$t/$name/metrics.csv" | cut -d, -f2 | tr '\n' ' ')
  /usr/bin/python3 - "$name" "$expected" "$got" <<'PY' || fails=$((fails+1))
import sys
name, want, got = sys.argv[1], [float(v) for v in sys.argv[2].split()], [float(v) for v in sys.argv[3].split()]
bad = len(want) != len(got) or any(abs(g - w) > 1e-4 * abs(w) for w, g in zip(want, got))
print(("FAIL" if bad else "ok") + f"({name}): train_loss {got} (pinned {want})")
sys.exit(1 if bad else 0)
PY
}
check eprop_sine "0.6478092803 0.3038786021 0.2415810841 0.1423724368" \
  configs/eprop_sine.toml --set task.steps=300 --set train.epochs=4
check bptt_sine "0.6519907851 0.2987993438 0.1776456761 0.1224259119" \
  configs/bptt_sine.toml --set task.steps=300 --set train.epochs=4
check eprop_evidence "0.6864367054 1.960939846 1.372032753" \
  configs/eprop_evidence.toml --set task.steps=1200 --set train.epochs=3 --set train.lr_schedule=constant

# EP runs: 3 epochs on 200 synthetic images, 100 test images, 784-16-10.
mkdir -p "$t/idx" && "$SYSPY" tests/cli/synthetic_idx.py "$t/idx" 200 100 || die data "could not write the synthetic data"
data=(--set "data.train_images=$t/idx/train-images-idx3-ubyte" --set "data.train_labels=$t/idx/train-labels-idx1-ubyte"
      --set "data.test_images=$t/idx/t10k-images-idx3-ubyte" --set "data.test_labels=$t/idx/t10k-labels-idx1-ubyte")
# Pinned from the plasticore before the one run model (bit-identical weights; 2026-12-02); rate EP re-pinned on
# 2026-12-04, when its first layer began to sum only the non-zero pixels (another order of additions).
# eqspike_two_factor was not re-pinned when its nudged phases' first-layer sums were paired (2026-12-05, another
# order of additions): the curve still holds at the tolerance. Both EqSpike curves were re-pinned on 2026-12-06,
# when the input began to be sent as changes by default (another order of additions, moving 3-epoch accuracies
# on 200 images by a few samples); the spikes-mode curves stay pinned as the *_spikes checks.
check_ep() {  # name, pinned "train accuracies | test accuracies | |w1| |w2|", config, train args...
  local name=$1 expected=$2 config=$3; shift 3
  "$BIN" train "$config" "${data[@]}" --set "network.hidden=[16]" --set train.epochs=3 --set train.lr_schedule=constant \
    --seed 4 --threads 1 "$@" --out "$t/$name" >"$t/$name.log" 2>&1 || { echo "FAIL($name): run failed: $(tail -n 1 "$t/$name.log")"; fails=$((fails+1)); return; }
  "$BIN" export "$t/$name" --npz "$t/$name.npz" >/dev/null || { echo "FAIL($name): export failed"; fails=$((fails+1)); return; }
  /usr/bin/python3 - "$name" "$expected" "$t/$name.npz" <<'PY' || fails=$((fails+1))
import sys, numpy as np
name, want, path = sys.argv[1], sys.argv[2], sys.argv[3]
run = np.load(path)
got = [list(run["history/train_accuracy"]), list(run["history/test_accuracy"]),
       [float(np.linalg.norm(run["w1"])), float(np.linalg.norm(run["w2"]))]]
pinned = [[float(v) for v in part.split()] for part in want.split("|")]
bad = any(len(g) != len(p) for g, p in zip(got, pinned)) or \
      any(abs(a - b) > 0.0101 for g, p in zip(got[:2], pinned[:2]) for a, b in zip(g, p)) or \
      any(abs(a - b) > 1e-4 * abs(b) for a, b in zip(got[2], pinned[2]))
text = " | ".join(" ".join(f"{v:.10g}" for v in g) for g in got)
print(("FAIL" if bad else "ok") + f"({name}): {text} (pinned {want})")
sys.exit(1 if bad else 0)
PY
}
# Re-pinned 2026-12-07 evening: the relaxation's per-step products column by column (core/column_product.hpp) round
# differently from Eigen's (|w1| -> 1e-5 relative, |w2| 1e-4; the AVX-512 and AVX2 builds now differ only in |w1|).
check_ep ep_rate "$(pin "0.12 0.235 0.24 | 0.17 0.19 0.24 | 5.627411366 1.63948524" \
                        "0.12 0.235 0.24 | 0.17 0.19 0.24 | 5.627415657 1.63948524")" configs/ep_mnist.toml
check_ep eqspike_two_factor "$(pin "0.165 0.23 0.295 | 0.16 0.19 0.18 | 5.619588852 1.661848783" \
                                   "0.165 0.23 0.28 | 0.16 0.19 0.19 | 5.619166374 1.661855936")" configs/eqspike_mnist.toml
check_ep eqspike_end_of_phase "$(pin "0.16 0.24 0.27 | 0.13 0.21 0.27 | 5.621734142 1.64610374" \
                                     "0.16 0.24 0.275 | 0.13 0.21 0.21 | 5.622354984 1.648086309")" configs/eqspike_eop_mnist.toml
# The two end-of-phase curves re-pinned 2026-12-08: the spiking rule's first-layer sum went from Eigen's dense product
# to add_outer_nonzero over the inked pixels (rate EP's; another order of additions: |w1| 2e-6 to 7e-5 relative, |w2|
# 6e-4 to 2e-3, through spikes that then differ; the AVX2 spikes curve held at the tolerance and was re-pinned too).
# The input summed as spikes every step (the default until 2026-12-06, pinned then): the same sums in another order.
check_ep eqspike_two_factor_spikes "$(pin "0.165 0.23 0.275 | 0.16 0.19 0.19 | 5.619478703 1.662030578" \
                                          "0.165 0.23 0.275 | 0.16 0.19 0.19 | 5.619475365 1.662041664")" configs/eqspike_mnist.toml \
  --set ep.input_events=spikes
check_ep eqspike_end_of_phase_spikes "$(pin "0.155 0.23 0.27 | 0.2 0.19 0.18 | 5.62091732 1.650399089" \
                                            "0.16 0.22 0.24 | 0.22 0.25 0.23 | 5.620527744 1.648012757")" configs/eqspike_eop_mnist.toml \
  --set ep.input_events=spikes

[ $fails -eq 0 ] || { echo "$fails golden curve(s) changed"; exit 1; }
echo "golden curves: 8 runs match their pinned curves ($PLASTICORE_SIMD)"
