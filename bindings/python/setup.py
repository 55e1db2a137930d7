"""Packages growthbook_native with libgrowthbook.so inside it.

The build step copies the shared library into the package. When the library is not built yet
(a fresh clone), it builds it first with the repository's `make lib` -- the way a package with
a Rust core builds its extension -- so `pip install ./bindings/python` is all a user runs. The
wheel that results holds the library, which links the Swift runtime statically, so it installs
and runs where no Swift toolchain is. GROWTHBOOK_NATIVE_LIBRARY=/path/to/libgrowthbook.so
packages a library built elsewhere instead.
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LIBRARY = "libgrowthbook.so"


def library_path() -> Path:
    override = os.environ.get("GROWTHBOOK_NATIVE_LIBRARY")
    if override:
        return Path(override)
    built = REPO / "build" / "lib" / LIBRARY
    can_build = (REPO / "Makefile").exists() and (REPO / "Package.swift").exists()
    if can_build and (shutil.which("swift") or Path("/opt/swift/usr/bin/swift").exists()):
        env = dict(os.environ)
        env["PATH"] = env.get("PATH", "") + os.pathsep + "/opt/swift/usr/bin"
        # Incremental: returns at once when the library is up to date.
        subprocess.check_call(["make", "-C", str(REPO), "lib"], env=env)
    if not built.exists():
        raise RuntimeError(
            "growthbook_native: %s not found and it cannot be built here (needs the Swift "
            "toolchain and the libgrowthbook repository); set GROWTHBOOK_NATIVE_LIBRARY" % built
        )
    return built


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "growthbook_native" / LIBRARY
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library_path(), target)


class BinaryDistribution(Distribution):
    """The wheel carries a native library: tag it for the platform, not as pure Python."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
