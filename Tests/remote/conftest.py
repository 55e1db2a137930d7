"""Fixtures for the remote-loading tests: the loopback server, handles that
are freed after each test, a clean process-wide cache and transport, a
per-test watchdog, and the [fixtures] decrypt summary lines."""

import faulthandler
import os
import re
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gbc  # noqa: E402
from server import FeatureServer  # noqa: E402

TEST_WATCHDOG_SECONDS = 60

# "[fixtures] <file> decrypt: N passed, M failed" lines, printed at the end.
FIXTURE_SUMMARY = []


def pytest_terminal_summary(terminalreporter):
    for line in FIXTURE_SUMMARY:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def server():
    srv = FeatureServer()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def watchdog(request):
    """Every test stops by itself: a test that hangs (e.g. inside a library
    call that cannot be interrupted) ends the process after a dump."""
    def expire():
        sys.stderr.write("\n[watchdog] %s took over %d s; aborting\n"
                         % (request.node.nodeid, TEST_WATCHDOG_SECONDS))
        faulthandler.dump_traceback(all_threads=True)
        sys.stderr.flush()
        os._exit(3)
    t = threading.Timer(TEST_WATCHDOG_SECONDS, expire)
    t.daemon = True
    t.start()
    yield
    t.cancel()


@pytest.fixture(autouse=True)
def clean_remote_state():
    """A fresh process-wide cache and libcurl transport around every test."""
    if gbc.has("gb_set_http_transport"):
        gbc.set_transport(None)
    if gbc.has("gb_clear_cache"):
        gbc.clear_cache()
    yield
    if gbc.has("gb_set_http_transport"):
        gbc.set_transport(None)
    if gbc.has("gb_clear_cache"):
        gbc.clear_cache()


@pytest.fixture
def client_key(request):
    """A client key unique to this test (the cache is process-wide)."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    return "sdk-%s-%s" % (name[:40], os.urandom(4).hex())


@pytest.fixture
def handles():
    """make(options) -> handle; every handle made is freed after the test."""
    made = []

    class Maker:
        def __call__(self, options=None):
            h = gbc.create(options)
            made.append(h)
            return h

        def free(self, h):
            made.remove(h)
            gbc.free(h)

    yield Maker()
    for h in reversed(made):
        gbc.free(h)
