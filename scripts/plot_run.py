#!/usr/bin/python3
"""Figures of a plasticore run (docs/plots.md), drawn with matplotlib under Debian's /usr/bin/python3.

  plot_run.py RUN_DIR --out DIR [--activity FILE]   every figure the run directory has data for
  plot_run.py --stdp DIR                            DIR/stdp.png from DIR/stdp.csv and DIR/stdp_protocol.csv

`plasticore plot` and `plasticore stdp` call it; FILE is the sample_activity.json that `plasticore plot`
records from the run's checkpoint. Each PNG is written to a temporary file and renamed (no half-written
figure); the paths written are printed, one per line. Bad input: one line on stderr naming the file,
exit status 1.
"""
import argparse
import csv
import glob
import json
import os
import sys
import tomllib

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter  # noqa: E402


class PlotError(Exception):
    """Bad or missing input, reported as one line."""


# ---------------------------------------------------------------------------------------------- input

def read_csv(path, required):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise PlotError(f"{path}: {e.strerror}")
    if not rows:
        return {k: np.array([]) for k in required}
    missing = [k for k in required if k not in rows[0]]
    if missing:
        raise PlotError(f"{path}: lacks the column(s) {', '.join(missing)}")
    columns = {}
    for key in rows[0]:
        try:
            columns[key] = np.array([float(r[key]) for r in rows])
        except (TypeError, ValueError):
            raise PlotError(f"{path}: column {key} has a value that is not a number")
    return columns


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise PlotError(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise PlotError(f"{path}: not valid JSON ({e.msg}, line {e.lineno})")


def run_description(run_dir):
    """One line saying what the run is, from metrics.json (finished runs) or config.toml."""
    info = {}
    if os.path.exists(os.path.join(run_dir, "metrics.json")):
        info = read_json(os.path.join(run_dir, "metrics.json"))
    elif os.path.exists(os.path.join(run_dir, "config.toml")):
        with open(os.path.join(run_dir, "config.toml"), "rb") as f:
            cfg = tomllib.load(f)
        info = {"name": cfg.get("name"), "algorithm": cfg.get("algorithm"),
                "dataset": cfg.get("task", {}).get("name") or cfg.get("data", {}).get("dataset"),
                "rule": cfg.get("ep", {}).get("rule"), "substrate": cfg.get("substrate", {}).get("kind")}
    name = info.get("name") or os.path.basename(os.path.normpath(run_dir))
    rule = info.get("rule")
    how = info.get("algorithm", "?") + (f", rule {rule}" if rule and rule != info.get("algorithm") else "")
    return f"{name}: {how} on {info.get('dataset', '?')}, {info.get('substrate', 'ideal')} substrate"


def save(fig, path):
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    print(path)


# ---------------------------------------------------------------------------------- training curves

def final_accuracy(m):
    return f"accuracy (final test {100 * m['test_accuracy'][-1]:.2f} %, best {100 * m['test_accuracy'].max():.2f} %)"


# ---------------------------------------------------------------------------------------------- axes

def readable_log_axis(axis):
    """Labels at 1, 2, 5 x 10^k as plain numbers and none on the minor ticks: a log axis spanning less than
    a decade otherwise labels every minor tick in scientific notation, and the labels overlap."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def epoch_axis(ax, epoch):
    """Integer epochs; a single epoch centred with one tick (not 0.945 ... 1.050)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(epoch) == 1:
        ax.set_xlim(epoch[0] - 1, epoch[0] + 1)
        ax.set_xticks([epoch[0]])


def flat_series_axis(ax, values):
    """A series that never changes (a constant learning-rate factor) on a y-range from 0, not +-5 %."""
    v = np.asarray(values, dtype=float)
    if len(v) and np.all(v == v[0]) and v[0] > 0 and ax.get_yscale() == "linear":
        ax.set_ylim(0, 1.2 * v[0])


def plot_training_curves(run_dir, out, title):
    path = os.path.join(run_dir, "metrics.csv")
    m = read_csv(path, ["epoch"])
    if len(m["epoch"]) == 0:
        raise PlotError(f"{path}: no epoch finished yet")
    if "train_loss" in m:
        need = ["test_loss", "mean_rate_hz"] + (["test_nmse"] if "test_nmse" in m else ["train_accuracy", "test_accuracy"])
    else:
        need = ["train_accuracy", "test_accuracy", "lr_scale"]
    missing = [k for k in need if k not in m]
    if missing:
        raise PlotError(f"{path}: lacks the column(s) {', '.join(missing)}")
    epoch = m["epoch"]
    style = dict(marker="o", markersize=3)
    if "train_loss" in m:  # a sequence run (e-prop / BPTT)
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        axes[0].plot(epoch, m["train_loss"], label="training", **style)
        axes[0].plot(epoch, m["test_loss"], label="test", **style)
        axes[0].set(yscale="log", ylabel="loss per scored step", title="loss")
        if "test_nmse" in m:
            axes[1].plot(epoch, m["test_nmse"], color="C1", label="test", **style)
            axes[1].set(yscale="log", ylabel="NMSE = MSE / Var(target)",
                        title=f"normalised mean squared error (final {m['test_nmse'][-1]:.4g})")
        else:
            axes[1].plot(epoch, 100 * m["train_accuracy"], label="training", **style)
            axes[1].plot(epoch, 100 * m["test_accuracy"], label="test", **style)
            axes[1].set(ylabel="accuracy (%)", title=final_accuracy(m))
        axes[2].plot(epoch, m["mean_rate_hz"], color="C2", label="test sequences", **style)
        axes[2].set(ylabel="firing rate (Hz)", title="mean firing rate of the recurrent neurons")
    else:  # a classification run (EP / EqSpike)
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        axes[0].plot(epoch, 100 * m["train_accuracy"], label="training", **style)
        axes[0].plot(epoch, 100 * m["test_accuracy"], label="test", **style)
        axes[0].set(ylabel="accuracy (%)", title=final_accuracy(m))
        axes[1].plot(epoch, 100 * (1 - m["train_accuracy"]), label="training", **style)
        axes[1].plot(epoch, 100 * (1 - m["test_accuracy"]), label="test", **style)
        axes[1].set(yscale="log", ylabel="error rate (%)", title="error rate (log scale)")
        axes[2].plot(epoch, m["lr_scale"], color="C2", label="learning-rate factor", **style)
        axes[2].set(ylabel="factor on the configured rates", title="learning-rate schedule")
        flat_series_axis(axes[2], m["lr_scale"])
    for ax in axes:
        ax.set_xlabel("epoch")
        epoch_axis(ax, epoch)
        if ax.get_yscale() == "log":
            readable_log_axis(ax.yaxis)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"Training curves, {title}")
    save(fig, os.path.join(out, "training_curves.png"))


