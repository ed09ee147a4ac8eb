"""The pip build of the Python package: CMake builds the extension module (PLASTICORE_PORTABLE: no
-march=native; no tests, benchmarks or MPI), setuptools packages python/plasticore/ with it and the data
files it reads (share/configs/energy, share/scripts/plot_run.py: core/data_files.hpp). One version:
CMakeLists.txt's project VERSION.

PLASTICORE_PREBUILT=BUILD_DIR packages the module already built in BUILD_DIR/python/plasticore instead
of compiling it again (tests/python/test_install.py: the packaging without the six-minute compile)."""
import glob
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def cmake_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        return re.search(r"project\(plasticore VERSION ([0-9][0-9.]*)", f.read()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.environ.get("PLASTICORE_PREBUILT")
        if not build_dir:
            build_dir = os.path.join(os.path.abspath(self.build_temp), "cmake")
            jobs = os.environ.get("PLASTICORE_BUILD_JOBS", "2")  # the machine is shared: -j2 unless told
            subprocess.check_call([
                "cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release", "-DPLASTICORE_PORTABLE=ON",
                "-DPLASTICORE_TESTS=OFF", "-DPLASTICORE_BENCH=OFF", "-DPLASTICORE_MPI=OFF",
                f"-DPython_EXECUTABLE={sys.executable}"])
            subprocess.check_call(["cmake", "--build", build_dir, "--target", "plasticore_python", f"-j{jobs}"])
        built = glob.glob(os.path.join(build_dir, "python", "plasticore", "_plasticore*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one built module in {build_dir}/python/plasticore, found {built}")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)
        share = os.path.join(os.path.dirname(target), "share")  # beside the module: core/data_files.hpp
        for pattern in ("configs/energy/*.toml", "scripts/plot_run.py"):
            for path in glob.glob(os.path.join(ROOT, pattern)):
                dest = os.path.join(share, os.path.relpath(path, ROOT))
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copyfile(path, dest)


setup(
    version=cmake_version(),
    packages=["plasticore"],
    package_dir={"": "python"},
    ext_modules=[Extension("plasticore._plasticore", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
