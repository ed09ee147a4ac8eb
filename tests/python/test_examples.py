"""Every script in examples/ runs to the end on a tiny budget (synthetic IDX files stand in for MNIST).
A new example needs its tiny budget in TINY, or this test fails."""
import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "examples", "*.py")))
TINY = {
    "eqspike_mnist_numpy.py": ["--train", "300", "--test", "100", "--epochs", "1"],
    "eprop_own_sequences.py": ["--steps", "100", "--sequences", "2", "--epochs", "5"],
    "fp32_vs_pcm.py": ["--train", "200", "--test", "50", "--epochs", "1"],
    "export_nir.py": ["--steps", "60", "--epochs", "2"],
}


@pytest.fixture(scope="module")
def mnist_like(tmp_path_factory):
    d = tmp_path_factory.mktemp("mnist")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/cli/synthetic_idx.py"), str(d), "300", "100"], check=True)
    return str(d)


def test_every_example_has_a_tiny_budget():
    assert set(SCRIPTS) == set(TINY), "examples/ and TINY differ"


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script, mnist_like):
    args = TINY[script] + (["--data", mnist_like] if "--train" in TINY[script] else [])
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script)] + args, capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "accuracy" in out.stdout or "NMSE" in out.stdout, out.stdout
