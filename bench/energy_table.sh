#!/usr/bin/env bash
# Counts the operations of every config in the README results table (and the hardware-like
# eqspike_chip_mnist) with a short run each, and prints docs/energy.md's tables:
#   1. joules per sample on every technology of configs/energy, per counted operation (plasticore energy),
#      and the ratios to the GPU pricing the same computation densely;
#   2. what the nudging scheme and the rule need on a chip (state words, the sign of beta, time steps);
#   3. both ways, EqSpike on the chip vs rate EP on the GPU (plasticore energy CHIP_RUN --gpu-run GPU_RUN):
#      per operation and as power x time, at batch 1 and at a large batch;
#   4. the sensitivity table: what each side must cost for 10^3 (inference) and 10^2 (training).
# Operations per sample hardly depend on how long a run trains (checked in docs/energy.md), so short runs
# suffice; FULL=1 also trains ep_mnist and eqspike_mnist for their full 30 epochs (seed 1 of the README's table,
# about 1 and 5 minutes on one thread) and adds them to tables 3 and 4.
# Usage (from the project root, after make build): [FULL=1] bash bench/energy_table.sh [OUT_DIR]
#   OUT_DIR defaults to docs/results/energy; each run's metrics.json, config.toml and energy.json are kept there.
set -eu
BIN=build/bin/plasticore
OUT=${1:-docs/results/energy}
mkdir -p "$OUT"
MNIST=(--set data.train_limit=2000 --set data.test_limit=1000 --set train.epochs=1)
declare -A ARGS=(
  [eqspike_mnist]="${MNIST[*]}" [eqspike_mnist_fine]="${MNIST[*]}" [eqspike_eop_mnist]="${MNIST[*]}"
  [eqspike_chip_mnist]="${MNIST[*]}"
  [ep_mnist]="${MNIST[*]}" [eqspike_mnist_wide]="${MNIST[*]}" [ep_mnist_wide]="${MNIST[*]}"
  [eprop_sine]="--set train.epochs=3" [bptt_sine]="--set train.epochs=3"
  [eprop_evidence]="--set train.epochs=1" [bptt_evidence]="--set train.epochs=1"
  [eprop_mnist]="${MNIST[*]}" [bptt_mnist]="${MNIST[*]}"
  [ep_mnist_full]="" [eqspike_mnist_full]=""
)
CONFIGS=(eqspike_mnist eqspike_mnist_fine eqspike_eop_mnist eqspike_chip_mnist ep_mnist eqspike_mnist_wide ep_mnist_wide
         eprop_sine bptt_sine eprop_evidence bptt_evidence eprop_mnist bptt_mnist)
FULL_RUNS=()
if [ "${FULL:-0}" = 1 ] || [ -f "$OUT/eqspike_mnist_full/metrics.json" ]; then FULL_RUNS=(ep_mnist_full eqspike_mnist_full); fi
for c in "${CONFIGS[@]}" "${FULL_RUNS[@]}"; do
  # A run counted before the time steps and state words were (issue 14) is counted again.
  if [ ! -f "$OUT/$c/metrics.json" ] || ! grep -q '"time_steps"' "$OUT/$c/metrics.json"; then
    rm -rf "$OUT/$c.tmp"
    # shellcheck disable=SC2086
    nice -n 10 "$BIN" train "configs/${c%_full}.toml" ${ARGS[$c]} --threads 1 --out "$OUT/$c.tmp" >/dev/null 2>"$OUT/$c.log"
    rm -f "$OUT/$c.tmp/checkpoint.bin" "$OUT/$c.tmp/.lock" "$OUT/$c.log"
    rm -rf "${OUT:?}/$c"
    mv "$OUT/$c.tmp" "$OUT/$c"
  fi
  "$BIN" energy "$OUT/$c" --json >"$OUT/$c/energy.json"
