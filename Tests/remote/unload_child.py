"""The child process of test_unload.py: loads libgrowthbook with dlopen (ctypes), gives it a
streaming and a refreshing handle and a host thread that made calls, unloads it with
dlclose, and checks that nothing of it runs afterwards. Repeated for several cycles.

    python unload_child.py <library> <api host> <client key> <mode> <cycles>

mode "free":     gb_free the handles, then dlclose (the destructor stops the threads);
mode "leak":     dlclose with the handles still alive (a host that forgot gb_free);
mode "shutdown": gb_shutdown(5000), expecting GB_OK, then gb_free and dlclose.

Prints one JSON line of figures and exits 0; any failure exits nonzero (a crash of a thread
left running in unmapped code is a SIGSEGV of the whole process).
"""

import _ctypes
import ctypes
import json
import os
import sys
import threading
import time

GB_OK = 0


def library_mapped(path):
    real = os.path.realpath(path)
    with open("/proc/self/maps") as f:
        return any(line.rstrip().endswith(real) for line in f)


def threads():
    return len(os.listdir("/proc/self/task"))


def descriptors():
    return len(os.listdir("/proc/self/fd"))


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def fail(message):
    sys.stderr.write("unload_child: %s\n" % message)
    sys.stderr.flush()
    os._exit(2)


def cycle(path, api_host, client_key, mode, baseline_threads):
    lib = ctypes.CDLL(path)
    lib.gb_create.restype = ctypes.c_void_p
    lib.gb_create.argtypes = [ctypes.c_char_p]
    lib.gb_free.argtypes = [ctypes.c_void_p]
    lib.gb_load_features.argtypes = [ctypes.c_void_p]
    lib.gb_is_on.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.gb_last_error.restype = ctypes.c_char_p

    streaming = lib.gb_create(json.dumps(
        {"apiHost": api_host, "clientKey": client_key, "streaming": True}).encode())
    refreshing = lib.gb_create(json.dumps(
        {"apiHost": api_host, "clientKey": client_key, "refreshInterval": 1, "cacheTTL": 1}).encode())
    if not streaming or not refreshing:
        fail("gb_create: %s" % lib.gb_last_error())
    for h in (streaming, refreshing):
        if lib.gb_load_features(h) != GB_OK:
            fail("gb_load_features: %s" % lib.gb_last_error())
    # The stream and the refresher run (two threads of the library's own).
    if not wait_until(lambda: threads() >= baseline_threads + 2, 5):
        fail("the background threads did not start (%d threads)" % threads())
    time.sleep(0.3)  # the stream is connected and waiting; the refresher is in its wait

    # A host thread that made calls (so has the library's thread-specific state) and outlives
    # the library: its exit must not run the library's key destructors.
    called, release = threading.Event(), threading.Event()

    def host_thread():
        lib.gb_is_on(streaming, b"color")
        lib.gb_create(b"{")  # an error: the last-error slot
        called.set()
        release.wait()

    t = threading.Thread(target=host_thread, daemon=True)
    t.start()
    called.wait()

    if mode == "shutdown":
        lib.gb_shutdown.argtypes = [ctypes.c_int]
        rc = lib.gb_shutdown(5000)
        if rc != GB_OK:
            fail("gb_shutdown: %d %s" % (rc, lib.gb_last_error()))
    if mode in ("free", "shutdown"):
        lib.gb_free(streaming)
        lib.gb_free(refreshing)
    started = time.monotonic()
    _ctypes.dlclose(lib._handle)
    unload_ms = (time.monotonic() - started) * 1000
    del lib
    # A background thread left running in the unmapped code would crash the process in here.
    time.sleep(0.5)
    if library_mapped(path):
        fail("the library is still mapped after dlclose")
    if threads() != baseline_threads + 1:
        fail("%d threads after dlclose, want %d (the host's + 1)" % (threads(), baseline_threads + 1))
    release.set()
    t.join()
    time.sleep(0.1)  # the host thread's exit would run a key destructor left behind
    return unload_ms


def main():
    path, api_host, client_key, mode, cycles = sys.argv[1:6]
    baseline_threads = threads()
    unload_ms, fds, rss = [], [], []
    for _ in range(int(cycles)):
        try:
            unload_ms.append(cycle(path, api_host, client_key, mode, baseline_threads))
        except Exception as e:  # e.g. a library without gb_shutdown
            fail("%s: %s" % (type(e).__name__, e))
        fds.append(descriptors())
        rss.append(rss_kib())
    print(json.dumps({"unload_ms": unload_ms, "descriptors": fds, "rss_kib": rss,
                      "threads": threads(), "baseline_threads": baseline_threads}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
