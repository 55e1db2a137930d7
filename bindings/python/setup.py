"""Packages growthbook_native with libgrowthbook.so inside it.

The build step copies the shared library into the package. When the library is not built yet
(a fresh clone), it builds it first with the repository's `make lib` -- the way a package with
a Rust core builds its extension -- so `pip install ./bindings/python` is all a user runs. The
wheel that results holds the library, which links the Swift runtime statically, so it installs
and runs where no Swift toolchain is. GROWTHBOOK_NATIVE_LIBRARY=/path/to/libgrowthbook.so
packages a library built elsewhere instead.

It also compiles the optional accelerator, growthbook_native/_speedups.c (a CPython extension
that dlopens the packaged library at import; it does not link it). When it cannot be built (no
C compiler, no Python headers), the install goes on with a warning and the package uses ctypes.
GROWTHBOOK_NATIVE_STRICT=1 (the repository's tests) compiles it with -Wall -Wextra -Werror.
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
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


class OptionalBuildExt(build_ext):
    """Builds the accelerator if it can; a failure of any kind is a warning, not an error."""

    def run(self):
        try:
            super().run()
        except Exception as e:  # noqa: BLE001 - the ctypes path needs nothing compiled
            self._skip(e)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as e:  # noqa: BLE001
            self._skip(e)

    @staticmethod
    def _skip(error):
        print("WARNING: growthbook_native: the optional accelerator (_speedups) was not built (%s); "
              "the package uses ctypes instead" % error)


def speedups():
    flags = ["-std=c11", "-O2"]
    if os.environ.get("GROWTHBOOK_NATIVE_STRICT") == "1":
        flags += ["-Wall", "-Wextra", "-Werror"]
    include = REPO / "include"
    return Extension(
        "growthbook_native._speedups",
        sources=["growthbook_native/_speedups.c"],
        # only to check its mirror of gb_value against the header (it does not link the library)
        include_dirs=[str(include)] if (include / "growthbook.h").exists() else [],
        extra_compile_args=flags,
        libraries=["dl", "pthread"],
        optional=True,
    )


class BinaryDistribution(Distribution):
    """The wheel carries a native library: tag it for the platform, not as pure Python."""

    def has_ext_modules(self):
        return True


setup(
    cmdclass={"build_py": BuildWithLibrary, "build_ext": OptionalBuildExt},
    distclass=BinaryDistribution,
    ext_modules=[speedups()],
)
