"""fork(): a child of a process with a streaming and a refreshing handle keeps both working
(pre-forking servers: gunicorn --preload, uwsgi load features in the parent, then fork). The
parent's background threads do not exist in the child, so the library restarts them there
(issue 12, fork)."""

import os
import select
import time

import gbc
from helpers import payload
from server import wait_until


def _child(hs, hr, w):
    """In the forked child: report within 12 s whether the stream and the refresher update
    the handles, then leave without running any of pytest's code."""
    try:
        deadline = time.monotonic() + 12
        stream = refresh = False
        while time.monotonic() < deadline and not (stream and refresh):
            stream = stream or gbc.value(hs, "color") == "s2"
            refresh = refresh or gbc.value(hr, "color") == "r2"
            time.sleep(0.05)
        os.write(w, b"%d%d" % (stream, refresh))
    finally:
        os._exit(0)


def test_forked_child_keeps_streaming_and_refreshing(server, client_key, handles):
    ks, kr = client_key + "-s", client_key + "-r"
    server.set_payload(ks, payload("s1"))
    server.set_payload(kr, payload("r1"))
    hs = handles({"apiHost": server.url, "clientKey": ks, "streaming": True})
    hr = handles({"apiHost": server.url, "clientKey": kr, "refreshInterval": 1})
    assert gbc.load(hs) == gbc.GB_OK, gbc.last_error()
    assert gbc.load(hr) == gbc.GB_OK, gbc.last_error()
    assert wait_until(lambda: server.sse_open(ks) >= 1, 3.0), "the parent's stream did not connect"
    time.sleep(1.2)  # the parent's refresher is in its loop

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _child(hs, hr, w)
    os.close(w)
    try:
        # The child opens a stream of its own; the event goes to every open connection.
        child_stream = wait_until(lambda: server.sse_open(ks) >= 2, 6.0)
        server.set_payload(kr, payload("r2"))
        server.push_event(ks, payload("s2"))
        ready, _, _ = select.select([r], [], [], 15)
        result = os.read(r, 2) if ready else b"timeout"
    finally:
        os.close(r)
        for _ in range(100):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    assert child_stream, "the child never opened a stream of its own"
    assert result == b"11", "child: stream updated, refresh updated = %r (1 = yes)" % result
    # The parent's background work goes on as before.
    assert wait_until(lambda: gbc.value(hs, "color") == "s2" and gbc.value(hr, "color") == "r2", 5.0)


def test_forked_child_frees_a_handle_whose_callback_ran_at_fork(server, client_key, handles):
    """fork() while the refresher thread is inside a handle's log callback: in the child that
    thread does not exist, so gb_free of the handle there must not wait for it."""
    import threading
    server.set_payload(client_key, payload("v1"))
    h = gbc.create({"apiHost": server.url, "clientKey": client_key, "refreshInterval": 1,
                    "cacheTTL": 1000})
    main = threading.get_ident()
    inside = threading.Event()

    def slow_log(level, message):
        if threading.get_ident() != main and not inside.is_set():
            inside.set()
            time.sleep(1.5)

    gbc.set_log_callback(h, slow_log, gbc.GB_LOG_WARNING)
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    server.set_status(client_key, 503)
    assert inside.wait(5), "the refresher never logged to the handle"
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            gbc.free(h)
            os.write(w, b"ok")
        finally:
            os._exit(0)
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], 5)
        result = os.read(r, 2) if ready else b"timeout"
    finally:
        os.close(r)
        for _ in range(40):
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    assert result == b"ok", "gb_free in the child waited for a callback of a thread the child does not have"
    gbc.free(h)  # in the parent: waits for the callback, which ends


def _client_sockets_to(port):
    """The inodes of this process's open TCP sockets whose remote port is `port`."""
    inodes = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    open_inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            open_inodes.add(target[8:-1])
    return inodes & open_inodes


def test_forked_child_closes_the_parents_stream_socket(server, client_key, handles):
    """The parent's stream connection is the parent's: the child closes its inherited copy
    of the socket in fork() (it used to keep it open, unused, for its whole life)."""
    server.set_payload(client_key, payload("v1"))
    h = handles({"apiHost": server.url, "clientKey": client_key, "streaming": True})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert wait_until(lambda: server.sse_open(client_key) >= 1, 3.0), "the stream did not connect"
    port = int(server.url.rsplit(":", 1)[1])
    parents = _client_sockets_to(port)
    assert parents, "the parent has no socket to the server"
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            still_open = parents & _client_sockets_to(port)
            os.write(w, b"%d" % len(still_open))
        finally:
            os._exit(0)
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], 5)
        result = os.read(r, 8) if ready else b"timeout"
    finally:
        os.close(r)
        os.waitpid(pid, 0)
    assert result == b"0", "the child kept %s of the parent's sockets to the server open" % result.decode()
    # The parent's stream is unaffected.
    assert server.sse_open(client_key) >= 1
    server.push_event(client_key, payload("v2"))
    assert wait_until(lambda: gbc.value(h, "color") == "v2", 3.0)
