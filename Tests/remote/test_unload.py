"""dlclose: unloading the library while it streams and refreshes (issue 12, dlclose).

Detached background threads kept running the library's code after dlclose unmapped it (a
SIGSEGV of the host). The library now joins its threads in its destructor (and in
gb_shutdown), and deletes its thread-specific keys, whose destructors would otherwise run in
unmapped code when a thread that made calls exits. Each test runs unload_child.py, which
loads and unloads the library several times in a process of its own (the tests' own copy,
gbc's, stays loaded)."""

import json
import os
import subprocess
import sys

import pytest

import gbc
from helpers import payload
from server import wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
CYCLES = 6


def run_child(server, client_key, mode):
    server.set_payload(client_key, payload("v1"))
    opened_before = server.sse_connections(client_key)
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "unload_child.py"), gbc.LIBRARY, server.url, client_key,
         mode, str(CYCLES)],
        capture_output=True, text=True, timeout=45)
    assert proc.returncode == 0, "unload_child.py %s exited %d (-11: SIGSEGV)\n%s" % (
        mode, proc.returncode, proc.stderr[-4000:])
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    # Every cycle had a live stream at the unload: the server saw one connection per cycle,
    # and all of them are closed.
    assert server.sse_connections(client_key) - opened_before >= CYCLES
    assert wait_until(lambda: server.sse_open(client_key) == 0, 3.0), "a stream stayed open"
    return figures


@pytest.mark.parametrize("mode", ["free", "leak", "shutdown"])
def test_dlclose_cycles_with_background_threads(server, client_key, mode):
    f = run_child(server, client_key, mode)
    assert f["threads"] == f["baseline_threads"], f
    # The destructor does not wait out a timeout: the threads end within milliseconds.
    assert max(f["unload_ms"]) < 1000, f["unload_ms"]
    # Descriptors flat across cycles (the stream's socket is closed, not left behind).
    assert f["descriptors"][-1] <= f["descriptors"][0], f["descriptors"]
    # Memory: each load and unload leaves a few KiB (the Swift runtime's type metadata, which it
    # never frees); a leaked handle or feature set would be far more.
    per_cycle = (f["rss_kib"][-1] - f["rss_kib"][0]) / (CYCLES - 1)
    assert per_cycle < 256, "RSS grows %.0f KiB per load/unload cycle: %s" % (per_cycle, f["rss_kib"])
