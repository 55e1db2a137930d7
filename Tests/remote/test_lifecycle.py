"""What gb_free promises under background work: once it returns, none of the handle's
callbacks runs again, whatever refresh or stream is in flight (issue 12, bug 1)."""

import threading
import time

import gbc
from helpers import payload


def test_no_log_callback_after_free_during_background_refresh(server, client_key, handles):
    """Two handles on one cache entry, refreshed every second against a server answering
    503: the refresher logs the failure to each. While A's log callback runs on the
    refresher thread, the test frees B and then A. gb_free(A) must wait for A's callback,
    and B's callback must not be entered after gb_free(B) returned."""
    server.set_payload(client_key, payload("v1"))
    options = {"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1,
               "cacheTTL": 1000}
    a = handles(options)
    b = handles(options)
    main = threading.get_ident()
    a_entered = threading.Event()
    state = {"a_done": False, "a_freed": False, "b_freed": False, "a_late": 0, "b_late": 0}

    def a_log(level, message):
        if state["a_freed"]:
            state["a_late"] += 1
        if threading.get_ident() == main or a_entered.is_set():
            return
        a_entered.set()
        time.sleep(0.3)
        if state["a_freed"]:
            state["a_late"] += 1
        state["a_done"] = True

    def b_log(level, message):
        if state["b_freed"]:
            state["b_late"] += 1

    gbc.set_log_callback(a, a_log, gbc.GB_LOG_WARNING)
    gbc.set_log_callback(b, b_log, gbc.GB_LOG_WARNING)
    assert gbc.load(a) == gbc.GB_OK, gbc.last_error()
    assert gbc.load(b) == gbc.GB_OK, gbc.last_error()
    server.set_status(client_key, 503)

    assert a_entered.wait(5), "the refresher never logged the failed refresh to A"
    handles.free(b)
    state["b_freed"] = True
    handles.free(a)
    state["a_freed"] = True
    assert state["a_done"], "gb_free(A) returned while A's log callback was still running"
    time.sleep(1.5)  # the refresher's round goes on to B; another round may start
    assert state["a_late"] == 0, "A's log callback ran after gb_free(A) returned"
    assert state["b_late"] == 0, "B's log callback ran after gb_free(B) returned"
    assert not gbc.callback_errors


def test_free_from_own_background_log_callback(server, client_key, handles):
    """gb_free from inside the handle's own log callback, on the refresher thread, returns
    (it does not wait for itself), and the callback is not called again."""
    server.set_payload(client_key, payload("v1"))
    h = gbc.create({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1,
                    "cacheTTL": 1000})
    main = threading.get_ident()
    calls = []
    freed = threading.Event()

    def log(level, message):
        if threading.get_ident() == main:
            return
        calls.append(message)
        if len(calls) == 1:
            gbc.free(h)
            freed.set()

    gbc.set_log_callback(h, log, gbc.GB_LOG_WARNING)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    server.set_status(client_key, 503)
    assert freed.wait(5), "gb_free from the handle's own background callback did not return"
    time.sleep(1.5)
    assert len(calls) == 1, calls
