#!/usr/bin/env bash
# How close rate EP and EqSpike run to their one-core limits (docs/performance.md, issue 11): in each of
# ROUNDS rounds, the kernels (build/bin/kernels_bench, one thread, CPU time) and then one short training run
# of each config (one thread, the training loop's train_samples_per_cpu_second), so that every fraction
# divides a training rate by kernel rates measured minutes apart on the same (shared) machine.
# The limit of a sample is the time of the work the algorithm must do at the kernels' rates. Every kernel reads
# the input as training does (since 2026-12-07: MNIST images; their inked pixels crowd into the middle, so a
# batch's samples and a sample's steps reuse columns of W1, which the benchmarks on random pixels did not;
# training ran EqSpike's input sums above that limit's rate). They need MNIST in the data cache.
#   rate EP (ep_mnist, 784-500-10, T1 + T2 = 24 steps, batch 20): W1 x from the image's non-zero pixels,
#     149.9 x 500 MAC (the training set's mean; BM_NonzeroForwardMnist), 24 x (W2 h + W2^T o) = 240,000 MAC and
#     dW2 20,000 MAC (BM_RateSmallProducts), the update's outer product from the same pixels, 149.9 x 500 MAC
#     (BM_NonzeroOuterUpdateMnist), and until 2026-12-08 one pass over W1 per batch, 12 B x 392,000 / 20
#     (BM_WeightPass; since then plain SGD writes W1 as the outer product forms it, whose reads and writes of the
#     touched columns the outer product's rate includes: the fraction with that pass is printed beside); the first
#     layer's two kernels on 16 batches of images in turn (/16, since 2026-12-08), as training meets new images every
#     batch; the fraction against them on one batch again and again (/1, the limit's before) is printed beside;
#   EqSpike (eqspike_mnist with the input summed as spikes, ep.input_events = "spikes"): the run's counted
#     synaptic events (BM_EventForwardPhase/48: MNIST images' spikes, sample after sample, each phase's steps summed
#     at once in 48-row tiles, as training sums them since 2026-12-07 09:10; 1.3-1.4x BM_EventForwardSteps, the
#     step-by-step sums the limit divided by from 06:20 to 09:10, which run 1.1-1.3x BM_EventForwardBatch; the hidden
#     layer's few events, summed step by step, are counted at that rate too) less the half of the nudged phases' events that
#     the -beta phase replays (learn/relaxation.hpp, InputDrive: its input drive is the +beta phase's; the few
#     hidden-layer events it does sum are left out too, so the limit is a little high), half the counted
#     accumulator updates (BM_TwoFactorAccumulateSteps, the rule's sorted accumulation of a phase of MNIST's
#     spikes: the two nudged phases replay one input, so the first layer's sum is added once for both, with
#     ds+ - ds-; learn/two_factor_rule.hpp; the few upper-layer updates that are not paired are left out as
#     well), plus the same weight pass.
# Prints each round and the medians; writes bench/results/limits.json. Not part of the test suite: it
# measures time. Usage: bash bench/limits.sh [ROUNDS=5]; with LIMITS_RANDOM_INPUT=1 each round also measures the
# limits' kernels on random pixels (BM_NonzeroForwardBatch, BM_NonzeroOuterUpdate, BM_EventForwardBatch,
# BM_TwoFactorAccumulateSorted: the limits before 2026-12-07) and prints the fractions of both on the same runs.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
for bin in build/bin/plasticore build/bin/kernels_bench; do
  [[ -x $bin ]] || { echo "limits: $bin is missing (make bench)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1
kernels=(BM_NonzeroForwardMnist/16 BM_NonzeroOuterUpdateMnist/16 BM_NonzeroForwardMnist/1 BM_NonzeroOuterUpdateMnist/1
         BM_RateSmallProducts BM_WeightPass BM_EventForwardPhase/48
         BM_EventForwardSteps BM_TwoFactorAccumulateSteps)
[[ ${LIMITS_RANDOM_INPUT:-0} == 1 ]] &&
  kernels+=(BM_NonzeroForwardBatch BM_NonzeroOuterUpdate BM_EventForwardBatch BM_TwoFactorAccumulateSorted)
filter="^($(IFS='|'; echo "${kernels[*]}"))\$"  # these names exactly
for r in $(seq "$rounds"); do
  build/bin/kernels_bench --benchmark_filter="$filter" \
    --benchmark_format=json --benchmark_out="$tmp/kernels.$r.json" >/dev/null 2>"$tmp/kernels.$r.err" ||
    { echo "limits: kernels_bench failed: $(tail -n 1 "$tmp/kernels.$r.err")" >&2; exit 1; }
  # Every kernel ran (the MNIST ones skip without MNIST in the data cache).
  /usr/bin/python3 - "$tmp/kernels.$r.json" "${kernels[@]}" <<'PY'
import json, sys
ran = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
bad = [n for n in sys.argv[2:] if n not in ran or ran[n].get("error_occurred") or ran[n].get("skipped")]
if bad:
    sys.exit(f"limits: kernels_bench did not measure {', '.join(bad)} (no MNIST in the data cache? scripts/setup.sh fetches it)")
PY
  for c in ep_mnist eqspike_mnist; do
    limit=10000 mode=()
    # EqSpike's limit is the input-as-spikes work (the op counts count the events the changes stand for).
    [[ $c == eqspike_mnist ]] && limit=3000 mode=(--set ep.input_events=spikes)
    build/bin/plasticore train "configs/$c.toml" "${mode[@]}" --set train.epochs=1 --set data.train_limit=$limit \
      --set data.test_limit=200 --threads 1 --out "$tmp/$c.$r" >/dev/null 2>"$tmp/$c.$r.err" ||
      { echo "limits: $c failed: $(tail -n 1 "$tmp/$c.$r.err")" >&2; exit 1; }
  done
done
/usr/bin/python3 - "$tmp" "$rounds" bench/results/limits.json <<'PY'
import datetime, json, os, statistics, sys
tmp, rounds, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for r in range(1, rounds + 1):
    k = {b["name"]: b for b in json.load(open(f"{tmp}/kernels.{r}.json"))["benchmarks"]}
    items = lambda name: k[name]["items_per_second"]  # noqa: E731  (per CPU second)
    weight_pass_bytes = 12 * 392_000 / 20
    update_s = weight_pass_bytes / k["BM_WeightPass"]["bytes_per_second"]
    nonzero_macs = 149.9 * 500  # the MNIST training images' mean number of non-zero pixels x 500 neurons
    ep_limit = lambda drive, outer, weight_pass=False: (nonzero_macs / items(drive) + 260_000 / items("BM_RateSmallProducts")  # noqa: E731
                                     + nonzero_macs / items(outer) + (update_s if weight_pass else 0))
    # Since 2026-12-08 plain SGD writes the first layer's step into W1 as the outer product forms it (no gradient
    # matrix): the outer product's own reads and writes of the touched columns are the update's, so the limit has no
    # separate weight pass; the fraction against the limit with it (before) is printed beside.
    ep_limit_s = ep_limit("BM_NonzeroForwardMnist/16", "BM_NonzeroOuterUpdateMnist/16")
    eq = json.load(open(f"{tmp}/eqspike_mnist.{r}/metrics.json"))
    per = eq["op_counts"]["training"]["per_sample"]
    events = per["free"]["synaptic_events"] + per["nudged"]["synaptic_events"] / 2  # summed; the rest replayed
    updates = sum(p["accumulator_updates"] for p in per.values()) / 2  # counted per phase; the phases are paired
    eq_limit = lambda sums, accumulate: events / items(sums) + updates / items(accumulate) + update_s  # noqa: E731
    eq_limit_s = eq_limit("BM_EventForwardPhase/48", "BM_TwoFactorAccumulateSteps")
    ep = json.load(open(f"{tmp}/ep_mnist.{r}/metrics.json"))
    row = {"round": r, "ep_limit_samples_per_s": 1 / ep_limit_s, "ep_samples_per_cpu_s": ep["train_samples_per_cpu_second"],
           "eqspike_limit_samples_per_s": 1 / eq_limit_s, "eqspike_samples_per_cpu_s": eq["train_samples_per_cpu_second"],
           "eqspike_events_per_sample": events, "eqspike_accumulator_updates_per_sample_paired": updates,
           "kernels": {n: b.get("items_per_second", b.get("bytes_per_second")) for n, b in k.items()}}
    row["ep_fraction"] = row["ep_samples_per_cpu_s"] * ep_limit_s
    row["eqspike_fraction"] = row["eqspike_samples_per_cpu_s"] * eq_limit_s
    # Against the first layer's kernels on one batch of images again and again (the limit's until 2026-12-08).
    row["ep_fraction_one_batch"] = row["ep_samples_per_cpu_s"] * ep_limit("BM_NonzeroForwardMnist/1", "BM_NonzeroOuterUpdateMnist/1")
    row["ep_fraction_weight_pass"] = row["ep_samples_per_cpu_s"] * ep_limit("BM_NonzeroForwardMnist/16", "BM_NonzeroOuterUpdateMnist/16", True)
    # Against the limit with the sums step by step (before 2026-12-07 09:10), on the same runs.
    row["eqspike_fraction_step_sums"] = row["eqspike_samples_per_cpu_s"] * eq_limit("BM_EventForwardSteps",
                                                                                    "BM_TwoFactorAccumulateSteps")
    random_input = "BM_EventForwardBatch" in k
    if random_input:
        row["ep_fraction_random_input"] = row["ep_samples_per_cpu_s"] * ep_limit("BM_NonzeroForwardBatch", "BM_NonzeroOuterUpdate")
        row["eqspike_fraction_random_input"] = row["eqspike_samples_per_cpu_s"] * eq_limit("BM_EventForwardBatch",
                                                                                           "BM_TwoFactorAccumulateSorted")
    rows.append(row)
    print(f"round {r}: rate EP {row['ep_samples_per_cpu_s']:8.0f} of {row['ep_limit_samples_per_s']:8.0f} samples/s "
          f"({100 * row['ep_fraction']:.0f} %; {100 * row['ep_fraction_one_batch']:.0f} % on one batch, "
          f"{100 * row['ep_fraction_weight_pass']:.0f} % with a weight pass)   EqSpike {row['eqspike_samples_per_cpu_s']:6.0f} of "
          f"{row['eqspike_limit_samples_per_s']:6.0f} ({100 * row['eqspike_fraction']:.0f} %; "
          f"{100 * row['eqspike_fraction_step_sums']:.0f} % of the step-by-step sums' limit)"
          + (f"   random input's kernels: {100 * row['ep_fraction_random_input']:.0f} % and "
             f"{100 * row['eqspike_fraction_random_input']:.0f} %" if random_input else ""))
med = lambda key: statistics.median(row[key] for row in rows)  # noqa: E731
print(f"median over {rounds} rounds: rate EP {100 * med('ep_fraction'):.0f} % of its one-core limit "
      f"(range {100 * min(r['ep_fraction'] for r in rows):.0f}-{100 * max(r['ep_fraction'] for r in rows):.0f}; "
      f"{100 * med('ep_fraction_one_batch'):.0f} % of the one-batch kernels' limit, "
      f"{100 * med('ep_fraction_weight_pass'):.0f} % of the limit with a separate weight pass), "
      f"EqSpike {100 * med('eqspike_fraction'):.0f} % "
      f"(range {100 * min(r['eqspike_fraction'] for r in rows):.0f}-{100 * max(r['eqspike_fraction'] for r in rows):.0f}; "
      f"{100 * med('eqspike_fraction_step_sums'):.0f} % of the step-by-step sums' limit)")
if "ep_fraction_random_input" in rows[0]:
    print(f"the same runs against the limits of the kernels on random pixels: rate EP "
          f"{100 * med('ep_fraction_random_input'):.0f} %, EqSpike {100 * med('eqspike_fraction_random_input'):.0f} %")
os.makedirs(os.path.dirname(dest), exist_ok=True)
with open(dest + ".tmp", "w") as f:
    json.dump({"benchmark": "limits", "date": datetime.date.today().isoformat(), "rounds": rows,
               "ep_fraction_median": med("ep_fraction"), "eqspike_fraction_median": med("eqspike_fraction")}, f, indent=2)
os.replace(dest + ".tmp", dest)
print(f"written to {dest}")
PY
