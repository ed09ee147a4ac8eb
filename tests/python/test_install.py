"""Installation: `cmake --install` puts the CLI and its data files where the installed binary finds them;
`pip install --no-build-isolation .` (pyproject.toml -> setup.py) installs a package that imports from any
directory, finds its data files beside itself and has the CLI's version. The pip test packages the module
already built (PLASTICORE_PREBUILT, see setup.py); the full compile is the acceptance check
/work/shared/checks/pip-install (six minutes on two cores)."""
import os
import re
import shutil
import subprocess
import sys

import pytest

import plasticore as pc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("PLASTICORE_CLI", os.path.join(ROOT, "build", "bin", "plasticore"))
BUILD = os.path.dirname(os.path.dirname(CLI))


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def test_cli_version_is_the_module_version_is_cmake_version():
    out = run(CLI, "--version")
    assert out.returncode == 0 and out.stdout.strip() == f"plasticore {pc.__version__}"
    cmake = open(os.path.join(ROOT, "CMakeLists.txt")).read()
    assert re.search(r"project\(plasticore VERSION ([0-9.]+)", cmake).group(1) == pc.__version__


def test_cmake_install_finds_its_data_files_beside_the_binary(tmp_path):
    prefix = tmp_path / "prefix"
    out = run("cmake", "--install", BUILD, "--prefix", str(prefix))
    assert out.returncode == 0, out.stderr
    binary = prefix / "bin" / "plasticore"
    share = prefix / "share" / "plasticore"
    assert (share / "configs" / "energy" / "gpu.toml").is_file() and (share / "scripts" / "plot_run.py").is_file()
    run_dir = tmp_path / "run"
    out = run(str(binary), "train", os.path.join(ROOT, "configs/eprop_sine.toml"), "--set", "train.epochs=1",
              "--set", "data.train_limit=1", "--set", "task.steps=50", "--out", str(run_dir), cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    out = run(str(binary), "energy", str(run_dir), cwd="/")
    assert out.returncode == 0, out.stderr
    assert f"cost tables: {share}/configs/energy" in out.stdout  # the installed tables, not the source tree's


def test_pip_install_imports_from_anywhere_with_its_data_files(tmp_path):
    src = tmp_path / "src"  # what pip needs of a clean clone; pip builds in the tree it is given
    src.mkdir()
    for f in ("pyproject.toml", "setup.py", "README.md", "CMakeLists.txt"):
        shutil.copy(os.path.join(ROOT, f), src / f)
    for d in ("python/plasticore", "configs/energy", "scripts"):
        shutil.copytree(os.path.join(ROOT, d), src / d, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    out = run("/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv))
    assert out.returncode == 0, out.stderr
    env = dict(os.environ, PLASTICORE_PREBUILT=BUILD)
    env.pop("PYTHONPATH", None)  # the installed package, not build/python
    out = run(str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index", "-q", str(src), env=env,
              cwd=str(src))
    assert out.returncode == 0, out.stdout + out.stderr
    probe = ("import plasticore as pc, numpy as np; print(pc.__version__); print(pc.__file__); "
             "print(pc.data_file('configs/energy')); print(pc.data_file('scripts/plot_run.py')); "
             "n = pc.Network({'algorithm': 'ep', 'network.hidden': [4]}, inputs=3, outputs=2); "
             "n.fit(np.eye(3, dtype=np.float32)[[0, 1, 2, 0]], np.array([0, 1, 1, 0]), epochs=1); "
             "print(sorted(n.energy()['technologies']))")
    out = run(str(venv / "bin" / "python"), "-c", probe, env=env, cwd="/")
    assert out.returncode == 0, out.stderr
    version, module, tables, script, technologies = out.stdout.strip().splitlines()
    site = str(venv / "lib")
    assert version == pc.__version__
    assert module.startswith(site) and tables.startswith(site) and script.startswith(site), out.stdout
    assert "gpu" in technologies
