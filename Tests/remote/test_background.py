"""Background updates without gb_load_features calls: refreshInterval
polling and server-sent-events streaming."""

import os
import time

import gbc
from helpers import flag, payload
from server import encrypted_payload, new_key, wait_until


def shows(h, value):
    return lambda: gbc.value(h, "color") == value


def test_refresh_interval(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "v1"
    server.set_payload(client_key, payload("v2"))
    assert wait_until(shows(h, "v2"), 4.0, 0.1), \
        "refreshInterval 1: still %r after 4 s (%d requests)" % (
            gbc.value(h, "color"), server.request_count(client_key))


def test_refresh_interval_stops_after_free(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key,
                 "refreshInterval": 1, "cacheTTL": 1})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert wait_until(lambda: server.request_count(client_key) >= 2, 4.0), \
        "no background refresh within 4 s"
    handles.free(h)
    freed = time.monotonic()
    time.sleep(0.2)  # a request already started at gb_free still arrives
    n = server.request_count(client_key)
    time.sleep(2.5)
    times = ["%+.2f" % (t - freed) for t in server.request_times(client_key)]
    assert server.request_count(client_key) == n, \
        "refreshes continue after gb_free (request times relative to gb_free: %s)" % ", ".join(times)


def streaming_handle(handles, server, client_key):
    h = handles({"apiHost": server.url, "clientKey": client_key, "streaming": True})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert wait_until(lambda: server.sse_open(client_key) >= 1, 3.0), \
        "no connection to /sub/%s within 3 s" % client_key
    return h