# ------------------------------------------------------------------------------ one sample's activity

def spikes_array(pairs):
    a = np.array(pairs, dtype=float).reshape(-1, 2)
    return a[:, 0], a[:, 1]


def plot_ep_activity(act, out, title):
    layers = act["layers"]
    steps = act["steps"]
    verdict = f"label {act['label']}, predicted {act['prediction']}"
    coding = act["spike_coding"]
    # Raster: the input image beside one panel per layer (rate mode: per non-input layer, the input is clamped).
    shown = layers[1:] if coding == "rate" else layers
    fig = plt.figure(figsize=(14, 8))
    grid = fig.add_gridspec(len(shown), 2, width_ratios=[1, 4], height_ratios=[3] * (len(shown) - 1) + [1.5])
    image = np.array(act["image"], dtype=float)
    ax = fig.add_subplot(grid[:, 0])
    side = int(round(np.sqrt(image.size)))
    if side * side == image.size:
        ax.imshow(image.reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
    else:
        ax.plot(image)
        ax.set(xlabel="input neuron", ylabel="value")
    ax.set_title(f"test sample 0\n{verdict}")
    share = None
    for k, layer in enumerate(shown):
        ax = fig.add_subplot(grid[k, 1], sharex=share)
        share = share or ax
        if coding == "rate" and "states" in layer:  # rate mode: no spikes, show the states instead
            im = ax.imshow(np.array(layer["states"]).T, aspect="auto", origin="lower", cmap="viridis", vmin=0, vmax=1,
                           extent=(-0.5, steps + 0.5, -0.5, layer["size"] - 0.5))
            fig.colorbar(im, ax=ax, label="state s")
        else:
            t, n = spikes_array(layer["spikes"])
            ax.scatter(t, n, s=4 if layer["size"] > 50 else 16, marker="|", color=f"C{k}",
                       label=f"{len(t)} spikes of {layer['size']} neurons")
            ax.legend(loc="upper right", fontsize=8)
        ax.set_ylim(-0.5, layer["size"] - 0.5)
        ax.set_ylabel(f"{layer['name']}\nneuron")
        if k + 1 < len(shown):
            ax.tick_params(labelbottom=False)
    ax.set_xlabel("time step of the free phase")
    what = "states (rate mode: no spikes)" if coding == "rate" else f"spike raster ({coding} spikes)"
    fig.suptitle(f"Free phase of one test sample, {what}: {title}")
    save(fig, os.path.join(out, "spike_raster.png"))

    # Traces: the output states (the prediction is the largest at the end) and the busiest hidden neurons.
    fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
    time = np.arange(steps + 1)
    output = np.array(layers[-1]["states"])
    for i in range(output.shape[1]):
        is_label = i == act["label"]
        axes[0].plot(time, output[:, i], lw=2.5 if is_label else 1, color="C3" if is_label else f"C{i % 10}",
                     alpha=1 if is_label else 0.6, label=f"output {i}" + (" (label)" if is_label else ""))
    axes[0].set(title=f"output states ({verdict})", ylabel="state s (firing rate, spikes per step)")
    axes[0].legend(fontsize=7, ncol=2)
    if len(layers) > 2:
        hidden = np.array(layers[1]["states"])
        busiest = np.argsort(-hidden.mean(axis=0))[:5]
        t, n = spikes_array(layers[1]["spikes"])
        for c, i in enumerate(busiest):
            axes[1].plot(time, hidden[:, i], color=f"C{c}", label=f"hidden neuron {i}")
            mine = t[n == i]
            axes[1].plot(mine, np.full(mine.shape, 1.02 + 0.03 * c), "|", color=f"C{c}", markersize=8)
        axes[1].set(title="states of the 5 most active hidden neurons (ticks on top: their spikes)",
                    ylabel="state s (firing rate, spikes per step)")
        axes[1].legend(fontsize=7)
    else:
        axes[1].axis("off")
    for ax in axes:
        ax.set_xlabel("time step of the free phase")
        ax.grid(alpha=0.3)
    fig.suptitle(f"State traces, leak {act['leak']:.3g} per step: {title}")
    save(fig, os.path.join(out, "traces.png"))


def plot_sequence_activity(act, out, title):
    dt = act["dt_ms"]
    T = act["steps"]
    time = np.arange(T) * dt
    adaptive = act["adaptive"]
    # Raster: input channels and recurrent neurons (ALIF first, then LIF).
    fig, axes = plt.subplots(2, 1, figsize=(14, 7), sharex=True, gridspec_kw={"height_ratios": [1, 2]})
    t, n = spikes_array(act["input_spikes"])
    axes[0].scatter(t * dt, n, s=3, marker="|", color="C7", label=f"{len(t)} input spikes")
    axes[0].set(ylabel="input channel", ylim=(-0.5, act["inputs"] - 0.5), title="inputs")
    t, n = spikes_array(act["recurrent_spikes"])
    alif = n < adaptive
    rate = len(t) / (act["recurrent"] * T * dt * 1e-3)
    axes[1].scatter(t[~alif] * dt, n[~alif], s=3, marker="|", color="C0", label="LIF")
    if adaptive:
        axes[1].scatter(t[alif] * dt, n[alif], s=3, marker="|", color="C1", label="ALIF (adaptive threshold)")
    axes[1].set(ylabel="recurrent neuron", ylim=(-0.5, act["recurrent"] - 0.5), xlabel="time (ms)",
                title=f"recurrent spikes (mean rate {rate:.1f} Hz)")
    for ax in axes:
        ax.legend(loc="upper right", fontsize=8)
    fig.suptitle(f"Spike raster of test sequence 0 ({act['task']}): {title}")
    save(fig, os.path.join(out, "spike_raster.png"))

    # Traces: membrane potential against threshold for the traced neurons, then readout against target.
    traced = act["traced_neurons"]
    v = np.array(act["membrane_potential"]).reshape(T, len(traced))
    threshold = np.array(act["threshold"]).reshape(T, len(traced))
    readout = np.array(act["readout"]).reshape(T, act["outputs"])
    target = np.array(act["target"]).reshape(T, act["outputs"])
    fig, axes = plt.subplots(len(traced) + 1, 1, figsize=(14, 1.6 * len(traced) + 3.5), sharex=True)
    axes = np.atleast_1d(axes)
    for k, j in enumerate(traced):
        kind = "ALIF" if j < adaptive else "LIF"
        ax = axes[k]
        ax.plot(time, v[:, k], color="C0", lw=0.8, label="membrane potential v")
        ax.plot(time, threshold[:, k], color="C3", ls="--", lw=1, label="threshold" + (" (adaptive)" if kind == "ALIF" else ""))
        ax.set_ylabel(f"{kind} {j}\nv")
        if k == 0:
            ax.legend(loc="upper right", fontsize=7, ncol=2)
    ax = axes[-1]
    if act["loss"] == "mse":
        for k in range(act["outputs"]):
            ax.plot(time, target[:, k], color=f"C{k + 1}", ls="--", lw=1.5, label=f"target y*{k}")
            ax.plot(time, readout[:, k], color=f"C{k + 1}", lw=1, label=f"readout y{k}")
        ax.set_ylabel("readout")
    else:
        for k in range(act["outputs"]):
            ax.plot(time, readout[:, k], color=f"C{k + 1}", lw=1, label=f"readout {k} (logit)")
            ax.fill_between(time, 0, 1, where=target[:, k] > 0, transform=ax.get_xaxis_transform(),
                            color=f"C{k + 1}", alpha=0.15, label=f"decision window, target class {k}")
        ax.set_ylabel("readout (logit)")
    ax.legend(loc="upper right", fontsize=7, ncol=2)
    ax.set_xlabel("time (ms)")
    for a in axes:
        a.grid(alpha=0.3)
    fig.suptitle(f"Membrane potentials of the most active neurons, and readout vs target: {title}")
    save(fig, os.path.join(out, "traces.png"))


def plot_activity(path, out, title):
    act = read_json(path)
    try:
        if act.get("kind") == "ep":
            plot_ep_activity(act, out, title)
        elif act.get("kind") == "sequence":
            plot_sequence_activity(act, out, title)
        else:
            raise PlotError(f"{path}: unknown kind {act.get('kind')!r}")
    except (KeyError, ValueError, IndexError) as e:
        raise PlotError(f"{path}: malformed sample activity ({type(e).__name__}: {e})")


# ----------------------------------------------------------------------------------------------- STDP

def training_rows(info, key):
    """[[dt, mean, standard error, count], ...] of stdp.json's training section as arrays, or None."""
    rows = info.get("training", {}).get(key)
    if not rows:
        return None
    a = np.array(rows, dtype=float).reshape(-1, 4)
    return {"dt": a[:, 0], "mean": a[:, 1], "sem": a[:, 2], "count": a[:, 3]}


def plot_stdp(directory, out):
    training_path = os.path.join(directory, "stdp.csv")
    protocol_path = os.path.join(directory, "stdp_protocol.csv")
    info_path = os.path.join(directory, "stdp.json")
    info = read_json(info_path) if os.path.exists(info_path) else {}
    panels = [p for p in (protocol_path, training_path) if os.path.exists(p)]
    by_phase = [(k, training_rows(info, k)) for k in ("plus_beta_phases", "minus_beta_phases")]
    by_phase = [(k, rows) for k, rows in by_phase if rows is not None]
    if by_phase and os.path.exists(training_path):
        panels.append("phases")
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 3.8 * len(panels)), sharex=True, squeeze=False)
    for ax, panel in zip(axes[:, 0], panels):
        ax.axhline(0, color="k", lw=0.8)
        ax.axvline(0, color="gray", lw=0.8, ls=":")
        if panel == protocol_path:
            w = read_csv(panel, ["dt_steps", "mean_dw", "count"])
            p = info.get("protocol", {})
            ax.plot(w["dt_steps"], w["mean_dw"], "o-", color="C0", label="two-neuron protocol, one pairing per dt")
            ax.set_ylabel("dW per pairing\n(change of the post trace)")
            ax.set_title("Controlled pair: pre spike at t_pre, post driven to spike at t_pre + dt"
                         + (f"\n(leak {info['leak']:.3g}, trace rate {info['trace_rate']:.3g}, post spike "
                            f"{p['latency_steps']} steps after its drive starts, pre -> post weight 0)" if p else ""),
                         fontsize=10)
        elif panel == training_path:
            w = read_csv(panel, ["dt_steps", "mean_dw", "count"])
            t = info.get("training", {})
            sem = training_rows(info, "window")
            ax.bar(w["dt_steps"], w["mean_dw"], color=np.where(w["mean_dw"] >= 0, "C2", "C3"), alpha=0.8,
                   label="mean dW of the logged pairings")
            if sem is not None and len(sem["dt"]) == len(w["dt_steps"]):
                ax.errorbar(sem["dt"], sem["mean"], yerr=2 * sem["sem"], fmt="none", ecolor="k", lw=0.8,
                            capsize=2, label="2 standard errors")
            counts = ax.twinx()
            counts.plot(w["dt_steps"], w["count"], ".", color="gray", label="pairings per dt (right axis)")
            counts.set_ylabel("pairings")
            counts.set_yscale("log")
            counts.legend(loc="lower right", fontsize=8)
            ax.set_ylabel("mean dW per pairing\n(weight units)")
            ax.set_title("During training (stdp.csv): nudged-phase pairings, dt to the nearest spike of the paired neuron"
                         + (f"\n({t['pairings']} pairings of {t['synapses_logged']} synapses over {t['samples']} "
                            f"samples; {t['unpaired']} more without any spike of the paired neuron)" if t else ""),
                         fontsize=10)
        else:
            for k, rows in by_phase:
                sign = "+beta" if k.startswith("plus") else "-beta"
                ax.errorbar(rows["dt"], rows["mean"], yerr=2 * rows["sem"], fmt="o-", ms=3, capsize=2,
                            label=f"{sign} phases only (sign of the phase included)")
            ax.set_ylabel("mean dW per pairing\n(weight units)")
            ax.set_title("The same pairings split by nudged phase: the training window is their (small) sum", fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("dt = t_post - t_pre (time steps)")
    name = info.get("name", os.path.basename(os.path.normpath(directory)))
    fig.suptitle(f"STDP window of the EqSpike two-factor rule ({name}): dW > 0 potentiation, dW < 0 depression")
    save(fig, os.path.join(out, "stdp.png"))


# ------------------------------------------------------------------------------- drift, conductances

def plot_drift(paths, out, title):
    fig, ax = plt.subplots(figsize=(9, 5))
    positive = []
    quantity = None
    for path in paths:
        d = read_json(path)
        points = d.get("points") if isinstance(d, dict) else None
        if not points:
            raise PlotError(f"{path}: needs a non-empty list \"points\"")
        key = "test_accuracy" if "test_accuracy" in points[0] else "test_nmse" if "test_nmse" in points[0] else None
        if key is None or any("seconds" not in p or key not in p for p in points):
            raise PlotError(f"{path}: every point needs \"seconds\" and \"test_accuracy\" (or \"test_nmse\")")
        quantity = quantity or key
        seconds = np.array([float(p["seconds"]) for p in points])
        value = np.array([float(p[key]) for p in points]) * (100 if key == "test_accuracy" else 1)
        order = np.argsort(seconds)
        label = "with drift compensation" if d.get("compensate") else "without compensation"
        ax.plot(seconds[order], value[order], "o-", label=label)
        positive.extend(seconds[seconds > 0])
    if positive and min(positive) > 0:
        ax.set_xscale("symlog", linthresh=min(positive))  # log time; symlog keeps t = 0 on the axis
    ax.set(xlabel="time since programming (s, log scale)",
           ylabel="test accuracy (%)" if quantity == "test_accuracy" else "test NMSE",
           title=f"Accuracy under conductance drift: {title}")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    save(fig, os.path.join(out, "drift.png"))


def plot_conductances(paths, out, title):
    fig, axes = plt.subplots(1, len(paths), figsize=(5.5 * len(paths), 4), squeeze=False)
    for ax, path in zip(axes[0], paths):
        try:
            g = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise PlotError(f"{path}: not a NumPy .npy array ({e})")
        if g.ndim != 1 or g.dtype.kind != "f" or g.size == 0:
            raise PlotError(f"{path}: expected a non-empty 1-D float array of conductances, got shape {g.shape} {g.dtype}")
        matrix = os.path.basename(path)[len("conductances_"):-len(".npy")]
        ax.hist(g, bins=60, color="C4", label=f"{g.size} devices, mean {g.mean():.3g} uS")
        ax.set(xlabel="conductance (uS)", ylabel="devices", title=f"matrix {matrix}")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Device conductances: {title}")
    save(fig, os.path.join(out, "conductances.png"))


# ----------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", nargs="?")
    parser.add_argument("--out")
    parser.add_argument("--activity")
    parser.add_argument("--stdp", metavar="DIR")
    a = parser.parse_args()
    if a.stdp:
        plot_stdp(a.stdp, a.stdp)
        return
    if not a.run_dir:
        raise PlotError("give RUN_DIR (or --stdp DIR)")
    out = a.out or a.run_dir
    title = run_description(a.run_dir)
    plot_training_curves(a.run_dir, out, title)
    if a.activity:
        plot_activity(a.activity, out, title)
    if any(os.path.exists(os.path.join(a.run_dir, f)) for f in ("stdp.csv", "stdp_protocol.csv")):
        plot_stdp(a.run_dir, out)
    drift = sorted(glob.glob(os.path.join(a.run_dir, "drift*.json")))
    if drift:
        plot_drift(drift, out, title)
    conductances = sorted(glob.glob(os.path.join(a.run_dir, "conductances_*.npy")))
    if conductances:
        plot_conductances(conductances, out, title)


if __name__ == "__main__":
    try:
        main()
    except PlotError as e:
        print(e, file=sys.stderr)  # names the file; the caller adds its own prefix
        sys.exit(1)
