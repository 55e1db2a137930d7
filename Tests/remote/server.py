"""A GrowthBook-API-like HTTP server on loopback for the remote-loading tests.

FeatureServer runs a ThreadingHTTPServer on 127.0.0.1 (port chosen by the OS)
in a daemon thread. Tests control it through a registry keyed by client key:

  GET /api/features/<key>  the key's payload as JSON (with an ETag; 304 when
                           If-None-Match matches), or the key's configured
                           misbehaviour: an HTTP status, a raw (garbage or
                           truncated) body, a delay before answering, a
                           redirect (302) to any URL.
  GET /sub/<key>           server-sent events: the connection stays open and
                           every event pushed with push_event() is sent as
                           "event: features\\ndata: <json>\\n\\n". drop_sse()
                           closes the open connections abruptly.

Every wait inside the server is bounded and ends when stop() is called.
"""

import base64
import hashlib
import json
import os
import select
import socket
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


# --------------------------------------------------------------------------
# Encryption in GrowthBook's format
# --------------------------------------------------------------------------

def new_key():
    """A random AES-128 key, base64 encoded (as GrowthBook's decryptionKey)."""
    return base64.b64encode(os.urandom(16)).decode()


def encrypt(plaintext, key_b64):
    """AES-128-CBC + PKCS#7: base64(iv) + "." + base64(ciphertext)."""
    if not isinstance(plaintext, bytes):
        plaintext = plaintext.encode("utf-8")
    key = base64.b64decode(key_b64)
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(padded) + enc.finalize()
    return base64.b64encode(iv).decode() + "." + base64.b64encode(ct).decode()


def encrypted_payload(features, saved_groups, key_b64):
    """A payload with encryptedFeatures (and encryptedSavedGroups)."""
    payload = {"encryptedFeatures": encrypt(json.dumps(features), key_b64)}
    if saved_groups is not None:
        payload["encryptedSavedGroups"] = encrypt(json.dumps(saved_groups), key_b64)
    return payload


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode("utf-8")


# --------------------------------------------------------------------------
# Server state
# --------------------------------------------------------------------------

class _Entry:
    def __init__(self):
        self.payload = None      # dict served as JSON
        self.etag = None         # quoted ETag of the payload
        self.status = None       # int: answer this status instead
        self.raw = None          # bytes: answer 200 with this body instead
        self.delay = 0.0         # seconds to wait before answering
        self.redirect = None     # str: answer 302 with this Location instead


class _SSEConn:
    def __init__(self, key, number):
        self.key = key
        self.number = number
        self.queue = []          # encoded events waiting to be written
        self.drop = False


