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
