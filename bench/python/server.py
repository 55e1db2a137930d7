"""A GrowthBook-API-like payload server on loopback (127.0.0.1 only) for W5.

    GET /api/features/<client key>  -> the payload registered for that key (JSON, with an ETag;
                                      304 when If-None-Match matches), 404 otherwise.

Standard library only; runs in a daemon thread of the benchmark driver. The contenders load
from it once per process and then answer from their in-process caches, so its speed does not
enter the W5 figures (the request count it keeps shows that)."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PayloadServer:
    def __init__(self):
        self.payloads = {}
        self.requests = 0
        lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with lock:
                    owner.requests += 1
                prefix = "/api/features/"
                key = self.path[len(prefix):].split("?")[0] if self.path.startswith(prefix) else None
                body = owner.payloads.get(key)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="payload-server")
        self.thread.start()

    def set_payload(self, client_key, body_bytes):
        self.payloads[client_key] = body_bytes

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
