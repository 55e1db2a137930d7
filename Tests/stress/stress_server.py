"""The loopback server of make stress (Tests/stress/run.sh): Tests/remote/server.py's
FeatureServer with one client key per fault, and a stream that keeps pushing. Prints its URL
on the first line of stdout, then runs until stdin closes (or --seconds pass).

Client keys: ok (a payload, with ETags), e503 (HTTP 503), garbage (a body that is not JSON),
slow (a payload after 0.3 s), ftp (a redirect to ftp://), missing (404), stream (a payload;
on /sub/stream a features event every 0.2 s, a burst of 200 features-updated events every
second, the connections dropped every 3 s)."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "remote"))

from server import FeatureServer  # noqa: E402


def features(n):
    return {"features": {
        "flag": {"defaultValue": n % 2 == 0},
        "color": {"defaultValue": "c%d" % n, "rules": [
            {"condition": {"country": {"$in": ["US", "CA"]}}, "force": "na"},
            {"key": "exp", "variations": ["a", "b"], "hashAttribute": "id", "hashVersion": 2}]},
    }}


def main():
    seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 3600
    srv = FeatureServer()
    srv.set_payload("ok", features(0))
    srv.set_status("e503", 503)
    srv.set_raw("garbage", b"{not json")
    srv.set_payload("slow", features(1))
    srv.set_delay("slow", 0.3)
    srv.set_redirect("ftp", "ftp://127.0.0.1:9/features")
    srv.set_payload("stream", features(2))
    print(srv.url, flush=True)

    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    end = time.monotonic() + seconds
    n = 3
    while not stop.is_set() and time.monotonic() < end:
        for _ in range(5):
            srv.push_event("stream", features(n))
            n += 1
            time.sleep(0.2)
        srv.push_raw("stream", b"event: features-updated\ndata: {}\n\n" * 200)
        if n % 15 == 3:
            srv.drop_sse("stream")
    srv.stop()


if __name__ == "__main__":
    main()
