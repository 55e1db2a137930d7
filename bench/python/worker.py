"""One Python contender's measurements, run inside that contender's virtual environment.

    python worker.py --contender native|gb110|gblatest|ygg --data DIR --server URL
                     --client-key KEY --repeats N --target-ms MS --out FILE

Every contender is timed with the same loop shapes (below): a perf_counter_ns loop calling one
bound method with the same arguments, calibrated to about --target-ms per repeat. The results
(ns per operation, one sample per repeat) and the answers each contender gave (to check that
they agree) are written as JSON to FILE.
"""

import argparse
import gc
import json
import os
import sys
import time

perf_counter_ns = time.perf_counter_ns

# The workloads W1-W3, identical for every GrowthBook contender (and the C benchmark).
W_FEATURES = {
    "w1": {"defaultValue": True},
    "w2": {"defaultValue": False, "rules": [{
        "id": "w2-force",
        "condition": {"country": {"$in": ["US", "CA"]}, "age": {"$gt": 18}},
        "force": True}]},
    "w3": {"defaultValue": False, "rules": [{
        "id": "w3-exp", "variations": [False, True], "weights": [0.5, 0.5], "coverage": 1,
        "hashAttribute": "id", "hashVersion": 2, "condition": {"country": "US"}}]},
}
W_USER = {"id": "user-123", "country": "US", "age": 30}

# yggdrasil-engine's nearest equivalents (Unleash client features API, v1 state).
YGG_STATE = {"version": 1, "features": [
    {"name": "w1", "enabled": True, "strategies": [], "variants": []},
    {"name": "w2", "enabled": True, "strategies": [{
        "name": "default", "parameters": {},
        "constraints": [
            {"contextName": "country", "operator": "IN", "values": ["US", "CA"]},
            {"contextName": "age", "operator": "NUM_GT", "value": "18"}]}]},
    {"name": "w3", "enabled": True, "strategies": [{
        "name": "flexibleRollout",
        "parameters": {"rollout": "100", "stickiness": "userId", "groupId": "w3"},
        "constraints": [{"contextName": "country", "operator": "IN", "values": ["US"]}],
        "variants": [
            {"name": "control", "weight": 500, "stickiness": "userId", "weightType": "variable",
             "payload": {"type": "json", "value": "false"}},
            {"name": "treatment", "weight": 500, "stickiness": "userId", "weightType": "variable",
             "payload": {"type": "json", "value": "true"}}]}]},
]}
YGG_CONTEXT = {"userId": "user-123", "properties": {"country": "US", "age": "30"}}


# ---------------------------------------------------------------------------------------------
# Loop shapes: the same for every contender.
# ---------------------------------------------------------------------------------------------

def loop1(f, a):
    def run(n):
        r = range(n)
        t = perf_counter_ns()
        for _ in r:
            f(a)
        return perf_counter_ns() - t
    return run


def loop2(f, a, b):
    def run(n):
        r = range(n)
        t = perf_counter_ns()
        for _ in r:
            f(a, b)
        return perf_counter_ns() - t
    return run


def loop_keys1(f, keys):
    def run(n):
        r = range(n)
        t = perf_counter_ns()
        for _ in r:
            for k in keys:
                f(k)
        return perf_counter_ns() - t
    return run


def loop_keys2(f, keys, b):
    def run(n):
        r = range(n)
        t = perf_counter_ns()
        for _ in r:
            for k in keys:
                f(k, b)
        return perf_counter_ns() - t
    return run


def loop_calls(f):
    """f(i) for i = 0, 1, 2, ...: one request per call (W5), a new user each time."""
    state = {"i": 0}

    def run(n):
        i0 = state["i"]
        state["i"] = i0 + n
        r = range(i0, i0 + n)
        t = perf_counter_ns()
        for i in r:
            f(i)
        return perf_counter_ns() - t
    return run


