#!/usr/bin/env bash
# `make demo`: a short EqSpike run on MNIST (a few minutes on 2 cores), then where its files are.
set -euo pipefail
cd "$(dirname "$0")/.."
out="runs/demo-eqspike-$(date +%Y%m%d-%H%M%S)"
build/bin/plasticore train configs/eqspike_mnist.toml --set train.epochs=3 --set data.train_limit=20000 \
  --set train.lr_schedule=constant --out "$out"
echo
echo "demo: EqSpike (two-factor rule), 3 epochs on 20k MNIST images, tested on the full 10k test set."
echo "demo: files in $out: metrics.json (final figures), metrics.csv (per epoch), config.toml, checkpoint.bin"
echo "demo: evaluate again with: build/bin/plasticore eval $out"
