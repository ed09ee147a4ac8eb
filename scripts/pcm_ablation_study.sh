#!/usr/bin/env bash
# Which non-ideality of PCM in the loop (the default: reprogrammed when off by half a step from the chip read
# back) costs what on pattern generation (docs/hardware.md, "Against the targets"): each noise source removed
# on its own, all of them, every-update reprogramming, exact and the most precise writes, the drift clock, weight decay
# and programming b-bit levels (program_bits), against fp32, 4-bit and 8-bit in the loop, on 40 more
# selection seeds (61-100, used nowhere else) so that a paired ratio is resolved to a few per cent. Runs go to
# docs/results/hw_ablation/<variant>_s<seed>/ (cached by command.txt, scripts/run_queue.sh); prints each
# variant's mean test NMSE, its ratio to fp32 and its paired ratio to the default (geometric mean over seeds).
# Usage: [JOBS=2] scripts/pcm_ablation_study.sh   (about 20 min with JOBS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/plasticore
[ -x "$bin" ] || { echo "$bin is missing: run make first" >&2; exit 2; }
source scripts/pcm_options.sh  # hil, every, exact_io, clean
sets_of() {
  case "$1" in
    fp32) echo "--set substrate.kind=ideal" ;;
    *_wd*) echo "$(sets_of "${1%_wd*}") --set train.weight_decay=${1##*_wd}" ;;  # decoupled weight decay
    int4|int8) echo "--set substrate.kind=quantized --set substrate.bits=${1#int} --set substrate.training=hardware_in_the_loop" ;;
    pcm) echo "$hil" ;;
    pcm_no_read_noise) echo "$hil --set substrate.read_noise=false" ;;
    pcm_no_drift) echo "$hil --set substrate.drift=false" ;;
    pcm_exact_io) echo "$hil $exact_io" ;;
    pcm_clean) echo "$hil $clean" ;;
    pcm_every) echo "$hil $every" ;;
    pcm_clean_every) echo "$hil $clean $every" ;;
    pcm_clean_every_a50_tol0.1) echo "$hil $clean $every --set substrate.program_attempts=50 --set substrate.verify_tolerance=0.1" ;;
    pcm_exact_writes) echo "$hil --set substrate.programming_error=false" ;;
    pcm_exact_writes_every) echo "$hil $every --set substrate.programming_error=false" ;;
    pcm_program_bits*) echo "$hil --set substrate.program_bits=${1#pcm_program_bits}" ;;
    pcm_th0.25) echo "$hil --set substrate.reprogram_threshold=0.25" ;;
    pcm_a20_tol0.25) echo "$hil --set substrate.program_attempts=20 --set substrate.verify_tolerance=0.25" ;;
    pcm_a50_tol0.1) echo "$hil --set substrate.program_attempts=50 --set substrate.verify_tolerance=0.1" ;;
    pcm_seconds*) echo "$hil --set substrate.seconds_per_update=${1#pcm_seconds}" ;;  # drift between updates
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
variants="fp32 int4 pcm pcm_no_read_noise pcm_no_drift pcm_exact_io pcm_clean pcm_every pcm_clean_every
  pcm_th0.25 pcm_a20_tol0.25 pcm_a50_tol0.1 pcm_seconds3.86 pcm_seconds386 fp32_wd0.1 fp32_wd1 pcm_no_drift_wd1
  int8 pcm_exact_writes pcm_exact_writes_every pcm_clean_every_a50_tol0.1 pcm_program_bits4 pcm_program_bits5 pcm_program_bits6"
source scripts/run_queue.sh
queue_seeds docs/results/hw_ablation 61 100 $variants
run_queue
/usr/bin/python3 scripts/sine_study_table.py docs/results/hw_ablation 61 100 --paired-to pcm $variants
