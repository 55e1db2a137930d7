"""growthbook 1.1.0's own test file, unchanged, against growthbook_native.

The sdist of growthbook==1.1.0 is downloaded from PyPI at test time (nothing of it is
committed); its tests/test_growthbook.py runs in a subprocess beside a `cases.json` (spec
0.5.4, the file it shipped with: Tests/fixtures/cases-0.5.4.json) with a one-module shim on
its path: a package `growthbook` that re-exports growthbook_native, private names included,
as a user switching with one import line would have it. All of its 440 tests must pass."""

import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
EXPECTED = 440  # the tests of growthbook 1.1.0's tests/test_growthbook.py

SHIM = """import growthbook_native as _native
from growthbook_native import *  # noqa: F401,F403

# its private names too, as code written for growthbook 1.1.0 may import them
for _name in dir(_native):
    if not _name.startswith("__"):
        globals()[_name] = getattr(_native, _name)
"""


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("reference-suite"))
    sdist = os.path.join(tmp, "growthbook-1.1.0.tar.gz")
    try:
        r = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-binary", ":all:",
             "--no-deps", "-d", tmp, "growthbook==1.1.0"],
            capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired:
        pytest.skip("pip download growthbook==1.1.0 timed out")
    if not os.path.exists(sdist):
        pytest.skip("cannot download the growthbook 1.1.0 sdist: %s" % (r.stderr.strip().splitlines() or ["?"])[-1])
    sdists = [sdist]
    run = os.path.join(tmp, "run")
    os.makedirs(os.path.join(tmp, "shim", "growthbook"))
    with tarfile.open(sdists[0]) as t:
        member = t.getmember("growthbook-1.1.0/tests/test_growthbook.py")
        os.makedirs(run)
        with t.extractfile(member) as src, open(os.path.join(run, "test_growthbook.py"), "wb") as dst:
            shutil.copyfileobj(src, dst)
    shutil.copy(os.path.join(REPO, "Tests", "fixtures", "cases-0.5.4.json"), os.path.join(run, "cases.json"))
    with open(os.path.join(tmp, "shim", "growthbook", "__init__.py"), "w") as f:
        f.write(SHIM)
    return tmp


def test_reference_test_file_passes(suite, pytestconfig):
    import growthbook_native

    env = dict(os.environ)
    # the shim first; growthbook_native as this session imports it (installed or the source tree)
    native_dir = os.path.dirname(os.path.dirname(os.path.abspath(growthbook_native.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(suite, "shim"), native_dir] + [
        p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "test_growthbook.py"],
        cwd=os.path.join(suite, "run"), env=env, capture_output=True, text=True, timeout=600)
    summary = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    # the subprocess inherits GROWTHBOOK_NATIVE_PURE, so it takes the path this session takes
    path = "accelerated" if growthbook_native._accelerated else "ctypes"
    line = "[reference-suite] growthbook 1.1.0 tests/test_growthbook.py against growthbook_native (%s): %s" % (
        path, summary)
    print(line)
    pytestconfig._growthbook_reference_suite = [line]
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)}
    failures = [l for l in r.stdout.splitlines() if l.startswith(("FAILED", "ERROR"))]
    assert counts.get("passed") == EXPECTED and r.returncode == 0, "%s\n%s\n%s" % (
        summary, "\n".join(failures), r.stdout[-4000:] + r.stderr[-2000:])
