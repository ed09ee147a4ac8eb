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


def _read_idx(path):
    with open(path, "rb") as f:
        ndim = struct.unpack(">I", f.read(4))[0] - 0x800
        shape = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(shape)


def band_images(split, idx_data):
    """(x (n, 784) float32 in [0, 1], labels (n,)) of a split of idx_data, scaled as the IDX reader does."""
    images = _read_idx(idx_data[f"data.{split}_images"])
    labels = _read_idx(idx_data[f"data.{split}_labels"])
    return images.reshape(len(images), -1).astype(np.float32) * np.float32(1.0 / 255.0), labels.astype(np.int64)


@pytest.fixture(scope="session")
def root():
    return ROOT