done
# Both ways: EqSpike on the chip, rate EP (the GPU's best algorithm for the task) on the GPU.
PAIRS=(eqspike_mnist:ep_mnist eqspike_chip_mnist:ep_mnist eqspike_mnist:eqspike_mnist)
[ ${#FULL_RUNS[@]} -gt 0 ] && PAIRS+=(eqspike_mnist_full:ep_mnist_full)
for p in "${PAIRS[@]}"; do
  "$BIN" energy "$OUT/${p%%:*}" --gpu-run "$OUT/${p##*:}" --json >"$OUT/${p%%:*}/both_ways_vs_${p##*:}.json"
done
/usr/bin/python3 - "$OUT" "${#CONFIGS[@]}" "${CONFIGS[@]}" "${PAIRS[@]}" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
configs, pairs = sys.argv[3:3 + n], [p.split(":") for p in sys.argv[3 + n:]]
techs = ["gpu", "loihi", "pcm_crossbar"]
g = lambda x: "-" if x is None else f"{x:.3g}"
print("Table 1. Joules per sample, per counted operation (the GPU priced on the same computation done densely)\n")
print("| config | samples counted (train / test) | inference J: " + " / ".join(techs) + " | training J: " + " / ".join(techs) +
      " | GPU / Loihi inference, training | GPU / PCM inference, training |")
print("|---|---|---|---|---|---|")
for c in configs:
    e = json.load(open(f"{out}/{c}/energy.json"))
    m = json.load(open(f"{out}/{c}/metrics.json"))
    t, r = e["technologies"], e["ratios"]
    fmt = lambda kind: " / ".join(f"{t[n][kind + '_joules']:.3g}" for n in techs)
    rat = lambda n: f"{g(r['inference_gpu_over_' + n])}, {g(r['training_gpu_over_' + n])}"
    samples = f"{m['op_counts']['training']['samples']} / {m['op_counts']['inference']['samples']}"
    print(f"| `{c}` | {samples} | {fmt('inference')} | {fmt('training')} | {rat('loihi')} | {rat('pcm_crossbar')} |")

print("\nTable 2. What the scheme and the rule need on a chip, per training sample (Loihi costs)\n")
print("| config | nudging, batch, rule | state words stored / loaded | sign deliveries | accumulator updates | time steps (train / test) | state + sign on Loihi (J) | share of Loihi training J |")
print("|---|---|---|---|---|---|---|---|")
import tomllib
with open("configs/energy/loihi.toml", "rb") as f:
    pj = tomllib.load(f)["picojoules_per_op"]
loihi = {op: pj[op] * 1e-12 for op in ("state_stores", "state_loads", "sign_broadcasts")}
for c in configs:
    m = json.load(open(f"{out}/{c}/metrics.json"))
    if m.get("algorithm") not in ("ep", "eqspike"): continue
    cfg = open(f"{out}/{c}/config.toml").read()
    val = lambda key, default: next((l.split("=")[1].strip().strip("'\"") for l in cfg.splitlines() if l.startswith(key + " ")), default)
    tr, te = m["op_counts"]["training"]["per_sample"], m["op_counts"]["inference"]["per_sample"]
    tot = lambda ph, op: sum(p.get(op, 0) for p in ph.values())
    joules = sum(tot(tr, op) * cost for op, cost in loihi.items())
    e = json.load(open(f"{out}/{c}/energy.json"))["technologies"]["loihi"]["training_joules"]
    scheme = f"{val('beta_sign', '?')}" + (f" ({val('nudged_start', 'saved_free_state')})" if val('beta_sign', '') == "symmetric" else "")
    print(f"| `{c}` | {scheme}, {val('batch_size', '?')}, {val('rule', '?')} | {tot(tr, 'state_stores'):.0f} / {tot(tr, 'state_loads'):.0f} | "
          f"{tot(tr, 'sign_broadcasts'):.0f} | {tot(tr, 'accumulator_updates'):,.0f} | {tot(tr, 'time_steps'):.0f} / {tot(te, 'time_steps'):.0f} | "
          f"{joules:.3g} | {100 * joules / e:.3f} % |")

for kind in ("inference", "training"):
    print(f"\nTable 3{'a' if kind == 'inference' else 'b'}. Both ways, {kind}: joules per sample and GPU J / Loihi J\n")
    print("| chip run (Loihi) | GPU run | GPU J: per op / batch 1 / large batch | Loihi J: dynamic + static = total | ratio per op | ratio batch 1 | ratio large batch |")
    print("|---|---|---|---|---|---|---|")
    for chip, gpu in pairs:
        b = json.load(open(f"{out}/{chip}/both_ways_vs_{gpu}.json"))["both_ways"]
        acc = lambda about: f" ({100 * about['test_accuracy']:.2f} %)" if about.get("test_accuracy") is not None else ""
        gp, gt = b["gpu"]["per_operation"][kind + "_joules"], b["gpu"]["power_time"][kind]
        c = b["chips"]["loihi"]
        pt, r = c["power_time"][kind], c["ratios"]
        print(f"| `{chip}`{acc(b['chip_run'])} | `{gpu}`{acc(b['gpu_run'])} | {g(gp)} / {g(gt['batch_1']['joules'])} / {g(gt['large_batch']['joules'])} | "
              f"{g(pt['dynamic_joules'])} + {g(pt['static_joules'])} = {g(pt['joules'])} | {g(r[kind + '_per_operation'])} | "
              f"{g(r[kind + '_batch_1'])} | {g(r[kind + '_large_batch'])} |")

chip, gpu = pairs[-1] if pairs[-1][0].endswith("_full") else pairs[0]
b = json.load(open(f"{out}/{chip}/both_ways_vs_{gpu}.json"))["both_ways"]
print(f"\nTable 4. Sensitivity, `{chip}` on the chip vs `{gpu}` on the GPU: what it takes for GPU J / chip J to reach 10^3 (inference), 10^2 (training)\n")
print("| chip | sample | GPU basis | ratio now | GPU J needed | GPU W needed (at its time) | all chip costs / | chip per-op costs / (static as is) | chip static W (per-op as is) |")
print("|---|---|---|---|---|---|---|---|---|")
for x in b["sensitivity"]:
    print(f"| {x['technology']} | {x['kind']} (10^{3 if x['kind'] == 'inference' else 2}) | {x['basis'].replace('_', ' ')} | {g(x['ratio'])} | "
          f"{g(x['gpu_joules_needed'])} | {g(x['gpu_watts_needed'])} | {g(x['chip_costs_divide_by'])} | "
          f"{'impossible' if x['chip_dynamic_divide_by'] is None else g(x['chip_dynamic_divide_by'])} | "
          f"{'-' if x['basis'] == 'per_operation' else ('impossible' if x['chip_static_watts_needed'] is None else g(x['chip_static_watts_needed']))} |")
PY
