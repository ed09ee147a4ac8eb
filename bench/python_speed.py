"""Training speed of the Python module: pc.train of e-prop on sequential MNIST (4,000 sequences, one thread),
for each module directory given, interleaved over ROUNDS (old new old new ...), in a fresh interpreter each:
the training loop's sequences per CPU-second (metrics.json) and the process's minor page faults during the call.
Usage: /usr/bin/python3 bench/python_speed.py [--rounds N] MODULE_DIR [MODULE_DIR ...]
  e.g. MODULE_DIR = build/python (the module CMake builds) and an older build's python/ directory.
Not part of the test suite: it measures time."""
import argparse
import os
import subprocess
import sys

ONE_RUN = r"""
import os, resource, sys, tempfile
sys.path.insert(0, sys.argv[1])
import plasticore as pc
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
m = pc.train("configs/eprop_mnist.toml", {"train.epochs": 1, "data.train_limit": 4000, "data.test_limit": 200},
             threads=1, out=os.path.join(tempfile.mkdtemp(), "run"))
print(m["train_samples_per_cpu_second"], resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("modules", nargs="+")
    args = parser.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    figures = {m: [] for m in args.modules}
    for _ in range(args.rounds):
        for module in args.modules:
            out = subprocess.run([sys.executable, "-c", ONE_RUN, os.path.abspath(module)], check=True,
                                 capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
            rate, faults = out.stdout.split()[-2:]
            figures[module].append((float(rate), int(faults)))
    for module, runs in figures.items():
        rates = ", ".join(f"{r:,.0f}" for r, _ in runs)
        faults = ", ".join(f"{f:,}" for _, f in runs)
        print(f"{module}: {rates} sequences per CPU-second; {faults} page faults")


if __name__ == "__main__":
    main()
