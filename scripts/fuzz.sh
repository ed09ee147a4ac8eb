#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer, -O1)
# in build-fuzz/ and runs each for FUZZ_SECONDS (default 60) on a working copy of its seed corpus
# (build-fuzz/corpus/<parser>: new inputs never land in git). Findings go to build-fuzz/findings/<parser>/
# and fail the run. FUZZ_TARGETS="idx config" picks targets; FUZZ_JOBS runs that many in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"idx config run_record cost_table metrics_json nmnist heidelberg nir"}
jobs=${FUZZ_JOBS:-1}
build=build-fuzz
bash scripts/setup.sh --no-data --fuzz
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
if [ ! -f $build/CMakeCache.txt ]; then
  CC=clang CXX=clang++ cmake -S . -B $build -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_FLAGS_FUZZ="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DPLASTICORE_FUZZ=ON -DPLASTICORE_TESTS=OFF \
    -DPLASTICORE_BENCH=OFF -DPLASTICORE_PYTHON=OFF -DPLASTICORE_MPI=OFF >/dev/null
fi
cmake --build $build -j"$(nproc)" --target $(for t in $targets; do printf 'fuzz_%s ' "$t"; done)
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 OMP_NUM_THREADS=1
status=0
run() {
  local t=$1
  mkdir -p $build/corpus/$t $build/findings/$t
  cp -n fuzz/corpus/$t/* $build/corpus/$t/ 2>/dev/null || true
  # -rss_limit_mb: an input that makes us allocate more is a finding (no multi-gigabyte allocation).
  $build/bin/fuzz_$t $build/corpus/$t -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix=$build/findings/$t/ -print_final_stats=1 >$build/fuzz_$t.log 2>&1
  local rc=$?
  local runs; runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' $build/fuzz_$t.log | grep -oE '[0-9]+$' || echo "?")
  echo "fuzz_$t: ${seconds} s, $runs inputs, exit $rc$( [ $rc -ne 0 ] && echo " (finding: see $build/fuzz_$t.log)")"
  return $rc
}
pids=()
for t in $targets; do
  run "$t" & pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
