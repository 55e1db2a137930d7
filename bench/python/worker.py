"""One Python contender's measurements, run inside that contender's virtual environment.

    python worker.py --contender native|gb110|gblatest|ygg --data DIR --server URL
                     --client-key KEY --repeats N --target-ms MS --out FILE

Every contender is timed with the same loop shapes (below): a perf_counter_ns loop calling one
bound method with the same arguments, calibrated to about --target-ms per repeat. The results
(ns per operation, one sample per repeat) and the answers each contender gave (to check that
they agree) are written as JSON to FILE.
"""

import argparse
import asyncio
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


def loop1_value(f, a):
    """f(a).value: eval_feature read the way callers use it (the value, not just the object)."""
    def run(n):
        r = range(n)
        t = perf_counter_ns()
        for _ in r:
            f(a).value
        return perf_counter_ns() - t
    return run


def loop_keys1_value(f, keys):
    def run(n):
        r = range(n)
        t = perf_counter_ns()
        for _ in r:
            for k in keys:
                f(k).value
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


def loop_async(loop, batch):
    """loop.run_until_complete(batch(i0, n)): one event loop, n requests per sample (W9); the
    coroutine times itself, so starting the loop is not in the figure."""
    state = {"i": 0}

    def run(n):
        i0 = state["i"]
        state["i"] = i0 + n
        return loop.run_until_complete(batch(i0, n))
    return run


# W7-W9: a new user per request, derived from the payload's benchUser: its own id (so
# experiments hash it anew), a country and an age that vary (so conditions decide anew).
COUNTRIES = ["US", "CA", "GB", "DE", "FR", "JP", "BR", "IN", "AU", "MX"]
CHECK_USERS = range(1_000_000, 1_000_032)  # users whose answers are compared across contenders


def user_maker(base):
    def new_user(i):
        return dict(base, id="user-%d" % i, country=COUNTRIES[i % 10], age=18 + i % 40)
    return new_user


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
        b.measure(w, "eval_feature(k).value", loop1_value(gb.eval_feature, key))
    gb.destroy()

    # W4: all 200 features for one user.
    payload = json.loads(open(os.path.join(data, "features-200.json")).read())
    user = payload["benchUser"]
    keys = list(payload["features"])
    gb = GrowthBook(attributes=dict(user), features=payload["features"])
    answers["W4"] = {k: [gb.get_feature_value(k, None), gb.eval_feature(k).source] for k in keys}
    b.measure("W4", "is_on", loop_keys1(gb.is_on, keys), ops=len(keys))
    b.measure("W4", "get_feature_value", loop_keys2(gb.get_feature_value, keys, None), ops=len(keys))
    b.measure("W4", "eval_feature(k).value", loop_keys1_value(gb.eval_feature, keys), ops=len(keys))
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

    # W7: W5's pattern with 3 evaluations of different kinds (is_on, get_feature_value,
    # eval_feature(...).value) on the 3 features of features-3.json, served from a payload of those
    # 3 features and from one of 30 (features-30.json, which holds the same 3 definitions).
    p3 = json.loads(open(os.path.join(data, "features-3.json")).read())
    k_on, k_value, k_eval = list(p3["features"])
    new_user = user_maker(p3["benchUser"])
    for n, key in ((3, ARGS.client_key_3), (30, ARGS.client_key_30)):
        def request(i, key=key):
            gb = GrowthBook(api_host=api_host, client_key=key, cache_ttl=3600, attributes=new_user(i))
            gb.load_features()
            r = (gb.is_on(k_on), gb.get_feature_value(k_value, None), gb.eval_feature(k_eval).value)
            gb.destroy()
            return r

        # the first request loads from the loopback server, every later one from the cache
        answers["W7 %d" % n] = [request(i) for i in CHECK_USERS]
        b.measure("W7", "%d features: new instance+load_features+3 evals+destroy" % n, loop_calls(request),
                  unit="ns/request")

    # W8: a new user on an existing instance (the 30-feature payload): set_attributes + 1 evaluation.
    gb = GrowthBook(api_host=api_host, client_key=ARGS.client_key_30, cache_ttl=3600, attributes=new_user(0))
    gb.load_features()
    set_attributes, get_feature_value = gb.set_attributes, gb.get_feature_value

    def switch(i):
        set_attributes(new_user(i))
        return get_feature_value(k_value, None)

    answers["W8"] = [switch(i) for i in CHECK_USERS]
    b.measure("W8", "set_attributes+get_feature_value", loop_calls(switch), unit="ns/request")
    gb.destroy()

    if ARGS.contender in ("native", "gblatest"):
        run_client(b, answers, info, (k_on, k_value, k_eval), new_user)

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
# W9: the multi-user client (growthbook 4.x's GrowthBookClient; growthbook_native's GrowthBookClient
# and GrowthBookClientSync), one client initialized from the 30-feature payload, per request a
# new UserContext and the same 3 evaluations as W7.
# ---------------------------------------------------------------------------------------------

