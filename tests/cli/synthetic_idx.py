"""Writes a small learnable IDX data set (MNIST layout) for CLI tests that must not need MNIST:
random 28x28 images with a class-dependent bright band; a quarter of the labels are random.
Usage: /usr/bin/python3 tests/cli/synthetic_idx.py DIR N_TRAIN N_TEST"""
import random
import struct
import sys

out, n_train, n_test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(2024)


def pair(prefix, n):
    classes = [rng.randrange(10) for _ in range(n)]
    labels = bytes(c if rng.random() < 0.75 else rng.randrange(10) for c in classes)
    images = bytearray(rng.randbytes(n * 784))
    for s, c in enumerate(classes):
        start = s * 784 + c * 56
        images[start:start + 112] = b"\xff" * 112
    open(f"{out}/{prefix}-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, n, 28, 28) + bytes(images))
    open(f"{out}/{prefix}-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, n) + labels)


pair("train", n_train)
pair("t10k", n_test)
