#!/usr/bin/env bash
# The hardware results table (docs/hardware.md): one task on fp32 and on every device substrate, the
# same config and budget, only --set substrate.* differs. Each run goes to docs/results/hw_<task>_<substrate>.
# Usage: scripts/hardware_table.sh TASK [SUBSTRATE...]
#   TASK: sine (configs/eprop_sine.toml), evidence (configs/eprop_evidence.toml),
#         mnist (configs/eqspike_mnist.toml shortened: 3 epochs on 10000 images, 2000 test images)
#   SUBSTRATE: fp32 int8 int4 pcm_mixed pcm_sign pcm_stochastic (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
task=${1:?usage: $0 sine|evidence|mnist [substrate...]}
shift
case "$task" in
  sine) config=configs/eprop_sine.toml; budget=() ;;
  evidence) config=configs/eprop_evidence.toml; budget=() ;;
  mnist) config=configs/eqspike_mnist.toml
         budget=(--set train.epochs=3 --set data.train_limit=10000 --set data.test_limit=2000) ;;
  *) echo "unknown task $task (sine, evidence, mnist)" >&2; exit 2 ;;
esac
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(fp32 int8 int4 pcm_mixed pcm_sign pcm_stochastic)
for row in "${rows[@]}"; do
  case "$row" in
    fp32) sets=(--set substrate.kind=ideal) ;;
    int8) sets=(--set substrate.kind=quantized --set substrate.bits=8 --set substrate.range=0.5) ;;
    int4) sets=(--set substrate.kind=quantized --set substrate.bits=4 --set substrate.range=0.5) ;;
    pcm_mixed) sets=(--set substrate.kind=pcm --set substrate.update=mixed_precision --set substrate.range=0.5) ;;
    pcm_sign) sets=(--set substrate.kind=pcm --set substrate.update=sign --set substrate.range=0.5) ;;
    pcm_stochastic) sets=(--set substrate.kind=pcm --set substrate.update=stochastic --set substrate.range=0.5) ;;
    *) echo "unknown substrate row $row" >&2; exit 2 ;;
  esac
  out=docs/results/hw_${task}_${row}
  rm -rf "$out"
  echo "plasticore train $config ${budget[*]} ${sets[*]} --threads 1 --out $out"
  nice -n 10 build/bin/plasticore train "$config" "${budget[@]}" "${sets[@]}" --threads 1 --out "$out" 2>"$out.log" | tail -n 1
  rm -f "$out.log" "$out"/conductances_*.npy  # the .npy files are large; the plot command makes them again
done
