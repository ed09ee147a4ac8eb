#!/usr/bin/env bash
# The hardware results (README "Hardware substrates", docs/hardware.md "Results"): every task on fp32 and on
# the substrate rows below, the same config and budget; only --set substrate.* differs. Seeds 1-3 on MNIST,
# 1-5 on evidence accumulation and 1-10 plus 21-60 on pattern generation (50; 11-20 are the studies'
# selection seeds): the seed-to-seed sd (30-45 % of the mean NMSE, 2-3 points of accuracy) makes a 3-seed
# mean too coarse for the targets (1.3x, 1 point); 10 seeds left 4-bit at 1.33x +- 0.20, undecided, and
# pattern-generation runs take seconds. Each
# run goes to docs/results/hw/<task>_<row>_s<seed>/ (metrics, config.toml and the command; a run whose
# command.txt matches is not run again), then scripts/hardware_table.py writes the tables (mean +- sd over
# the seeds) into README.md and docs/hardware.md, and the drift curve is rerun on the fp32 MNIST model.
# Usage: scripts/hardware_table.sh [TASK...]    TASK: sine evidence mnist (default: all); JOBS=2 runs in parallel.
# Nothing here is chosen on test data: the ranges are the automatic mapping's defaults (docs/hardware.md).
set -euo pipefail
cd "$(dirname "$0")/.."
tasks=("$@")
[ ${#tasks[@]} -gt 0 ] || tasks=(sine evidence mnist)
bin=build/bin/plasticore
[ -x "$bin" ] || { echo "$bin is missing: run make first" >&2; exit 2; }

config_of() {
  case "$1" in
    sine) echo "configs/eprop_sine.toml" ;;
    evidence) echo "configs/eprop_evidence.toml" ;;
    mnist) echo "configs/eqspike_mnist.toml --set train.epochs=3 --set data.train_limit=10000 --set data.test_limit=2000" ;;
    *) echo "unknown task $1 (sine, evidence, mnist)" >&2; exit 2 ;;
  esac
}
seeds_of() {
  case "$1" in
    sine) echo "1 2 3 4 5 6 7 8 9 10 $(seq -s ' ' 21 60)" ;;  # 11-20: the selection seeds of the studies
    evidence) echo "1 2 3 4 5" ;;
    *) echo "1 2 3" ;;
  esac
}
rows_of() {  # the device-count and scheme rows are cheap on pattern generation only
  case "$1" in
    sine) echo "fp32 int8_hil int4 int4_hil pcm_mixed pcm_hil pcm_hil_readback pcm_hil_target pcm_hil_every_a20 pcm_hil_exact_writes pcm_hil_n2 pcm_hil_n4 pcm_hil_n8 pcm_multi_device pcm_sign pcm_stochastic" ;;
    evidence) echo "fp32 int4 int4_hil pcm_mixed pcm_hil pcm_hil_readback pcm_hil_target pcm_hil_every_a20" ;;
    *) echo "fp32 int4 int4_hil pcm_mixed pcm_hil pcm_hil_readback pcm_hil_target" ;;  # every-update rewriting of 392,000 synapses: too slow here
  esac
}
sets_of() {
  local hil="--set substrate.training=hardware_in_the_loop"
  case "$1" in
    fp32) echo "--set substrate.kind=ideal" ;;
    int8_hil) echo "--set substrate.kind=quantized --set substrate.bits=8 $hil" ;;
    int4) echo "--set substrate.kind=quantized --set substrate.bits=4" ;;
    int4_hil) echo "--set substrate.kind=quantized --set substrate.bits=4 $hil" ;;
    pcm_mixed) echo "--set substrate.kind=pcm --set substrate.update=mixed_precision" ;;
    pcm_hil) echo "--set substrate.kind=pcm $hil" ;;  # the default: threshold 0.5 against the chip read back
    pcm_hil_target) echo "--set substrate.kind=pcm $hil --set substrate.reprogram_reference=target --set substrate.reprogram_threshold=1" ;;
    pcm_hil_readback) echo "--set substrate.kind=pcm $hil --set substrate.reprogram_reference=chip --set substrate.reprogram_threshold=1" ;;
    pcm_hil_every_a20) echo "--set substrate.kind=pcm $hil --set substrate.reprogram=every_update --set substrate.program_attempts=20" ;;
    pcm_hil_exact_writes) echo "--set substrate.kind=pcm $hil --set substrate.programming_error=false" ;;  # ablation
    pcm_hil_n*) echo "--set substrate.kind=pcm $hil --set substrate.devices_per_sign=${1#pcm_hil_n}" ;;
    pcm_multi_device) echo "--set substrate.kind=pcm --set substrate.update=multi_device --set substrate.devices_per_sign=4" ;;
    pcm_sign) echo "--set substrate.kind=pcm --set substrate.update=sign" ;;
    pcm_stochastic) echo "--set substrate.kind=pcm --set substrate.update=stochastic" ;;
    *) echo "unknown substrate row $1" >&2; exit 2 ;;
  esac
}

mkdir -p docs/results/hw
source scripts/run_queue.sh
KEEP_CHECKPOINT=docs/results/hw/mnist_fp32_s1  # the drift curve's model
for task in "${tasks[@]}"; do
  for row in $(rows_of "$task"); do
    for seed in $(seeds_of "$task"); do
      queue_run "$bin train $(config_of "$task") $(sets_of "$row") --seed $seed --threads 1 --out docs/results/hw/${task}_${row}_s${seed}"
    done
  done
done
run_queue

if [[ " ${tasks[*]} " == *" mnist "* ]]; then  # the drift curve on the fp32 EqSpike model
  run=docs/results/hw/mnist_fp32_s1
  "$bin" drift "$run" --times 1,60,3600,86400,2592000 --threads 1 >/dev/null
  "$bin" drift "$run" --times 1,60,3600,86400,2592000 --compensate --threads 1 >/dev/null
  /usr/bin/python3 scripts/plot_drift.py "$run" docs/drift_curve.png
fi
/usr/bin/python3 scripts/hardware_table.py
