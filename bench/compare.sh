#!/usr/bin/env bash
# plasticore against same-work PyTorch peers (bench/peers/, README there): rate EP, EqSpike two-factor,
# e-prop LIF (pattern generation) and ALIF (evidence accumulation). Each pair runs interleaved, plasticore
# then its peer(s), REPEATS times with seeds 1..REPEATS, every process on one thread; the ratio uses the
# CPU time of each whole process (start-up, data, training, test evaluation; nothing subtracted).
# Prints the Markdown table docs/performance.md quotes and writes bench/results/compare.json (with --only NAME:
# bench/results/compare_<name>.json, so that the whole table stays; --json FILE writes elsewhere).
# Usage: bash bench/compare.sh [REPEATS=3] [--only NAME] [--json FILE]   (about 6-10 min with 3 repeats)
# Not part of the test suite: it measures time. Run it with nothing else on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${REPEATS:-3}
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
  repeats=$1
  shift
fi
if [[ ! -x build/bin/plasticore ]]; then
  echo "compare: build/bin/plasticore is missing; build it first (make build)" >&2
  exit 1
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "compare: Debian's /usr/bin/python3 cannot import torch; install it: apt-get install -y python3-torch libopenblas0-pthread" >&2
  exit 1
fi
mnist="${PLASTICORE_DATA:-$HOME/.cache/plasticore}/mnist"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -f "$mnist/$f" ]] || { echo "compare: $mnist/$f is missing; run scripts/setup.sh" >&2; exit 1; }
done
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "compare: REPEATS must be a positive integer, got '$repeats'" >&2; exit 1; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
exec /usr/bin/python3 bench/peers/compare.py --repeats "$repeats" "$@"
