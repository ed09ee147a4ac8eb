#!/usr/bin/env bash
# Counts the operations of every config in the README results table with a short run each, and prints
# docs/energy.md's table: joules per sample on every technology of configs/energy (plasticore energy)
# and the ratios to the GPU. Operations per sample hardly depend on how long a run trains (checked in
# docs/energy.md), so short runs suffice.
# Usage (from the project root, after make build): bash bench/energy_table.sh [OUT_DIR]
#   OUT_DIR defaults to docs/results/energy; each run's metrics.json and config.toml are kept there.
set -eu
BIN=build/bin/plasticore
OUT=${1:-docs/results/energy}
mkdir -p "$OUT"
MNIST=(--set data.train_limit=2000 --set data.test_limit=1000 --set train.epochs=1)
declare -A ARGS=(
  [eqspike_mnist]="${MNIST[*]}" [eqspike_mnist_fine]="${MNIST[*]}" [eqspike_eop_mnist]="${MNIST[*]}"
  [ep_mnist]="${MNIST[*]}" [eqspike_mnist_wide]="${MNIST[*]}" [ep_mnist_wide]="${MNIST[*]}"
  [eprop_sine]="--set train.epochs=3" [bptt_sine]="--set train.epochs=3"
  [eprop_evidence]="--set train.epochs=1" [bptt_evidence]="--set train.epochs=1"
  [eprop_mnist]="${MNIST[*]}" [bptt_mnist]="${MNIST[*]}"
)
CONFIGS=(eqspike_mnist eqspike_mnist_fine eqspike_eop_mnist ep_mnist eqspike_mnist_wide ep_mnist_wide
         eprop_sine bptt_sine eprop_evidence bptt_evidence eprop_mnist bptt_mnist)
for c in "${CONFIGS[@]}"; do
  if [ ! -f "$OUT/$c/metrics.json" ]; then
    rm -rf "$OUT/$c.tmp"
    # shellcheck disable=SC2086
    nice -n 10 "$BIN" train "configs/$c.toml" ${ARGS[$c]} --threads 1 --out "$OUT/$c.tmp" >/dev/null 2>"$OUT/$c.log"
    rm -f "$OUT/$c.tmp/checkpoint.bin" "$OUT/$c.log"
    mv "$OUT/$c.tmp" "$OUT/$c"
  fi
  "$BIN" energy "$OUT/$c" --json >"$OUT/$c/energy.json"
done
/usr/bin/python3 - "$OUT" "${CONFIGS[@]}" <<'PY'
import json, sys
out, configs = sys.argv[1], sys.argv[2:]
techs = ["gpu", "loihi", "pcm_crossbar"]
print("| config | samples counted (train / test) | inference J: " + " / ".join(techs) + " | training J: " + " / ".join(techs) +
      " | GPU / Loihi inference, training | GPU / PCM inference, training |")
print("|---|---|---|---|---|---|")
for c in configs:
    e = json.load(open(f"{out}/{c}/energy.json"))
    m = json.load(open(f"{out}/{c}/metrics.json"))
    t, r = e["technologies"], e["ratios"]
    fmt = lambda kind: " / ".join(f"{t[n][kind + '_joules']:.3g}" for n in techs)
    rat = lambda n: f"{r['inference_gpu_over_' + n]:.3g}, {r['training_gpu_over_' + n]:.3g}"
    samples = f"{m['op_counts']['training']['samples']} / {m['op_counts']['inference']['samples']}"
    print(f"| `{c}` | {samples} | {fmt('inference')} | {fmt('training')} | {rat('loihi')} | {rat('pcm_crossbar')} |")
PY
