#!/usr/bin/env bash
# Where 4-bit and PCM in the loop lose on pattern generation (docs/hardware.md, "Against the targets"): e-prop
# sine on fp32, 4-bit in the loop (clip_sigmas, bits, one matrix digital, training budget and learning rate)
# and PCM-in-the-loop variants (programming, threshold, noise sources), on the selection seeds 11-20
# (disjoint from the seeds 1-10 the hardware table reports). Each run goes to docs/results/hw_study/<variant>_s<seed>/ (cached by
# command.txt, scripts/run_queue.sh); prints the mean test NMSE of each variant and its ratio to fp32.
# Usage: [JOBS=2] scripts/pcm_programming_study.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/plasticore
[ -x "$bin" ] || { echo "$bin is missing: run make first" >&2; exit 2; }
source scripts/pcm_options.sh  # hil, every, exact_io, clean
th1="--set substrate.reprogram_threshold=1"  # the threshold policy's default before 2026-12-04
target="--set substrate.reprogram_reference=target $th1"  # the threshold policy's default before 2026-12-03
precise="--set substrate.program_attempts=50 --set substrate.verify_tolerance=0.1"
sets_of() {
  case "$1" in
    fp32) echo "--set substrate.kind=ideal" ;;
    int4_hil) echo "--set substrate.kind=quantized --set substrate.bits=4 --set substrate.training=hardware_in_the_loop" ;;
    int4_hil_clip*) echo "--set substrate.kind=quantized --set substrate.bits=4 --set substrate.training=hardware_in_the_loop --set substrate.clip_sigmas=${1#int4_hil_clip}" ;;
    pcm_hil) echo "$hil $target" ;;
    pcm_hil_programming_only) echo "$hil $target --set substrate.read_noise=false --set substrate.dac_bits=0 --set substrate.adc_bits=0 --set substrate.output_noise=0 --set substrate.drift=false" ;;
    pcm_hil_every) echo "$hil $every" ;;
    pcm_hil_every_clip2) echo "$hil $every --set substrate.clip_sigmas=2" ;;
    pcm_hil_every_clip4) echo "$hil $every --set substrate.clip_sigmas=4" ;;
    pcm_hil_threshold_quarter) echo "$hil $target --set substrate.reprogram_threshold=0.25" ;;
    pcm_hil_a20) echo "$hil $target --set substrate.program_attempts=20" ;;
    pcm_hil_a50_tol_quarter) echo "$hil $target --set substrate.program_attempts=50 --set substrate.verify_tolerance=0.25" ;;
    pcm_hil_every_a20) echo "$hil $every --set substrate.program_attempts=20" ;;
    pcm_hil_every_a50_tol_quarter) echo "$hil $every --set substrate.program_attempts=50 --set substrate.verify_tolerance=0.25" ;;
    pcm_hil_readback) echo "$hil --set substrate.reprogram_reference=chip $th1" ;;
    pcm_hil_readback_a20) echo "$hil --set substrate.reprogram_reference=chip $th1 --set substrate.program_attempts=20" ;;
    int[0-9]_hil) echo "--set substrate.kind=quantized --set substrate.bits=${1:3:1} --set substrate.training=hardware_in_the_loop" ;;
    int8_hil_absmax) echo "$(sets_of int8_hil) --set substrate.clip_sigmas=0" ;;
    int4_hil_digital_*) echo "$(sets_of int4_hil) --set substrate.matrices.${1#int4_hil_digital_}.kind=ideal" ;;
    *_cosine) echo "$(sets_of "${1%_cosine}") --set train.lr_schedule=cosine" ;;
    *_epochs*) echo "$(sets_of "${1%_epochs*}") --set train.epochs=${1##*_epochs}" ;;
    *_lr*) echo "$(sets_of "${1%_lr*}") --set train.learning_rate=${1##*_lr}" ;;
    pcm_hil_readback_th0.5_a20) echo "$(sets_of pcm_hil_readback_th0.5) --set substrate.program_attempts=20" ;;
    pcm_hil_readback_th0.5_a20_tol0.25) echo "$(sets_of pcm_hil_readback_th0.5_a20) --set substrate.verify_tolerance=0.25" ;;
    pcm_hil_readback_th0.5_digital_w_out) echo "$(sets_of pcm_hil_readback_th0.5) --set substrate.matrices.w_out.kind=ideal" ;;
    pcm_hil_readback_th0.5_n2) echo "$(sets_of pcm_hil_readback_th0.5) --set substrate.devices_per_sign=2" ;;
    pcm_hil_readback_th*) echo "$(sets_of pcm_hil_readback) --set substrate.reprogram_threshold=${1#pcm_hil_readback_th}" ;;
    pcm_hil_readback_no_read_noise) echo "$(sets_of pcm_hil_readback) --set substrate.read_noise=false" ;;
    pcm_hil_readback_no_drift) echo "$(sets_of pcm_hil_readback) --set substrate.drift=false" ;;
    pcm_hil_readback_exact_io) echo "$(sets_of pcm_hil_readback) $exact_io" ;;
    pcm_hil_readback_clip*) echo "$(sets_of pcm_hil_readback) --set substrate.clip_sigmas=${1#pcm_hil_readback_clip}" ;;
    pcm_hil_readback_digital_w_out) echo "$(sets_of pcm_hil_readback) --set substrate.matrices.w_out.kind=ideal" ;;
    pcm_hil_precise_clean_th0.5) echo "$hil $precise $clean --set substrate.reprogram_threshold=0.5" ;;
    pcm_hil_precise_clean_every) echo "$hil $precise $clean $every" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
variants="fp32 int4_hil int4_hil_clip0 int4_hil_clip2 int4_hil_clip4 int4_hil_clip6 pcm_hil pcm_hil_programming_only pcm_hil_every pcm_hil_every_clip2 pcm_hil_every_clip4
  pcm_hil_threshold_quarter pcm_hil_a20 pcm_hil_a50_tol_quarter pcm_hil_every_a20 pcm_hil_every_a50_tol_quarter
  pcm_hil_readback pcm_hil_readback_a20
  int5_hil int6_hil int8_hil int8_hil_absmax int4_hil_digital_w_in int4_hil_digital_w_rec int4_hil_digital_w_out
  fp32_cosine int4_hil_cosine fp32_epochs60 int4_hil_epochs60 fp32_epochs100 int4_hil_epochs100
  fp32_lr0.002 fp32_lr0.005 fp32_lr0.01 int4_hil_lr0.005 pcm_hil_readback_lr0.005
  pcm_hil_readback_th0.25 pcm_hil_readback_th0.5 pcm_hil_readback_th0.75 pcm_hil_readback_th2
  pcm_hil_readback_th0.5_a20 pcm_hil_readback_th0.5_a20_tol0.25 pcm_hil_readback_no_read_noise
  pcm_hil_readback_no_drift pcm_hil_readback_exact_io pcm_hil_readback_clip2 pcm_hil_readback_clip4
  pcm_hil_readback_digital_w_out pcm_hil_precise_clean_th0.5 pcm_hil_precise_clean_every
  pcm_hil_readback_th0.5_digital_w_out pcm_hil_readback_th0.5_n2"
source scripts/run_queue.sh
queue_seeds docs/results/hw_study 11 20 $variants
run_queue
/usr/bin/python3 scripts/sine_study_table.py docs/results/hw_study 11 20 $variants
