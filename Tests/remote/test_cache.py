"""The process-wide payload cache: TTL, stale-while-revalidate, ETags and
sharing one entry between many handles and threads."""

import threading
import time

import gbc
from helpers import flag, payload
from server import wait_until


def test_ttl_stale_while_revalidate(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key, "cacheTTL": 1})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "v1"
    assert server.request_count(client_key) == 1

    # fresh entry: served from memory, no request
    server.set_payload(client_key, payload("v2"))
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "v1"
    assert server.request_count(client_key) == 1

    # expired entry: served stale at once while one background refresh runs
    # (the server takes 1 s to answer it)
    time.sleep(1.5)
    server.set_delay(client_key, 1.0)
    t0 = time.monotonic()
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    elapsed = time.monotonic() - t0
    assert elapsed < 0.5, "stale load blocked for %.2f s" % elapsed
    assert gbc.value(h, "color") == "v1"

    def refreshed():
        assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
        return gbc.value(h, "color") == "v2"

    assert wait_until(refreshed, 3.0, 0.1), "the background refresh never showed v2"
    # one background refresh, however many loads ran while it was in flight
    assert server.request_count(client_key) == 2


def test_etag_not_modified(server, client_key, handles):
    server.set_payload(client_key, payload("same"))
    etag = server.etag(client_key)
    h = handles({"apiHost": server.url, "clientKey": client_key, "cacheTTL": 1})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert server.if_none_match_values(client_key) == []

    time.sleep(1.5)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()  # stale; refresh starts
    assert wait_until(lambda: server.not_modified_count(client_key) >= 1, 3.0), \
        "no refresh answered 304 (If-None-Match sent: %r)" % server.if_none_match_values(client_key)
    assert server.if_none_match_values(client_key)[0] == etag
    assert server.not_modified_count(client_key) == 1
    assert server.request_count(client_key) == 2

    # the handle keeps working on the unchanged payload
    time.sleep(0.2)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "same"
    h2 = handles({"apiHost": server.url, "clientKey": client_key, "cacheTTL": 1})
    assert gbc.load(h2) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h2, "color") == "same"

    # and a changed payload after a 304 is still picked up
    server.set_payload(client_key, payload("changed"))
    time.sleep(1.2)

    def changed():
        assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
        return gbc.value(h, "color") == "changed"

    assert wait_until(changed, 3.0, 0.1)


def test_clear_cache_forces_request(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    server.set_payload(client_key, payload("v2"))
    assert gbc.load(h) == gbc.GB_OK
    assert gbc.value(h, "color") == "v1"
    gbc.clear_cache()
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "v2"
    assert server.request_count(client_key) == 2


def test_cache_keyed_by_client_key(server, client_key, handles):
    other = client_key + "-other"
    server.set_payload(client_key, payload("mine"))
    server.set_payload(other, payload("theirs"))
    a = handles({"apiHost": server.url, "clientKey": client_key})
    b = handles({"apiHost": server.url, "clientKey": other})
    assert gbc.load(a) == gbc.GB_OK, gbc.last_error()
    assert gbc.load(b) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(a, "color") == "mine"
    assert gbc.value(b, "color") == "theirs"


def test_twenty_handles_one_request(server, client_key, handles):
    server.set_features(client_key, flag("shared"))
    opts = {"apiHost": server.url, "clientKey": client_key}
    for i in range(20):
        h = handles(opts)
        assert gbc.load(h) == gbc.GB_OK, "handle %d: %s" % (i, gbc.last_error())
        assert gbc.value(h, "color") == "shared"
    assert server.request_count(client_key) == 1


def test_concurrent_cold_cache_one_request(server, client_key):
    server.set_features(client_key, flag("concurrent"))
    server.set_delay(client_key, 0.3)
    opts = {"apiHost": server.url, "clientKey": client_key}
    n = 8
    barrier = threading.Barrier(n, timeout=10)
    results = [None] * n
    created = []
    lock = threading.Lock()

    def worker(i):
        h = None
        try:
            h = gbc.create(opts)
            with lock:
                created.append(h)
            barrier.wait()
            rc = gbc.load(h)
            err = gbc.last_error() if rc != gbc.GB_OK else ""
            results[i] = (rc, err, gbc.value(h, "color"))
        except Exception as e:  # reported below
            results[i] = ("exception", repr(e), None)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    elapsed = time.monotonic() - t0
    alive = [t for t in threads if t.is_alive()]
    try:
        assert not alive, "%d threads still loading after 20 s" % len(alive)
        assert results == [(gbc.GB_OK, "", "concurrent")] * n, results
        assert server.request_count(client_key) == 1
        # they waited for the one request together, not one after another
        assert elapsed < 0.3 * n / 2, "8 loads took %.2f s" % elapsed
    finally:
        if not alive:
            for h in created:
                gbc.free(h)


def test_stale_served_when_refresh_fails(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key, "cacheTTL": 1})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    server.set_status(client_key, 500)
    time.sleep(1.5)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()   # stale; the refresh fails
    assert wait_until(lambda: server.request_count(client_key) >= 2, 3.0)
    time.sleep(0.2)
    # the failed refresh dropped nothing: loads still succeed with v1
    h2 = handles({"apiHost": server.url, "clientKey": client_key, "cacheTTL": 1})
    assert gbc.load(h2) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h2, "color") == "v1"
    assert gbc.value(h, "color") == "v1"
    # and once the server recovers, a later refresh brings the new payload
    server.set_payload(client_key, payload("v2"))

    def recovered():
        assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
        return gbc.value(h, "color") == "v2"

    assert wait_until(recovered, 3.0, 0.1), "no successful refresh after the server recovered"
