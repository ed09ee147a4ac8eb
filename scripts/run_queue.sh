# The cached run queue of scripts/hardware_table.sh and scripts/eqspike_table.sh (sourced, not run):
#   queue_run CMD      queue a `plasticore train ... --out DIR` command unless DIR holds its metrics.json
#                      and a command.txt equal to CMD (a result of this very command: not run again)
#   run_queue          run the queue, JOBS (default 1) at a time, niced; a run that succeeds gets
#                      DIR/command.txt, and loses its log, its checkpoint (unless DIR is KEEP_CHECKPOINT)
#                      and its conductance files; a failed run prints its last line and fails the queue
#   queue_seeds DIR FIRST LAST VARIANT...
#                      queue `$bin train configs/eprop_sine.toml $(sets_of VARIANT) --seed S --threads 1 --out
#                      DIR/VARIANT_sS` for seeds FIRST..LAST (the pattern-generation studies; $bin and sets_of
#                      are the caller's)
# A run directory named in KEEP_CHECKPOINT is also run again when its checkpoint is missing.
queue_file=$(mktemp)
trap 'rm -f "$queue_file"' EXIT
queue_run() {
  local cmd=$1 out=${1##*--out }
  if [ -f "$out/metrics.json" ] && [ "$(cat "$out/command.txt" 2>/dev/null)" = "$cmd" ] &&
     { [ "$out" != "${KEEP_CHECKPOINT:-}" ] || [ -f "$out/checkpoint.bin" ]; }; then return 0; fi
  echo "$cmd" >>"$queue_file"
}
queue_seeds() {
  local dir=$1 first=$2 last=$3 v seed
  shift 3
  mkdir -p "$dir"
  for v in "$@"; do
    for seed in $(seq "$first" "$last"); do
      queue_run "$bin train configs/eprop_sine.toml $(sets_of "$v") --seed $seed --threads 1 --out $dir/${v}_s$seed"
    done
  done
}
run_one() {
  local cmd=$1 out=${1##*--out }
  rm -rf "$out"
  echo "$cmd" >&2
  if ! nice -n 10 $cmd >/dev/null 2>"$out.log"; then echo "FAILED: $cmd: $(tail -n 1 "$out.log")" >&2; return 1; fi
  echo "$cmd" >"$out/command.txt"
  rm -f "$out.log" "$out"/conductances_*.npy
  [ "$out" = "${KEEP_CHECKPOINT:-}" ] || rm -f "$out/checkpoint.bin"
}
run_queue() {
  echo "$(wc -l <"$queue_file") runs to do" >&2
  export -f run_one
  export KEEP_CHECKPOINT
  xargs -d '\n' -P "${JOBS:-1}" -I{} bash -c 'run_one "$@"' _ {} <"$queue_file"
}
