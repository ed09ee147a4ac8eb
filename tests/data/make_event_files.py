"""Writes small event data sets in the real file formats, for the tests (docs/datasets.md):

  OUT/shd/shd_{train,test}.h5    Heidelberg layout (h5py): /spikes/times (vlen float16, s), /spikes/units
                                 (vlen uint16), /labels (uint16), /extra/speaker; 20 classes
  OUT/ssc/ssc_{train,test}.h5    the same with float32 times, int32 labels; 35 classes
  OUT/nmnist/{Train,Test}/<digit>/<index>.bin   N-MNIST: 5 bytes per event, x, y, polarity bit + 23-bit us
  OUT/expected_shd_test.txt      per SHD test sample: "label time_s:unit ..." (times as float16 values, exact)
  OUT/expected_nmnist_test.txt   per N-MNIST test file in name order: "path label x,y,p,t_us ..."
  OUT/bad/<case>/...             damaged copies (the C++ tests expect an error naming the file and sample)

Each class c is learnable: its spikes fall on its own band of channels (SHD/SSC: units 20c..20c+19;
N-MNIST: ON events on rows 3c..3c+2). Usage: make_event_files.py OUT [--train N] [--test M] [--seed S]
"""
import argparse
import os
import struct

import h5py
import numpy as np


def heidelberg_samples(rng, n, classes, band):
    samples = []
    for i in range(n):
        label = int(rng.integers(0, classes))
        count = int(rng.integers(20, 60))
        times = np.sort(rng.uniform(0.0, 0.6, count))
        units = (band * (label % (700 // band)) + rng.integers(0, band, count)).astype(np.uint16)
        samples.append((label, times, units))
    return samples


def write_heidelberg(path, samples, time_dtype, label_dtype, damage=None):
    times = [s[1].astype(time_dtype) for s in samples]
    units = [s[2].copy() for s in samples]
    labels = np.array([s[0] for s in samples], dtype=label_dtype)
    if damage == "unit":
        units[1][0] = 700
    elif damage == "label":
        labels[1] = 99
    elif damage == "lengths":
        units[1] = units[1][:-1]
    if damage == "huge":  # a header declaring 5 million samples in a file of a few kB (nothing is written)
        with h5py.File(path, "w") as f:
            f.create_dataset("spikes/times", (5000000,), dtype=h5py.vlen_dtype(np.dtype(time_dtype)))
            f.create_dataset("spikes/units", (5000000,), dtype=h5py.vlen_dtype(np.dtype(np.uint16)))
            f.create_dataset("labels", (5000000,), dtype=label_dtype)
        return times
    with h5py.File(path, "w") as f:
        t = f.create_dataset("spikes/times", (len(samples),), dtype=h5py.vlen_dtype(np.dtype(time_dtype)))
        u = f.create_dataset("spikes/units", (len(samples),), dtype=h5py.vlen_dtype(np.dtype(np.uint16)))
        for i in range(len(samples)):
            t[i] = times[i]
            u[i] = units[i]
        if damage != "no_labels":
            f.create_dataset("labels", data=labels)
        f.create_dataset("extra/speaker", data=np.zeros(len(samples), np.uint16))
    return times


def nmnist_bytes(events):
    out = bytearray()
    for x, y, p, t in events:
        out += struct.pack(">BBBBB", x, y, (p << 7) | ((t >> 16) & 0x7F), (t >> 8) & 0xFF, t & 0xFF)
    return bytes(out)


def nmnist_events(rng, digit):
    count = int(rng.integers(100, 200))
    events = []
    for t in np.sort(rng.integers(0, 300000, count)):
        events.append((int(rng.integers(0, 34)), int(3 * digit + rng.integers(0, 3)), 1, int(t)))
    events.append((0, 33, 0, 299999))  # an OFF event in the last corner
    return events


def write_nmnist(root, rng, n, split, index0):
    written = []
    for i in range(n):
        digit = int(rng.integers(0, 10))
        events = nmnist_events(rng, digit)
        folder = os.path.join(root, split, str(digit))
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "%05d.bin" % (index0 + i))
        with open(path, "wb") as f:
            f.write(nmnist_bytes(events))
        written.append((path, digit, events))
    for digit in range(10):  # every digit folder exists, as in the real archive
        os.makedirs(os.path.join(root, split, str(digit)), exist_ok=True)
    return written


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--train", type=int, default=200)
    ap.add_argument("--test", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    for name, classes, time_dtype, label_dtype in (("shd", 20, np.float16, np.uint16), ("ssc", 35, np.float32, np.int32)):
        os.makedirs(os.path.join(a.out, name), exist_ok=True)
        train = heidelberg_samples(rng, a.train, classes, 20)
        test = heidelberg_samples(rng, a.test, classes, 20)
        write_heidelberg(os.path.join(a.out, name, name + "_train.h5"), train, time_dtype, label_dtype)
        times = write_heidelberg(os.path.join(a.out, name, name + "_test.h5"), test, time_dtype, label_dtype)
        if name == "shd":
            with open(os.path.join(a.out, "expected_shd_test.txt"), "w") as f:
                for (label, _, units), t in zip(test, times):
                    f.write(" ".join([str(label)] + ["%r:%d" % (float(x), int(u)) for x, u in zip(t, units)]) + "\n")
            for damage in ("unit", "label", "lengths", "no_labels", "huge"):
                d = os.path.join(a.out, "bad", "shd_" + damage)
                os.makedirs(d, exist_ok=True)
                write_heidelberg(os.path.join(d, "shd_train.h5"), train, time_dtype, label_dtype, damage)
                write_heidelberg(os.path.join(d, "shd_test.h5"), test, time_dtype, label_dtype, damage)
    root = os.path.join(a.out, "nmnist")
    write_nmnist(root, rng, a.train, "Train", 1)
    test = write_nmnist(root, rng, a.test, "Test", 1)
    with open(os.path.join(a.out, "expected_nmnist_test.txt"), "w") as f:
        for path, digit, events in sorted(test, key=lambda w: (os.path.basename(w[0]), w[1])):
            f.write(" ".join([path, str(digit)] + ["%d,%d,%d,%d" % e for e in events]) + "\n")
    bad = os.path.join(a.out, "bad")
    os.makedirs(bad, exist_ok=True)
    with open(os.path.join(bad, "pixel.bin"), "wb") as f:
        f.write(nmnist_bytes([(1, 2, 1, 10), (34, 0, 0, 20)]))
    with open(os.path.join(bad, "size.bin"), "wb") as f:
        f.write(nmnist_bytes([(1, 2, 1, 10)]) + b"\x01\x02")


if __name__ == "__main__":
    main()
