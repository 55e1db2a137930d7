"""gb_set_http_transport: a host transport (a Python callback) instead of
libcurl, and restoring libcurl with NULL."""

import json
import threading
import time

import pytest

import gbc
from helpers import BEFORE, handle_with_previous, payload
from server import wait_until

FAKE_HOST = "http://127.0.0.1:9"  # never contacted: the transport answers


@pytest.fixture
def transport():
    """install(fn) sets the transport; it is reset after the test."""
    del gbc.transport_errors[:]

    def install(fn):
        assert gbc.set_transport(fn) == gbc.GB_OK

    yield install
    gbc.set_transport(None)
    assert not gbc.transport_errors, gbc.transport_errors


class Recorder:
    def __init__(self, status=200, body=None, headers=(), rc=0):
        self.calls = []
        self.status = status
        self.body = body
        self.headers = list(headers)
        self.rc = rc
        self.lock = threading.Lock()

    def __call__(self, url, headers, response):
        with self.lock:
            self.calls.append((url, headers))
        if self.rc != 0:
            return self.rc
        assert gbc.response_set_status(response, self.status) == gbc.GB_OK
        for k, v in self.headers:
            assert gbc.response_set_header(response, k, v) == gbc.GB_OK
        if self.body is not None:
            assert gbc.response_set_body(response, self.body) == gbc.GB_OK
        return 0


def test_transport_serves_features(transport, client_key, handles):
    rec = Recorder(body=json.dumps({"features": {"color": {"defaultValue": "from-host"}},
                                    "savedGroups": {"g": ["u1"]}}),
                   headers=[("Content-Type", "application/json"), ("ETag", '"t1"')])
    transport(rec)
    h = handles({"apiHost": FAKE_HOST + "/", "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "from-host"
    assert len(rec.calls) == 1
    url, headers = rec.calls[0]
    assert url == FAKE_HOST + "/api/features/" + client_key
    assert isinstance(headers, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    assert "If-None-Match" not in headers


def test_transport_etag_and_304(transport, client_key, handles):
    """The transport's ETag comes back as If-None-Match, and its 304 keeps
    the cached payload."""
    body = json.dumps({"features": {"color": {"defaultValue": "cached"}}})
    seen = []

    def fn(url, headers, response):
        seen.append(headers)
        if headers.get("If-None-Match") == '"e1"':
            gbc.response_set_status(response, 304)
            gbc.response_set_header(response, "ETag", '"e1"')
        else:
            gbc.response_set_status(response, 200)
            gbc.response_set_header(response, "ETag", '"e1"')
            gbc.response_set_body(response, body)
        return 0

    transport(fn)
    h = handles({"apiHost": FAKE_HOST, "clientKey": client_key, "cacheTTL": 1})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    time.sleep(1.5)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert wait_until(lambda: len(seen) >= 2, 3.0), "no refresh after the TTL"
    assert seen[1].get("If-None-Match") == '"e1"', seen
    time.sleep(0.3)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "cached"


def test_transport_failure_is_network_error(transport, client_key, handles):
    rec = Recorder(rc=1)
    transport(rec)
    h = handle_with_previous(handles, {"apiHost": FAKE_HOST, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_ERR_NETWORK
    assert gbc.last_error()
    assert gbc.value(h, "color") == BEFORE
    assert len(rec.calls) == 1


def test_transport_http_status(transport, client_key, handles):
    transport(Recorder(status=503, body="unavailable"))
    h = handle_with_previous(handles, {"apiHost": FAKE_HOST, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_ERR_HTTP
    assert gbc.last_error()
    assert gbc.value(h, "color") == BEFORE


def test_transport_bad_body(transport, client_key, handles):
    transport(Recorder(body='{"features": {"color": '))
    h = handle_with_previous(handles, {"apiHost": FAKE_HOST, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_ERR_JSON
    assert gbc.last_error()
    assert gbc.value(h, "color") == BEFORE


def test_transport_reset_restores_http(transport, server, client_key, handles):
    rec = Recorder(body=json.dumps(payload("from-host")))
    transport(rec)
    h = handles({"apiHost": server.url, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "from-host"
    assert server.request_count(client_key) == 0

    assert gbc.set_transport(None) == gbc.GB_OK
    gbc.clear_cache()
    server.set_payload(client_key, payload("from-server"))
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "from-server"
    assert server.request_count(client_key) == 1
    assert len(rec.calls) == 1


def test_response_setters_reject_null():
    assert gbc.response_set_status(None, 200) == gbc.GB_ERR_INVALID_ARGUMENT
    assert gbc.response_set_header(None, "a", "b") == gbc.GB_ERR_INVALID_ARGUMENT
    assert gbc.response_set_body(None, b"x") == gbc.GB_ERR_INVALID_ARGUMENT


def _in_thread(body, seconds):
    """body() on a daemon thread; its result, or fails when it has not returned in time
    (a hang inside the library cannot be interrupted: the thread is left behind)."""
    out = {}

    def run():
        out["value"] = body()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "did not return within %s s (deadlock?)" % seconds
    return out["value"]


def test_transport_reentering_load_of_same_features_does_not_hang(transport, client_key, handles):
    """A host transport that calls gb_load_features for the same apiHost and clientKey as the
    load it is serving: the inner load fails at once with GB_ERR_NETWORK (it would wait for
    itself), and the outer one completes (issue 12, bug 6)."""
    options = {"apiHost": FAKE_HOST, "clientKey": client_key}
    outer = handles(options)
    inner = handles(options)
    inner_results = []

    def reentering(url, headers, response):
        if not inner_results:
            rc = gbc.load(inner)
            inner_results.append((rc, gbc.last_error()))
        assert gbc.response_set_status(response, 200) == gbc.GB_OK
        assert gbc.response_set_body(response, json.dumps(payload("v1"))) == gbc.GB_OK
        return 0

    transport(reentering)
    rc = _in_thread(lambda: gbc.load(outer), 10)
    assert rc == gbc.GB_OK, gbc.last_error()
    assert gbc.value(outer, "color") == "v1"
    assert len(inner_results) == 1
    rc, message = inner_results[0]
    assert rc == gbc.GB_ERR_NETWORK, (rc, message)
    assert "transport" in message, message
    # Once loaded, the same call answers from the cache.
    assert gbc.load(inner) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(inner, "color") == "v1"


def test_transport_waiting_on_another_threads_load_of_same_features_is_bounded(
        transport, client_key, handles):
    """The transport hands the same load to another thread and waits for it: that thread waits
    for the load in flight at most its timeout, then fails; the outer load completes."""
    options = {"apiHost": FAKE_HOST, "clientKey": client_key, "timeout": 1}
    outer = handles(options)
    inner = handles(options)
    inner_results = []

    def delegating(url, headers, response):
        if not inner_results:
            def other():
                rc = gbc.load(inner)
                inner_results.append((rc, gbc.last_error()))
            t = threading.Thread(target=other, daemon=True)
            t.start()
            t.join(8)
            if t.is_alive():
                inner_results.append(("hung", ""))
        assert gbc.response_set_status(response, 200) == gbc.GB_OK
        assert gbc.response_set_body(response, json.dumps(payload("v1"))) == gbc.GB_OK
        return 0

    transport(delegating)
    start = time.monotonic()
    rc = _in_thread(lambda: gbc.load(outer), 15)
    elapsed = time.monotonic() - start
    assert rc == gbc.GB_OK, gbc.last_error()
    assert inner_results and inner_results[0][0] == gbc.GB_ERR_NETWORK, inner_results
    assert elapsed < 4, "the waiting load took %.1f s with timeout 1" % elapsed
