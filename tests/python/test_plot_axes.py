"""scripts/plot_run.py's axes: a 1-epoch run gets one tick at epoch 1 (not 0.945 ... 1.050), a constant
learning-rate factor a range from 0, and a log axis plain labels at 1, 2, 5 x 10^k with none on the minor
ticks (whose labels overlapped)."""
import importlib.util
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("plot_run", os.path.join(ROOT, "scripts", "plot_run.py"))
plot_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plot_run)
plt = plot_run.plt


def labels(ticks):
    return [t.get_text() for t in ticks if t.get_text()]


def test_one_epoch_has_one_epoch_tick_and_a_flat_factor_starts_at_zero():
    fig, ax = plt.subplots()
    ax.plot([1], [1.0], marker="o")
    plot_run.epoch_axis(ax, np.array([1.0]))
    plot_run.flat_series_axis(ax, [1.0])
    fig.canvas.draw()
    assert list(ax.get_xticks()) == [1.0] and ax.get_xlim() == (0.0, 2.0)
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] > 1
    plt.close(fig)


def test_log_axis_labels_are_plain_and_not_on_minor_ticks():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [1.5, 3.0, 80.0])
    ax.set_yscale("log")
    plot_run.readable_log_axis(ax.yaxis)
    fig.canvas.draw()
    major = labels(ax.yaxis.get_ticklabels())
    mantissas = {round(float(t) / 10 ** np.floor(np.log10(float(t))), 6) for t in major}  # float(): plain numbers
    assert mantissas <= {1.0, 2.0, 5.0}, major
    assert labels(ax.yaxis.get_ticklabels(minor=True)) == []
    plt.close(fig)
