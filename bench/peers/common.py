"""Shared pieces of the PyTorch peers (bench/peers/README.md): one thread, MNIST IDX reading, CPU-time
accounting and the JSON result. Import this module before torch: it pins every thread pool to one core.
"""
import argparse
import json
import math
import os
import sys
import time

# Before torch is imported, so that OpenMP, OpenBLAS and MKL-DNN start with one thread.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:  # already set (a second import in the same process)
    pass
torch.set_default_dtype(torch.float32)

IMPORTED_CPU = time.process_time()  # CPU of the interpreter's start and the imports (torch is most of it)


class CpuClock:
    """CPU seconds of this process (time.process_time: user + system, all threads) per named section."""

    def __init__(self):
        self.sections = {"startup": IMPORTED_CPU}
        self._t = time.process_time()

    def lap(self, name):
        now = time.process_time()
        self.sections[name] = self.sections.get(name, 0.0) + now - self._t
        self._t = now

    def total(self):
        return time.process_time()


def mnist_dir():
    root = os.environ.get("PLASTICORE_DATA", os.path.join(os.path.expanduser("~"), ".cache", "plasticore"))
    return os.path.join(root, "mnist")


def read_idx(path):
    """An IDX file (ubyte only, as MNIST) as a NumPy array of its shape."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * k: 8 + 4 * k], "big") for k in range(dims))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        sys.exit(f"{path}: holds {body.size} bytes of data, its header says {shape}")
    return body.reshape(shape)


def load_mnist(split, limit):
    """The first `limit` images (0 = all) of 'train' or 'test': float32 pixels / 255 (N x 784), int64 labels."""
    prefix = "train" if split == "train" else "t10k"
    d = mnist_dir()
    images = read_idx(os.path.join(d, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte"))
    n = images.shape[0] if limit == 0 else limit
    if n > images.shape[0]:
        sys.exit(f"{split}_limit {n}: the {split} set holds only {images.shape[0]} images")
    x = torch.from_numpy(images[:n].reshape(n, -1).astype(np.float32)) * (1.0 / 255.0)
    y = torch.from_numpy(labels[:n].astype(np.int64))
    return x, y


def lr_factor(schedule, final_factor, epoch, epochs):
    """plasticore's schedule (src/learn/lr_schedule.hpp): 1 at the first epoch, final_factor at the last."""
    if schedule == "constant" or epochs <= 1:
        return 1.0
    progress = epoch / (epochs - 1)
    return final_factor + (1.0 - final_factor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def base_parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--train-limit", type=int, default=0, help="training samples per epoch (0 = all)")
    p.add_argument("--test-limit", type=int, default=0, help="test samples evaluated (0 = all)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lr-schedule", choices=["constant", "cosine"], default="cosine")
    p.add_argument("--lr-final-factor", type=float, default=0.1)
    p.add_argument("--json", help="write the result here (atomically)")
    p.add_argument("--quiet", action="store_true")
    return p


def ep_parser(description, nudged_steps, leak):
    """base_parser plus the layered-EP network and relaxation arguments both EP peers take."""
    p = base_parser(description)
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--free-steps", type=int, default=20)
    p.add_argument("--nudged-steps", type=int, default=nudged_steps)
    p.add_argument("--beta", type=float, default=0.5)
    p.add_argument("--leak", type=float, default=leak)
    p.add_argument("--lr", type=float, nargs=2, default=[0.1, 0.05])
    p.add_argument("--init-scale", type=float, nargs=2, default=[1.0, 0.5])
    p.add_argument("--eval-batch", type=int, default=100, help="as plasticore: max(batch_size, 100)")
    return p


def finish(result, clock, train_samples, args):
    """Adds the CPU accounting to `result`, prints it and writes the JSON file."""
    total = clock.total()
    result["cpu_seconds"] = {k: round(v, 4) for k, v in clock.sections.items()}
    result["cpu_seconds"]["total"] = round(total, 4)
    result["train_samples"] = train_samples
    result["samples_per_cpu_second"] = train_samples / total  # whole process: startup, data, training, evaluation
    result["train_samples_per_cpu_second"] = train_samples / clock.sections["train"]  # training loop only
    result["threads"] = torch.get_num_threads()
    result["torch"] = torch.__version__
    result["python"] = sys.executable
    if not args.quiet:
        print(json.dumps(result, indent=2))
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f, indent=2)
        os.replace(tmp, args.json)
