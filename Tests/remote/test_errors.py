"""Failing loads: every failure gives its GB_ERR_* code, a non-empty
gb_last_error() and leaves the handle's previous features in place."""

import socket
import time

import pytest

import gbc
from helpers import BEFORE, handle_with_previous


def check_failure(h, expected_code):
    rc = gbc.load(h)
    code = gbc.last_error_code()
    msg = gbc.last_error()
    assert rc == expected_code, "expected %s, got %s (%r)" % (
        gbc.ERROR_NAMES.get(expected_code), gbc.ERROR_NAMES.get(rc, rc), msg)
    assert code == expected_code
    assert msg, "gb_last_error() is empty after a failed load"
    assert gbc.value(h, "color") == BEFORE
    return msg


def test_timeout(server, client_key, handles):
    server.set_features(client_key, {"color": {"defaultValue": "late"}})
    server.set_delay(client_key, 3)
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key,
                                       "timeout": 1})
    t0 = time.monotonic()
    check_failure(h, gbc.GB_ERR_NETWORK)
    elapsed = time.monotonic() - t0
    assert 0.8 <= elapsed < 2.0, "load took %.2f s with timeout 1 and a 3 s delay" % elapsed


@pytest.mark.parametrize("timeout", [0, 0.0005, 0.0009999, -1])
def test_timeout_without_a_total_limit_is_rejected(timeout):
    """A timeout below 1 ms meant no total timeout at all (libcurl reads 0 ms as none):
    gb_create rejects it with GB_ERR_INVALID_ARGUMENT (issue 12, timeouts)."""
    with pytest.raises(gbc.GBError) as e:
        gbc.create({"apiHost": "http://127.0.0.1:9", "clientKey": "k", "timeout": timeout})
    assert e.value.code == gbc.GB_ERR_INVALID_ARGUMENT, e.value
    assert "timeout" in e.value.message


def test_remote_option_of_the_wrong_type_is_a_type_error():
    for options in ({"timeout": "10"}, {"clientKey": 5}, {"refreshInterval": [1]}):
        with pytest.raises(gbc.GBError) as e:
            gbc.create(options)
        assert e.value.code == gbc.GB_ERR_TYPE, (options, e.value)


def test_one_millisecond_timeout_is_a_limit(server, client_key, handles):
    """The smallest timeout accepted, 1 ms, limits the request (the server waits 1 s)."""
    server.set_features(client_key, {"color": {"defaultValue": "late"}})
    server.set_delay(client_key, 1)
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key,
                                       "timeout": 0.001})
    t0 = time.monotonic()
    check_failure(h, gbc.GB_ERR_NETWORK)
    assert time.monotonic() - t0 < 0.8


def test_status_500(server, client_key, handles):
    server.set_status(client_key, 500)
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    check_failure(h, gbc.GB_ERR_HTTP)


def test_status_404(server, client_key, handles):
    # the server knows nothing about this key: 404
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    check_failure(h, gbc.GB_ERR_HTTP)
    assert server.request_count(client_key) == 1


def test_garbage_body(server, client_key, handles):
    server.set_raw(client_key, b"<html><body>Bad gateway</body></html>")
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    check_failure(h, gbc.GB_ERR_JSON)


def test_truncated_json(server, client_key, handles):
    full = b'{"features":{"color":{"defaultValue":"after"},"size":{"defaultValue":3}}}'
    server.set_raw(client_key, full[: len(full) // 2])
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    check_failure(h, gbc.GB_ERR_JSON)


def test_payload_without_features(server, client_key, handles):
    server.set_payload(client_key, {"status": 200, "savedGroups": {"beta": ["u1"]}})
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    check_failure(h, gbc.GB_ERR_HTTP)


def test_payload_not_an_object(server, client_key, handles):
    server.set_raw(client_key, b'["features"]')
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    rc = gbc.load(h)
    assert rc < 0
    assert gbc.last_error()
    assert gbc.value(h, "color") == BEFORE


def unused_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_connection_refused(client_key, handles):
    h = handle_with_previous(handles, {"apiHost": "http://127.0.0.1:%d" % unused_port(),
                                       "clientKey": client_key, "timeout": 2})
    t0 = time.monotonic()
    check_failure(h, gbc.GB_ERR_NETWORK)
    assert time.monotonic() - t0 < 2.0


def test_failure_is_not_cached(server, client_key, handles):
    """A failed load caches nothing: once the server recovers, the next load
    requests again and succeeds."""
    server.set_status(client_key, 500)
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    check_failure(h, gbc.GB_ERR_HTTP)
    server.set_features(client_key, {"color": {"defaultValue": "recovered"}})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "recovered"
    assert server.request_count(client_key) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 502, 503])
def test_other_error_statuses(server, client_key, handles, status):
    server.set_status(client_key, status)
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    check_failure(h, gbc.GB_ERR_HTTP)


class _Listener:
    """A TCP listener on loopback that counts the connections it accepts and greets each
    as an FTP server would."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.received = b""
        self._stop = False
        import threading
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            try:
                conn.settimeout(0.5)
                conn.sendall(b"220 ready\r\n")
                self.received += conn.recv(1024)
            except OSError:
                pass
            finally:
                conn.close()

    def close(self):
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@pytest.mark.parametrize("scheme", ["ftp", "gopher", "dict", "file"])
def test_redirect_to_another_protocol_is_not_followed(server, client_key, handles, scheme):
    """A redirect to anything but http or https is refused: no connection is made (libcurl
    followed ftp:// and logged in as anonymous) and the load fails (issue 12, redirects)."""
    listener = _Listener()
    try:
        target = ("file:///etc/hostname" if scheme == "file"
                  else "%s://127.0.0.1:%d/features" % (scheme, listener.port))
        server.set_redirect(client_key, target)
        h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key,
                                           "timeout": 2})
        rc = gbc.load(h)
        msg = gbc.last_error()
        time.sleep(0.3)
        assert listener.accepted == 0, "the redirect to %s was followed (%r)" % (target, listener.received)
        assert rc == gbc.GB_ERR_NETWORK, (gbc.ERROR_NAMES.get(rc, rc), msg)
        assert gbc.value(h, "color") == BEFORE
    finally:
        listener.close()


def test_api_host_of_another_protocol_is_refused(handles):
    listener = _Listener()
    try:
        h = handle_with_previous(handles, {"apiHost": "ftp://127.0.0.1:%d" % listener.port,
                                           "clientKey": "k", "timeout": 2})
        check_failure(h, gbc.GB_ERR_NETWORK)
        time.sleep(0.3)
        assert listener.accepted == 0
    finally:
        listener.close()


def test_http_redirect_to_http_is_followed(server, client_key, handles):
    """Redirects within http (or up to https) still work."""
    server.set_features(client_key + "-moved", {"color": {"defaultValue": "moved"}})
    server.set_redirect(client_key, server.url + "/api/features/" + client_key + "-moved")
    h = handles({"apiHost": server.url, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "moved"
