#!/usr/bin/env bash
# Strong scaling over MPI ranks (docs/scaling.md): the same short run of ep_mnist (and with a global
# batch of 200), eqspike_mnist and eprop_evidence on 1 and 2 ranks of one thread each, repeats interleaved (1, 2, 1, 2, ...) so that a
# neighbour on the machine slows both alike. Per run: the training throughput of metrics.json (training
# time only) and the CPU seconds of all ranks (getrusage of mpirun's children: waiting in a collective
# that polls counts). Writes bench/results/scaling.json. Not part of the test suite: it measures time.
# Usage: bench/scaling.sh [REPEATS=3] [RANKS=2]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
ranks=${2:-2}
command -v mpirun >/dev/null || { echo "bench: mpirun not found (scripts/setup.sh installs openmpi-bin)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OMPI_MCA_rmaps_base_oversubscribe=1
out=bench/results
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# name|config and its budget (one epoch; enough batches that start-up is small next to training)
runs=("ep_mnist|configs/ep_mnist.toml --set data.train_limit=30000 --set data.test_limit=2000"
      "ep_mnist_batch200|configs/ep_mnist.toml --set data.train_limit=30000 --set data.test_limit=2000 --set train.batch_size=200"
      "eqspike_mnist|configs/eqspike_mnist.toml --set data.train_limit=10000 --set data.test_limit=2000"
      "eprop_evidence|configs/eprop_evidence.toml --set data.train_limit=128 --set data.test_limit=64")
for r in $(seq 1 "$repeats"); do
  for entry in "${runs[@]}"; do
    name=${entry%%|*}
    for np in 1 "$ranks"; do
      dir="$tmp/$name-np$np-r$r"
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %U %S" -o "$dir.time" mpirun -np "$np" build/bin/plasticore train ${entry#*|} \
        --set train.epochs=1 --threads 1 --out "$dir" >"$dir.log" 2>&1 \
        || { echo "bench: $name on $np rank(s) failed: $(tail -n 1 "$dir.log")" >&2; exit 1; }
      echo "  $name  $np rank(s)  repeat $r: $(cut -d' ' -f1 "$dir.time") s wall" >&2
    done
  done
done
names=(); for entry in "${runs[@]}"; do names+=("${entry%%|*}"); done
/usr/bin/python3 - "$tmp" "$out/scaling.json" "$repeats" "$ranks" "${names[@]}" <<'PY'
import datetime, json, os, platform, statistics, sys
tmp, dest, repeats, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = []
for name in sys.argv[5:]:
    per = {}
    for np in (1, ranks):
        sps, cpu, wall = [], [], []
        for r in range(1, repeats + 1):
            d = f"{tmp}/{name}-np{np}-r{r}"
            m = json.load(open(d + "/metrics.json"))
            e, u, s = map(float, open(d + ".time").read().split())
            sps.append(m["train_samples_per_second"]); cpu.append(u + s); wall.append(e)
            samples = m["train_samples"]
        per[np] = {"train_samples_per_second": sps, "cpu_seconds": cpu, "wall_seconds": wall}
    # what the model of scaling_model.py needs: the work per sample, by phase, and the sizes
    m1 = json.load(open(f"{tmp}/{name}-np1-r1/metrics.json"))
    ops = {phase: sum(v for k, v in counts.items() if k in ("dense_macs", "accumulator_updates", "synaptic_events"))
           for phase, counts in m1["op_counts"]["training"]["per_sample"].items()}
    shape = {k: m1.get(k) for k in ("algorithm", "rule", "network", "spike_coding", "steps", "adaptive")}
    one, many = per[1], per[ranks]
    # speed-up from the medians of the interleaved repeats
    speedup = statistics.median(many["train_samples_per_second"]) / statistics.median(one["train_samples_per_second"])
    cpu_ratio = statistics.median(many["cpu_seconds"]) / statistics.median(one["cpu_seconds"])
    rows.append({"config": name, "train_samples": samples, "ranks": ranks, "runs": per, "ops_per_sample": ops, **shape,
                 "speedup": round(speedup, 3), "efficiency": round(speedup / ranks, 3), "cpu_ratio": round(cpu_ratio, 3)})
result = {"benchmark": "strong_scaling", "repeats": repeats, "threads_per_rank": 1, "cpu": platform.processor() or platform.machine(),
          "cores": os.cpu_count(), "date": datetime.date.today().isoformat(), "configs": rows}
json.dump(result, open(dest + ".tmp", "w"), indent=2)
os.replace(dest + ".tmp", dest)
print(f"strong scaling 1 -> {ranks} ranks (1 thread each), median of {repeats} interleaved repeats:")
for r in rows:
    s1 = statistics.median(r["runs"][1]["train_samples_per_second"]); sn = statistics.median(r["runs"][ranks]["train_samples_per_second"])
    print(f"  {r['config']:<18} {s1:9.1f} -> {sn:9.1f} samples/s  speed-up {r['speedup']:.2f}  efficiency {100*r['efficiency']:.0f} %"
          f"  CPU time x{r['cpu_ratio']:.2f}")
print(f"written to {dest}")
PY
