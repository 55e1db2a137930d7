"""pytest setup for the growthbook_native binding tests.

Puts bindings/python on sys.path when growthbook_native is not installed (the library is then
found in the repository's build/lib, or through GROWTHBOOK_NATIVE_LIBRARY), and prints, at the
end of the session, how many spec-fixture cases passed and failed per file and category."""

import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(BINDINGS))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

try:  # an installed growthbook_native wins
    import growthbook_native  # noqa: F401
except ImportError:
    sys.path.insert(0, BINDINGS)
    import growthbook_native  # noqa: F401

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def server():
    """A loopback GrowthBook API (Tests/remote/server.py), for the remote-loading tests."""
    sys.path.insert(0, os.path.join(REPO, "Tests", "remote"))
    try:
        from server import FeatureServer
    except ImportError as e:  # server.py needs `cryptography`
        pytest.skip("Tests/remote/server.py unavailable: %s" % e)
    srv = FeatureServer()
    yield srv
    srv.stop()


# nodeid "...::test_x[cases-latest.json:feature:12]" -> (file, category)
_FIXTURE_ID = re.compile(r"\[(cases-[^:\]]+\.json):([A-Za-z]+):")
_fixture_counts = collections.defaultdict(collections.Counter)
_fixture_order = []


def pytest_runtest_logreport(report):
    m = _FIXTURE_ID.search(report.nodeid)
    if not m:
        return
    key = (m.group(1), m.group(2))
    if key not in _fixture_order:
        _fixture_order.append(key)
    if report.when == "call":
        _fixture_counts[key]["passed" if report.passed else "skipped" if report.skipped else "failed"] += 1
    elif report.failed:  # setup/teardown errors
        _fixture_counts[key]["failed"] += 1
    elif report.when == "setup" and report.skipped:
        _fixture_counts[key]["skipped"] += 1


def _fixture_semantics():
    """Tests/fixtures/semantics.json: the semantics each fixture file runs under."""
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    with open(os.path.join(repo, "Tests", "fixtures", "semantics.json")) as f:
        return json.load(f)


def pytest_terminal_summary(terminalreporter):
    for line in getattr(terminalreporter.config, "_growthbook_differential", None) or []:
        terminalreporter.write_line(line)
    for line in getattr(terminalreporter.config, "_growthbook_regex_dialect", None) or []:
        terminalreporter.write_line(line)
    for line in getattr(terminalreporter.config, "_growthbook_reference_suite", None) or []:
        terminalreporter.write_line(line)
    if not _fixture_counts:
        return
    terminalreporter.write_line("")
    for f, cat in sorted(_fixture_order):
        c = _fixture_counts[(f, cat)]
        semantics = _fixture_semantics().get(f, "?")
        line = "[fixtures-python] %s (semantics %s) %s: %d passed, %d failed" % (
            f, semantics, cat, c["passed"], c["failed"])
        if c["skipped"]:
            line += ", %d skipped" % c["skipped"]
        terminalreporter.write_line(line)
    tot = collections.Counter()
    for c in _fixture_counts.values():
        tot.update(c)
    terminalreporter.write_line(
        "[fixtures-python] total: %d passed, %d failed, %d skipped" % (tot["passed"], tot["failed"], tot["skipped"])
    )
