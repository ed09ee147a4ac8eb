#!/usr/bin/python3
"""Where data-parallel training stops scaling across nodes (docs/scaling.md).

Per global batch, the time on p ranks is modelled as
    T(p) = T1 * ((1 - f) / p + f)  +  C * alpha * ceil(log2 p)  +  (p - 1) / p * V / bandwidth
  T1  the measured time of one batch on one rank (bench/results/scaling.json, from bench/scaling.sh),
  f   the share of the work that every rank repeats, from the run's op counts (one op per multiply-
      accumulate, accumulator update or synaptic event): the optimizer step (4 ops per parameter per
      batch), a rule's products where they are not split (rate EP below 64 samples, spiking end-of-phase),
      e-prop's sum of the per-sequence gradients (one op per parameter and sequence),
  C   collectives per batch (each a log2 p tree or ring of messages of latency alpha),
  V   bytes every rank receives per batch (the whole-batch states, steps and sums it gathers).
Ranks beyond the batch size have no samples: T(p > B) = T(B). Not in the model: the memory system
two ranks share on one machine, and the copies into and out of the messages (on this machine they are
why the measured 1 -> 2 speed-up falls short of the model's, docs/scaling.md).
Writes bench/results/scaling_model.json and prints the table of docs/scaling.md.
Usage: /usr/bin/python3 bench/scaling_model.py
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FLOAT = 4  # bytes

# What each config exchanges per batch (src/learn/ep_learner.cpp, recurrent_learner.cpp): sizes of the configs.
def ep_volume(layers, batch, nudged_steps, phases, per_step, spike_rate, split_rule):
    neurons = sum(layers[1:])  # states of every non-input layer
    params = sum(a * b for a, b in zip(layers[:-1], layers[1:]))
    states = (1 + phases) * neurons * batch * FLOAT  # the free state and each nudged phase's end state
    steps = 0
    collectives = 2 * (1 + phases) + 1  # size + data exchange per state gather, the counts' allreduce
    if per_step:  # EqSpike's two-factor rule: every nudged step's changes, previous states and spikes
        events = spike_rate * sum(layers) * batch * 4 + 8 * len(layers) * batch
        steps = phases * nudged_steps * (2 * neurons * batch * FLOAT + events)
        collectives += 2 * phases
    sums = params * FLOAT if split_rule else 0
    collectives += 2 if split_rule else 0
    return states + steps + sums, collectives

def eprop_volume(n_in, n_rec, n_out, batch):
    params = n_rec * n_in + n_rec * n_rec + n_out * n_rec
    return batch * (params * FLOAT + 9 * 8), 2  # every sequence's gradients and score, one exchange

MODELS = {
    "ep_mnist": dict(batch=20, volume=ep_volume([784, 500, 10], 20, 4, 1, False, 0, False)),
    "ep_mnist_batch200": dict(batch=200, volume=ep_volume([784, 500, 10], 200, 4, 1, False, 0, True)),
    # sigma-delta spikes: 0.13 per neuron and step (metrics.json: 3451 spikes per sample, 20 steps, 1294 neurons)
    "eqspike_mnist": dict(batch=20, volume=ep_volume([784, 500, 10], 20, 10, 2, True, 0.13, True)),
    "eprop_evidence": dict(batch=32, volume=eprop_volume(40, 100, 2, 32)),
}
def repeated_share(entry, batch):
    """f: the ops per sample that every rank repeats over all ops per sample (see the module's doc)."""
    ops = entry["ops_per_sample"]
    total = sum(ops.values())
    layers = entry["network"]
    if entry["algorithm"] in ("eprop", "bptt"):
        n_in, n_rec, n_out = layers
        params = n_rec * n_in + n_rec * n_rec + n_out * n_rec
        repeated = params + 4 * params / batch  # the per-sequence sum, the optimizer
    else:
        params = sum(a * b for a, b in zip(layers[:-1], layers[1:]))
        split = entry["rule"] == "two_factor" and entry["spike_coding"] != "rate" or \
            entry["rule"] == "end_of_phase" and entry["spike_coding"] == "rate" and batch >= 64
        repeated = (0 if split else ops.get("update", 0)) + 4 * params / batch
    return min(1.0, repeated / (total + 4 * params / batch))

NETWORKS = {"10 Gb/s Ethernet": (10e9 / 8, 20e-6), "100 Gb/s InfiniBand": (100e9 / 8, 2e-6)}
NODES = (2, 8, 64)


def main():
    measured = json.load(open(os.path.join(HERE, "results", "scaling.json")))
    rows = []
    for entry in measured["configs"]:
        name = entry["config"]
        if name not in MODELS:
            continue
        model = MODELS[name]
        B = model["batch"]
        volume, collectives = model["volume"]
        sps1 = sorted(entry["runs"]["1"]["train_samples_per_second"])[len(entry["runs"]["1"]["train_samples_per_second"]) // 2]
        t1 = B / sps1
        f = repeated_share(entry, B)
        row = {"config": name, "batch": B, "t1_ms": 1e3 * t1, "repeated_share": f, "bytes_per_batch": volume,
               "collectives_per_batch": collectives, "measured_speedup_2_ranks_here": entry["speedup"], "predicted": {}}
        for net, (bandwidth, alpha) in NETWORKS.items():
            for p in NODES:
                q = min(p, B)
                t = t1 * ((1 - f) / q + f) + collectives * alpha * math.ceil(math.log2(q)) + (q - 1) / q * volume / bandwidth
                row["predicted"][f"{net}, {p} nodes"] = {"speedup": t1 / t, "efficiency": t1 / t / p,
                                                         "communication_share": 1 - t1 * ((1 - f) / q + f) / t}
        rows.append(row)
    dest = os.path.join(HERE, "results", "scaling_model.json")
    json.dump({"model": __doc__.strip().splitlines()[0], "networks": NETWORKS, "configs": rows}, open(dest + ".tmp", "w"), indent=2)
    os.replace(dest + ".tmp", dest)
    print("| config | batch | T1 per batch | repeated share f | MB per batch | measured here, 2 ranks | " +
          " | ".join(f"{net.split()[0]} Gb/s, {p} nodes" for net in NETWORKS for p in NODES) + " |")
    print("|---" * (6 + len(NETWORKS) * len(NODES)) + "|")
    for r in rows:
        cells = [f"{v['speedup']:.1f}x ({100 * v['communication_share']:.0f} % comm)" for v in r["predicted"].values()]
        print(f"| {r['config']} | {r['batch']} | {r['t1_ms']:.2f} ms | {r['repeated_share']:.3f} | {r['bytes_per_batch'] / 1e6:.2f} | "
              f"{r['measured_speedup_2_ranks_here']:.2f}x | " +
              " | ".join(cells) + " |")
    print(f"written to {dest}")


if __name__ == "__main__":
    main()