class FeatureServer:
    def __init__(self):
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._entries = defaultdict(_Entry)
        self._counts = Counter()          # path -> requests
        self._not_modified = Counter()    # key -> 304 answers
        self._inm = defaultdict(list)     # key -> If-None-Match values received
        self._headers = defaultdict(list) # key -> request headers (dicts)
        self._times = defaultdict(list)   # key -> time.monotonic() of requests
        self._sse_total = Counter()       # key -> connections ever opened
        self._sse_open = defaultdict(list)  # key -> open _SSEConn
        self._sse_pending = defaultdict(list)  # key -> events with no listener
        self._sse_number = 0

        owner = self

        class Handler(_Handler):
            server_owner = owner

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name="feature-server", daemon=True)
        self._thread.start()

    # ---- lifecycle ------------------------------------------------------

    def stop(self):
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    # ---- registry -------------------------------------------------------

    def set_payload(self, key, payload):
        """Serve payload (a dict) for key, normally; clears misbehaviours
        except the delay."""
        body = dumps(payload)
        with self._cond:
            e = self._entries[key]
            e.payload = payload
            e.etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
            e.status = None
            e.raw = None

    def set_features(self, key, features, saved_groups=None):
        payload = {"features": features}
        if saved_groups is not None:
            payload["savedGroups"] = saved_groups
        self.set_payload(key, payload)

    def set_status(self, key, status):
        with self._cond:
            self._entries[key].status = status

    def set_raw(self, key, body):
        with self._cond:
            self._entries[key].raw = body

    def set_redirect(self, key, location):
        """Answer /api/features/<key> with 302 Found to location (None: stop)."""
        with self._cond:
            self._entries[key].redirect = location

    def set_delay(self, key, seconds):
        with self._cond:
            self._entries[key].delay = seconds

    def etag(self, key):
        with self._cond:
            return self._entries[key].etag

    # ---- counters -------------------------------------------------------

    def request_count(self, key):
        """Requests received for /api/features/<key>."""
        with self._cond:
            return self._counts["/api/features/" + key]

    def count(self, path):
        with self._cond:
            return self._counts[path]

    def not_modified_count(self, key):
        with self._cond:
            return self._not_modified[key]

    def if_none_match_values(self, key):
        with self._cond:
            return list(self._inm[key])

    def request_times(self, key):
        """time.monotonic() at the arrival of each /api/features/<key>
        request."""
        with self._cond:
            return list(self._times[key])

    def request_headers(self, key):
        with self._cond:
            return list(self._headers[key])

    # ---- server-sent events ---------------------------------------------

    def push_event(self, key, payload, event="features", update_http=True):
        """Send an event to every open /sub/<key> connection (or to the next
        one to open, if none is open). With update_http the key's
        /api/features payload becomes the same payload, as on a real server."""
        if update_http:
            self.set_payload(key, payload)
        data = ("event: %s\ndata: %s\n\n" % (event, dumps(payload).decode())).encode()
        self.push_raw(key, data)

    def push_raw(self, key, data):
        """Send raw bytes on the /sub/<key> stream (or to the next
        connection)."""
        with self._cond:
            conns = self._sse_open[key]
            if conns:
                for c in conns:
                    c.queue.append(data)
            else:
                self._sse_pending[key].append(data)
            self._cond.notify_all()

    def drop_sse(self, key):
        """Close every open /sub/<key> connection abruptly."""
        with self._cond:
            for c in self._sse_open[key]:
                c.drop = True
            self._cond.notify_all()

    def sse_connections(self, key):
        """Connections to /sub/<key> ever opened."""
        with self._cond:
            return self._sse_total[key]

    def sse_open(self, key):
        """Connections to /sub/<key> open now."""
        with self._cond:
            return len(self._sse_open[key])

    # ---- used by the handler --------------------------------------------

    def _features_request(self, path, key, headers):
        with self._cond:
            self._counts[path] += 1
            self._headers[key].append(headers)
            self._times[key].append(time.monotonic())
            inm = headers.get("if-none-match")
            if inm is not None:
                self._inm[key].append(inm)
            e = self._entries.get(key)
            if e is None:
                return None, inm
            snap = _Entry()
            snap.__dict__.update(e.__dict__)
            return snap, inm

    def _count_304(self, key):
        with self._cond:
            self._not_modified[key] += 1

    def _sse_opened(self, key):
        with self._cond:
            self._counts["/sub/" + key] += 1
            self._sse_number += 1
            c = _SSEConn(key, self._sse_number)
            c.queue.extend(self._sse_pending.pop(key, []))
            self._sse_total[key] += 1
            self._sse_open[key].append(c)
            self._cond.notify_all()
            return c

    def _sse_closed(self, conn):
        with self._cond:
            try:
                self._sse_open[conn.key].remove(conn)
            except ValueError:
                pass
            self._cond.notify_all()

    def _sse_wait(self, conn, timeout):
        """Wait up to timeout for events or a drop; returns (events, drop)."""
        with self._cond:
            if not conn.queue and not conn.drop and not self._stopping.is_set():
                self._cond.wait(timeout)
            events, conn.queue = conn.queue, []
            return events, conn.drop


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gb-test-server/1.0"
    server_owner = None  # set by FeatureServer
    timeout = 30  # a stuck client connection is closed eventually

    def log_message(self, fmt, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            if path.startswith("/api/features/"):
                self._features(path, unquote(path[len("/api/features/"):]), headers)
            elif path.startswith("/sub/"):
                self._sse(unquote(path[len("/sub/"):]))
            else:
                self._send(404, b'{"message":"not found"}')
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            self.close_connection = True

    def _send(self, status, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _features(self, path, key, headers):
        srv = self.server_owner
        entry, inm = srv._features_request(path, key, headers)
        if entry is not None and entry.delay > 0:
            if srv._stopping.wait(entry.delay):
                self.close_connection = True
                return
        if entry is None:
            self._send(404, b'{"message":"unknown client key"}')
        elif entry.redirect is not None:
            self._send(302, b"", [("Location", entry.redirect)])
        elif entry.status is not None:
            self._send(entry.status, b'{"message":"error"}')
        elif entry.raw is not None:
            self._send(200, entry.raw)
        elif entry.payload is None:
            self._send(404, b'{"message":"no payload"}')
        elif inm is not None and inm == entry.etag:
            srv._count_304(key)
            self.send_response(304)
            self.send_header("ETag", entry.etag)
            self.end_headers()
            self.wfile.flush()
        else:
            self._send(200, dumps(entry.payload), [("ETag", entry.etag)])

    def _sse(self, key):
        srv = self.server_owner
        conn = srv._sse_opened(key)
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            sock = self.connection
            while not srv._stopping.is_set():
                events, drop = srv._sse_wait(conn, 0.1)
                if drop:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                for ev in events:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(ev), ev))
                    self.wfile.flush()
                # The client never sends anything after its request: a
                # readable socket means it closed the connection.
                r, _, _ = select.select([sock], [], [], 0)
                if r:
                    try:
                        data = sock.recv(1, socket.MSG_PEEK)
                    except OSError:
                        data = b""
                    if not data:
                        return
            # server stopping: end the stream properly
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        finally:
            srv._sse_closed(conn)


def wait_until(predicate, timeout, interval=0.05):
    """Poll predicate until it is truthy or timeout seconds pass; returns its
    last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)
