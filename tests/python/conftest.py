"""Shared fixtures: a small synthetic IDX data set (no MNIST needed) and the project root."""
import os
import struct

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _write_idx(path, array):
    with open(path, "wb") as f:
        f.write(struct.pack(">I", 0x800 + array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.astype(np.uint8).tobytes())


@pytest.fixture(scope="session")
def idx_data(tmp_path_factory):
    """300 train / 100 test 28x28 images whose class is a bright band: learnable in one epoch."""
    d = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(5)
    paths = {}
    for prefix, n in (("train", 300), ("t10k", 100)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 60, (n, 28, 28))
        for i, c in enumerate(labels):
            images[i, 2 * c:2 * c + 3, :] = 255
        _write_idx(d / f"{prefix}-images-idx3-ubyte", images)
        _write_idx(d / f"{prefix}-labels-idx1-ubyte", labels)
    for key, prefix in (("train", "train"), ("test", "t10k")):
        paths[f"data.{key}_images"] = str(d / f"{prefix}-images-idx3-ubyte")
        paths[f"data.{key}_labels"] = str(d / f"{prefix}-labels-idx1-ubyte")
    return paths


@pytest.fixture(scope="session")
def root():
    return ROOT
