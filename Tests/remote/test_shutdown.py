"""gb_shutdown: the library's background work stops and its threads are joined, at once while
they run library code, and at the timeout (GB_ERR_BUSY) while one is inside a host callback;
handles keep working and a later load starts their background work again (issue 12, dlclose).
"""

import threading
import time

import gbc
from helpers import payload
from server import wait_until


def test_shutdown_stops_and_joins_streams_and_refreshers(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    s = handles({"apiHost": server.url, "clientKey": client_key, "streaming": True})
    r = handles({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1,
                 "cacheTTL": 1})
    assert gbc.load(s) == gbc.GB_OK, gbc.last_error()
    assert gbc.load(r) == gbc.GB_OK, gbc.last_error()
    assert wait_until(lambda: server.sse_open(client_key) == 1, 3.0), "the stream did not connect"
    assert wait_until(lambda: "gb-refresher" in gbc.library_threads(), 3.0), gbc.library_threads()
    time.sleep(0.3)  # the stream waits for an event; the refresher waits for its interval

    started = time.monotonic()
    assert gbc.shutdown(5000) == gbc.GB_OK, gbc.last_error()
    took = time.monotonic() - started
    # The stream's wait and the refresher's wake at once (not at the next progress callback or
    # refresh step), and the threads are gone when it returns.
    assert took < 0.5, "gb_shutdown took %.2f s" % took
    assert gbc.library_threads() == []
    assert wait_until(lambda: server.sse_open(client_key) == 0, 2.0), "the stream stayed connected"

    # No more background requests; the handles keep their features.
    n = server.request_count(client_key)
    time.sleep(2.2)
    assert server.request_count(client_key) == n, "a refresher still runs after gb_shutdown"
    assert gbc.value(s, "color") == "v1" and gbc.value(r, "color") == "v1"

    # A later load starts the stream again, and pushed events update the handle.
    assert gbc.load(s) == gbc.GB_OK, gbc.last_error()
    assert wait_until(lambda: server.sse_open(client_key) == 1, 3.0), "the stream did not restart"
    server.push_event(client_key, payload("v2"))
    assert wait_until(lambda: gbc.value(s, "color") == "v2", 3.0)


def test_shutdown_waits_for_a_host_callback_then_reports_busy(server, client_key, handles):
    """A refresher inside the host transport cannot be interrupted: gb_shutdown waits its
    timeout and says GB_ERR_BUSY; once the transport returns, the thread ends (without
    installing what it fetched or calling back) and gb_shutdown returns GB_OK."""
    inside, release = threading.Event(), threading.Event()
    main = threading.get_ident()
    calls = {"background": 0}

    def transport(url, headers, response):
        if threading.get_ident() != main:
            calls["background"] += 1
            inside.set()
            release.wait(10)
        gbc.response_set_status(response, 200)
        gbc.response_set_body(response, b'{"features": {"color": {"defaultValue": "%s"}}}'
                              % (b"late" if threading.get_ident() != main else b"v1"))
        return 0

    gbc.set_transport(transport)
    h = handles({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1,
                 "cacheTTL": 1})
    logs = []
    gbc.set_log_callback(h, lambda level, message: logs.append(message), gbc.GB_LOG_WARNING)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert inside.wait(5), "the refresher never called the transport"

    started = time.monotonic()
    assert gbc.shutdown(200) == gbc.GB_ERR_BUSY
    took = time.monotonic() - started
    assert 0.15 <= took < 1.0, "gb_shutdown(200) took %.2f s" % took
    assert "callback" in gbc.last_error(), gbc.last_error()
    assert gbc.library_threads() != []

    logged = len(logs)
    release.set()
    assert gbc.shutdown(5000) == gbc.GB_OK, gbc.last_error()
    assert gbc.library_threads() == []
    # The stopped refresh was dropped: not installed, nothing logged, no second request.
    assert gbc.value(h, "color") == "v1"
    assert len(logs) == logged, logs[logged:]
    assert calls["background"] == 1


def test_shutdown_from_a_background_callback_does_not_wait_for_itself(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1,
                 "cacheTTL": 1000})
    main = threading.get_ident()
    results = []
    done = threading.Event()

    def log(level, message):
        if threading.get_ident() != main and not done.is_set():
            results.append(gbc.shutdown(5000))
            done.set()

    gbc.set_log_callback(h, log, gbc.GB_LOG_WARNING)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    server.set_status(client_key, 503)  # the refresh fails and logs, on the refresher
    assert done.wait(5), "the refresher never logged"
    assert results == [gbc.GB_OK]
    assert wait_until(lambda: gbc.library_threads() == [], 2.0), gbc.library_threads()


def test_shutdown_rejects_a_negative_timeout():
    assert gbc.shutdown(-1) == gbc.GB_ERR_INVALID_ARGUMENT
    assert "timeout_ms" in gbc.last_error()
    assert gbc.shutdown(0) == gbc.GB_OK
