#!/usr/bin/env bash
# The e-prop results (README "e-prop", docs/eprop.md "Results"): every e-prop config beside its BPTT reference,
# the feedback variants of e-prop, and sequential MNIST with a constant learning rate (what the cosine
# schedule buys). Seeds 1-5 on pattern generation and evidence accumulation, 1-3 on MNIST and the variants.
# Each run goes to docs/results/eprop/<row>_s<seed>/ (metrics, config.toml and the command; a run whose
# command.txt matches is not run again), then scripts/eprop_table.py writes the table (mean +- sd over the
# seeds) into README.md and docs/eprop.md. Nothing here is chosen on test data: the configs are as shipped.
# Usage: scripts/eprop_table.sh     (JOBS=2 runs two at once; about 40 min of CPU in all)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/plasticore
[ -x "$bin" ] || { echo "$bin is missing: run make first" >&2; exit 2; }

rows="eprop_sine bptt_sine eprop_evidence bptt_evidence eprop_evidence_random eprop_evidence_adaptive eprop_mnist bptt_mnist eprop_mnist_constant bptt_mnist_constant"
args_of() {
  case "$1" in
    eprop_evidence_random) echo "configs/eprop_evidence.toml --set train.feedback=random" ;;
    eprop_evidence_adaptive) echo "configs/eprop_evidence.toml --set train.feedback=adaptive" ;;
    *_mnist_constant) echo "configs/${1%_constant}.toml --set train.lr_schedule=constant" ;;
    *) echo "configs/$1.toml" ;;
  esac
}
seeds_of() {
  case "$1" in
    *_sine | eprop_evidence | bptt_evidence) echo "1 2 3 4 5" ;;
    *) echo "1 2 3" ;;
  esac
}

mkdir -p docs/results/eprop
source scripts/run_queue.sh
for row in $rows; do
  for seed in $(seeds_of "$row"); do
    queue_run "$bin train $(args_of "$row") --seed $seed --threads 1 --out docs/results/eprop/${row}_s$seed"
  done
done
run_queue
/usr/bin/python3 scripts/eprop_table.py