def client_options(Options):
    """Options for the 30-feature payload, without a background refresh where the class takes
    refresh_strategy=None (growthbook 4.0.0 takes it, but its initialize() then still starts its
    default 60 s HTTP poll: the poll's first run is let through before timing, the next is due
    after the worker ends)."""
    kw = {"api_host": ARGS.server, "client_key": ARGS.client_key_30, "cache_ttl": 3600, "refresh_strategy": None}
    while True:
        try:
            return Options(**kw), sorted(kw)
        except TypeError:
            if "refresh_strategy" in kw:
                kw.pop("refresh_strategy")
            elif "cache_ttl" in kw:
                kw.pop("cache_ttl")
            else:
                raise


def run_client(b, answers, info, keys, new_user):
    mod_name = "growthbook_native" if ARGS.contender == "native" else "growthbook"
    try:
        mod = __import__(mod_name)
        Options, UserContext = mod.Options, mod.UserContext
    except (ImportError, AttributeError) as e:
        info["client_missing"] = "%s has no GrowthBookClient/Options/UserContext (%s: %s)" % (
            mod_name, type(e).__name__, e)
        return
    variants = [("async", getattr(mod, "GrowthBookClient", None))]
    if ARGS.contender == "native":
        variants.append(("sync", getattr(mod, "GrowthBookClientSync", None)))
    errors = info.setdefault("client_errors", {})
    for variant, cls in variants:
        if cls is None:
            errors[variant] = "%s has no %s" % (mod_name, "GrowthBookClient" if variant == "async" else
                                                "GrowthBookClientSync")
            continue
        try:
            opts, info["client_options"] = client_options(Options)
            if variant == "async":
                _client_async(b, answers, cls, opts, UserContext, keys, new_user)
            else:
                _client_sync(b, answers, cls, opts, UserContext, keys, new_user)
        except Exception as e:  # a contender's client failing must not lose the other figures
            errors[variant] = "%s: %s" % (type(e).__name__, str(e)[:300])
            print("  %s W9 %s client failed: %s" % (ARGS.contender, variant, errors[variant]), file=sys.stderr)


def _client_async(b, answers, cls, opts, UserContext, keys, new_user):
    k_on, k_value, k_eval = keys
    loop = asyncio.new_event_loop()
    try:
        client = cls(opts)
        if loop.run_until_complete(client.initialize()) is False:
            raise RuntimeError("initialize() returned False")
        loop.run_until_complete(asyncio.sleep(0.05))  # any first background poll happens here

        async def check(i):
            uc = UserContext(attributes=new_user(i))
            return (await client.is_on(k_on, uc), await client.get_feature_value(k_value, None, uc),
                    (await client.eval_feature(k_eval, uc)).value)

        async def batch(i0, n):
            r = range(i0, i0 + n)
            t = perf_counter_ns()
            for i in r:
                uc = UserContext(attributes=new_user(i))
                await client.is_on(k_on, uc)
                await client.get_feature_value(k_value, None, uc)
                (await client.eval_feature(k_eval, uc)).value
            return perf_counter_ns() - t

        answers["W9 async"] = [loop.run_until_complete(check(i)) for i in CHECK_USERS]
        b.measure("W9", "GrowthBookClient (async): UserContext+3 evals", loop_async(loop, batch), unit="ns/request")
        loop.run_until_complete(client.close())
    finally:
        loop.close()


def _client_sync(b, answers, cls, opts, UserContext, keys, new_user):
    k_on, k_value, k_eval = keys
    client = cls(opts)
    if client.initialize() is False:
        raise RuntimeError("initialize() returned False")
    is_on, get_feature_value, eval_feature = client.is_on, client.get_feature_value, client.eval_feature

    def request(i):
        uc = UserContext(attributes=new_user(i))
        return is_on(k_on, uc), get_feature_value(k_value, None, uc), eval_feature(k_eval, uc).value

    answers["W9 sync"] = [request(i) for i in CHECK_USERS]
    b.measure("W9", "GrowthBookClientSync: UserContext+3 evals", loop_calls(request), unit="ns/request")
    client.close()


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
    ap.add_argument("--client-key-3", default="sdk-bench-3", help="the key the server serves features-3.json under")
    ap.add_argument("--client-key-30", default="sdk-bench-30", help="... and features-30.json")
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