def test_streaming_event_applied(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = streaming_handle(handles, server, client_key)
    assert gbc.value(h, "color") == "v1"
    server.push_event(client_key, payload("v2"))
    assert wait_until(shows(h, "v2"), 3.0), "the pushed event was not applied within 3 s"
    server.push_event(client_key, {"features": {"color": {"defaultValue": "v3"}},
                                   "savedGroups": {"g": ["u1"]}})
    assert wait_until(shows(h, "v3"), 3.0), "the second event was not applied within 3 s"


def test_streaming_reconnects(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = streaming_handle(handles, server, client_key)
    server.push_event(client_key, payload("v2"))
    assert wait_until(shows(h, "v2"), 3.0), "the pushed event was not applied within 3 s"
    before = server.sse_connections(client_key)
    server.drop_sse(client_key)
    assert wait_until(lambda: server.sse_connections(client_key) > before
                      and server.sse_open(client_key) >= 1, 6.0), \
        "no reconnection to /sub/%s within 6 s of the drop" % client_key
    server.push_event(client_key, payload("v3"))
    assert wait_until(shows(h, "v3"), 3.0), \
        "the event after the reconnection was not applied within 3 s (value %r)" % gbc.value(h, "color")


def test_streaming_closes_after_last_free(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    a = streaming_handle(handles, server, client_key)
    b = handles({"apiHost": server.url, "clientKey": client_key, "streaming": True})
    assert gbc.load(b) == gbc.GB_OK, gbc.last_error()
    time.sleep(0.5)
    server.push_event(client_key, payload("v2"))
    assert wait_until(lambda: gbc.value(a, "color") == "v2" and gbc.value(b, "color") == "v2", 3.0), \
        "both streaming handles should see the event (a=%r, b=%r)" % (
            gbc.value(a, "color"), gbc.value(b, "color"))

    handles.free(a)
    server.push_event(client_key, payload("v3"))
    assert wait_until(shows(b, "v3"), 3.0), "the remaining handle stopped streaming"
    assert server.sse_open(client_key) >= 1

    handles.free(b)
    assert wait_until(lambda: server.sse_open(client_key) == 0, 5.0), \
        "%d SSE connection(s) still open 5 s after gb_free of the last streaming handle" % (
            server.sse_open(client_key))


def test_non_streaming_handle_opens_no_stream(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    time.sleep(0.5)
    assert server.sse_connections(client_key) == 0


def test_streaming_encrypted_event(server, client_key, handles):
    key = new_key()
    server.set_payload(client_key, encrypted_payload(flag("v1"), None, key))
    h = handles({"apiHost": server.url, "clientKey": client_key, "streaming": True,
                 "decryptionKey": key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "v1"
    assert wait_until(lambda: server.sse_open(client_key) >= 1, 3.0)
    server.push_event(client_key, encrypted_payload(flag("v2"), {"g": ["u1"]}, key))
    assert wait_until(shows(h, "v2"), 3.0), "the encrypted event was not applied within 3 s"


def test_streaming_ignores_bad_events(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = streaming_handle(handles, server, client_key)
    server.push_raw(client_key, b"event: features\ndata: {not json\n\n")
    server.push_raw(client_key, b"event: features\ndata: {\"nofeatures\": 1}\n\n")
    server.push_raw(client_key, b": a comment\n\nevent: something-else\ndata: {}\n\n")
    time.sleep(0.5)
    assert gbc.value(h, "color") == "v1"
    server.push_event(client_key, payload("v2"))
    assert wait_until(shows(h, "v2"), 3.0), "a valid event after bad ones was not applied"


def test_streaming_survives_clear_cache(server, client_key, handles):
    server.set_payload(client_key, payload("v1"))
    h = streaming_handle(handles, server, client_key)
    gbc.clear_cache()
    server.push_event(client_key, payload("v2"))
    assert wait_until(shows(h, "v2"), 3.0), "the stream stopped applying events after gb_clear_cache"


def _thread_count():
    return len(os.listdir("/proc/self/task"))


def test_features_updated_flood_coalesces(server, client_key, handles):
    """500 features-updated events while the features endpoint is slow: refreshes coalesce,
    at most one in flight per cache entry plus one more after it (the events that arrived
    meanwhile), not one thread and one request per event (issue 12, bug 2)."""
    server.set_payload(client_key, payload("v1"))
    h = streaming_handle(handles, server, client_key)
    requests_before = server.request_count(client_key)
    threads_before = _thread_count()
    server.set_delay(client_key, 1.0)
    server.set_payload(client_key, payload("v2"))
    server.push_raw(client_key, b"event: features-updated\ndata: {}\n\n" * 500)
    assert wait_until(lambda: server.request_count(client_key) > requests_before, 3.0), \
        "no refresh after 500 features-updated events"
    time.sleep(0.5)  # the flood has been read; refreshes started for it are in flight
    in_flight = server.request_count(client_key) - requests_before
    grown = _thread_count() - threads_before
    assert in_flight == 1, "%d requests in flight for one cache entry" % in_flight
    assert grown <= 5, "%d more threads in the process during the flood" % grown
    assert wait_until(shows(h, "v2"), 5.0), "the refresh did not apply v2"
    time.sleep(1.5)  # the one coalesced follow-up refresh, if any, ends
    total = server.request_count(client_key) - requests_before
    assert total <= 2, "%d requests for 500 events (at most 2 expected)" % total
    assert _thread_count() - threads_before <= 2


def test_refresh_interval_has_a_minimum_of_one_second(server, client_key, handles):
    """refreshInterval below 1 s counts as 1 s (it polled as fast as the server answered:
    14,000 requests/s; issue 12)."""
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 0.01})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    before = server.request_count(client_key)
    time.sleep(3.2)
    n = server.request_count(client_key) - before
    assert 1 <= n <= 4, "%d refreshes in 3.2 s with refreshInterval 0.01 (minimum 1 s)" % n


def test_failing_refreshes_back_off_and_recover(server, client_key, handles):
    """Against a server answering 503, periodic refreshes back off exponentially (with
    jitter) instead of polling every interval; once the server answers again the handle
    updates and refreshes every interval again."""
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    server.set_status(client_key, 503)
    before = server.request_count(client_key)
    time.sleep(7.2)
    failing = server.request_times(client_key)[before:]
    gaps = ["%.2f" % (b - a) for a, b in zip(failing, failing[1:])]
    # 1 s interval: 1 s, then 1-2 s, 2-4 s, 4-8 s between attempts; without backoff 7.
    assert 2 <= len(failing) <= 4, "%d refreshes in 7.2 s against 503 (gaps %s)" % (len(failing), gaps)
    server.set_payload(client_key, payload("v2"))  # answers normally again
    assert wait_until(shows(h, "v2"), 10.0), "no successful refresh within 10 s of recovery"
    recovered = server.request_count(client_key)
    time.sleep(3.2)
    n = server.request_count(client_key) - recovered
    assert 2 <= n <= 4, "%d refreshes in 3.2 s after recovery (interval 1 s expected)" % n