class Bench:
    def __init__(self, repeats, target_ms):
        self.repeats = repeats
        self.target_ns = target_ms * 1e6
        self.records = []

    def measure(self, workload, method, run, ops=1, unit="ns/eval", note=None):
        n = 1
        while True:
            t = run(n)
            if t > 20e6 or n > 1 << 30:
                break
            n *= 10 if t < 1e6 else 2
        reps = max(1, int(self.target_ns / (t / n)))
        samples = []
        for _ in range(self.repeats):
            samples.append(run(reps) / reps / ops)
        rec = {"workload": workload, "method": method, "unit": unit, "samples": samples}
        if note:
            rec["note"] = note
        self.records.append(rec)
        s = sorted(samples)
        print("  %-9s %-4s %-44s median %12.1f %s" % (ARGS.contender, workload, method, s[len(s) // 2], unit),
              file=sys.stderr, flush=True)


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def hwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


# ---------------------------------------------------------------------------------------------
# GrowthBook contenders (growthbook 1.1.0, the latest growthbook, growthbook_native): one API.
# ---------------------------------------------------------------------------------------------

def run_growthbook(b, data, answers, info):
    if ARGS.contender == "native":
        import growthbook_native as mod
        from growthbook_native import GrowthBook
        info["version"] = getattr(mod, "__version__", "?")
        info["library"] = mod._lib.lib._name
    else:
        import growthbook as mod
        from growthbook import GrowthBook
        try:
            from importlib.metadata import version
            info["version"] = version("growthbook")
        except Exception:
            info["version"] = getattr(mod, "__version__", "?")
    import logging
    logging.getLogger("growthbook").setLevel(logging.ERROR)

    # W1-W3
    gb = GrowthBook(attributes=dict(W_USER), features=json.loads(json.dumps(W_FEATURES)))
    for key, w in (("w1", "W1"), ("w2", "W2"), ("w3", "W3")):
        answers[w] = {"is_on": gb.is_on(key), "value": gb.get_feature_value(key, None),
                      "source": gb.eval_feature(key).source}
        b.measure(w, "is_on", loop1(gb.is_on, key))
        b.measure(w, "get_feature_value", loop2(gb.get_feature_value, key, None))
        b.measure(w, "eval_feature", loop1(gb.eval_feature, key))
    gb.destroy()

    # W4: all 200 features for one user.
    payload = json.loads(open(os.path.join(data, "features-200.json")).read())
    user = payload["benchUser"]
    keys = list(payload["features"])
    gb = GrowthBook(attributes=dict(user), features=payload["features"])
    answers["W4"] = {k: [gb.get_feature_value(k, None), gb.eval_feature(k).source] for k in keys}
    b.measure("W4", "is_on", loop_keys1(gb.is_on, keys), ops=len(keys))
    b.measure("W4", "get_feature_value", loop_keys2(gb.get_feature_value, keys, None), ops=len(keys))
    b.measure("W4", "eval_feature", loop_keys1(gb.eval_feature, keys), ops=len(keys))
    gb.destroy()

    # W5: the reference README's web-framework pattern, per request.
    w5_keys = keys[:10]
    api_host, client_key = ARGS.server, ARGS.client_key

    def request(i):
        gb = GrowthBook(api_host=api_host, client_key=client_key, cache_ttl=3600,
                        attributes={"id": "user-%d" % i, "country": "US", "age": 30})
        gb.load_features()
        for k in w5_keys:
            gb.is_on(k)
        gb.destroy()

    # first load goes to the loopback server; every later one is answered by the cache
    probe = GrowthBook(api_host=api_host, client_key=client_key, cache_ttl=3600, attributes=dict(user))
    probe.load_features()
    answers["W5"] = {k: probe.is_on(k) for k in w5_keys}
    probe.destroy()
    b.measure("W5", "new instance+load_features+10 is_on+destroy", loop_calls(request), unit="ns/request")

    if ARGS.contender == "native":
        # The same request through per-call attributes on one shared handle. growthbook_native's
        # public API (growthbook 1.1.0's) has no per-call attributes, so this goes through the
        # binding's ctypes layer (growthbook_native._lib): gb_attributes_create, gb_eval_with.
        import ctypes
        from growthbook_native import _lib
        shared = GrowthBook(api_host=api_host, client_key=client_key, cache_ttl=3600)
        shared.load_features()
        hp = shared._hp  # the prepared handle object the binding passes to the fast calls
        kbs = [k.encode("utf-8") for k in w5_keys]
        buf = _lib.scratch().buffer
        eval_with = _lib.fast_eval_with
        create, free = _lib.gb_attributes_create, _lib.gb_attributes_free
        c_void_p = ctypes.c_void_p
        dumps = json.dumps

        def request_shared(i):
            a = create(dumps({"id": "user-%d" % i, "country": "US", "age": 30}).encode("utf-8"))
            ap = c_void_p(a)
            for kb in kbs:
                eval_with(hp, kb, ap, 0, buf) & 256
            free(a)

        b.measure("W5", "shared handle: per-call attributes+10 evals (_lib)", loop_calls(request_shared),
                  unit="ns/request", note="growthbook_native._lib.gb_attributes_create + fast_eval_with")
        shared.destroy()

    # W6: parse (json.loads) and install (set_features) a payload.
    texts = {}
    for n in (200, 5000):
        with open(os.path.join(data, "features-%d.json" % n)) as f:
            texts[n] = f.read()
    gb = GrowthBook()
    loads = json.loads
    for n in (200, 5000):
        text = texts[n]

        def load(_i, text=text):
            gb.set_features(loads(text)["features"])

        b.measure("W6", "json.loads+set_features %d" % n, loop_calls(load), unit="ns/load")
    gb.destroy()

    # Resident memory of an instance holding 5,000 features (the payload dict dropped).
    gc.collect()
    before = rss_kb()
    gb = GrowthBook(features=loads(texts[5000])["features"])
    gc.collect()
    after = rss_kb()
    info["rss_5000_kb"] = after - before
    info["peak_kb"] = hwm_kb()
    gb.destroy()


# ---------------------------------------------------------------------------------------------
# yggdrasil-engine (Unleash's Rust evaluator through ctypes): W1-W3 equivalents.
# ---------------------------------------------------------------------------------------------

def run_ygg(b, data, answers, info):
    from importlib.metadata import version
    from yggdrasil_engine.engine import UnleashEngine
    info["version"] = version("yggdrasil-engine")
    e = UnleashEngine()
    warnings = e.take_state(json.dumps(YGG_STATE))
    if warnings:
        info["take_state_warnings"] = str(warnings)
    ctx = YGG_CONTEXT
    for key, w in (("w1", "W1"), ("w2", "W2"), ("w3", "W3")):
        answers[w] = {"is_enabled": e.is_enabled(key, ctx).is_enabled,
                      "variant": e.get_variant(key, ctx).variant.name}
        b.measure(w, "is_enabled", loop2(e.is_enabled, key, ctx))
        b.measure(w, "check_enabled", loop2(e.check_enabled, key, ctx))
        b.measure(w, "get_variant", loop2(e.get_variant, key, ctx))
    info["peak_kb"] = hwm_kb()


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--contender", required=True, choices=["native", "gb110", "gblatest", "ygg"])
    ap.add_argument("--data", required=True)
    ap.add_argument("--server", default="")
    ap.add_argument("--client-key", default="")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--target-ms", type=float, default=100)
    ap.add_argument("--out", required=True)
    ARGS = ap.parse_args()
    b = Bench(ARGS.repeats, ARGS.target_ms)
    answers, info = {}, {"python": sys.version.split()[0]}
    if ARGS.contender == "ygg":
        run_ygg(b, ARGS.data, answers, info)
    else:
        run_growthbook(b, ARGS.data, answers, info)
    with open(ARGS.out, "w") as f:
        json.dump({"contender": ARGS.contender, "info": info, "answers": answers, "records": b.records}, f)


if __name__ == "__main__":
    main()
