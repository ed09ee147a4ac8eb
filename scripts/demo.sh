#!/usr/bin/env bash
# `make demo`: a short EqSpike run on MNIST (5 epochs, about 2 minutes), then where its files are.
set -euo pipefail
cd "$(dirname "$0")/.."
out="runs/demo-eqspike-$(date +%Y%m%d-%H%M%S)"
build/bin/plasticore train configs/eqspike_mnist.toml --set train.epochs=5 --out "$out"
echo
echo "demo: EqSpike (spiking EP, two-factor rule), 5 epochs on the 60k MNIST training images, tested on the 10k test set."
echo "demo: the full 30-epoch run (configs/eqspike_mnist.toml, about 5 minutes on one thread) reaches about 97.6 %; see README.md."
echo "demo: files in $out: metrics.json (final figures), metrics.csv (per epoch), config.toml, checkpoint.bin"
echo "demo: next steps:"
echo "  build/bin/plasticore eval $out      # test figures again from the checkpoint"
echo "  build/bin/plasticore plot $out      # PNGs: training curves, spike raster, traces (docs/plots.md)"
echo "  build/bin/plasticore energy $out    # joules per sample on Loihi, a PCM crossbar and a GPU (docs/energy.md)"
