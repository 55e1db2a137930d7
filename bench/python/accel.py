"""Quick same-run timings of growthbook_native (accelerated and ctypes paths) against growthbook
1.1.0, on the workloads of BENCHMARKS.md (W1-W3) plus set_attributes + one evaluation.

Each contender runs in its own subprocess (the path is chosen at import); within a round the
order rotates; the figure is the median over rounds of the best of 3 timed loops.

    GROWTHBOOK_NATIVE_LIBRARY=build/lib/libgrowthbook.so \\
        python3 bench/python/accel.py --native build/venv/bin/python --reference /tmp/gb110/bin/python

--native: a Python with growthbook_native installed; --reference: one with growthbook==1.1.0.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

USER = {"id": "user-123", "country": "US", "age": 30, "browser": "chrome", "premium": True}
FEATURES = {
    "w1": {"defaultValue": True},
    "w2": {"defaultValue": False, "rules": [
        {"condition": {"country": {"$in": ["US", "CA"]}, "age": {"$gt": 18}}, "force": True}]},
    "w3": {"defaultValue": False, "rules": [
        {"key": "w3-exp", "variations": [False, True], "weights": [0.5, 0.5], "coverage": 1,
         "hashAttribute": "id", "hashVersion": 2, "condition": {"country": "US"}}]},
}

WORKER = r'''
import json, sys, time
module, n = sys.argv[1], int(sys.argv[2])
spec = json.loads(sys.stdin.read())
g = __import__(module)
gb = g.GrowthBook(attributes=dict(spec["user"]), features=spec["features"])
out = {"accelerated": getattr(g, "_accelerated", None)}

def timed(f, n):
    best = None
    for _ in range(3):
        t = time.perf_counter_ns()
        f(n)
        dt = (time.perf_counter_ns() - t) / n
        best = dt if best is None else min(best, dt)
    return best

def loops(key):
    ev, gv, on = gb.eval_feature, gb.get_feature_value, gb.is_on
    def eval_value(n):
        for _ in range(n):
            ev(key).value
    def get_value(n):
        for _ in range(n):
            gv(key, None)
    def is_on(n):
        for _ in range(n):
            on(key)
    return {"eval_feature(k).value": eval_value, "get_feature_value": get_value, "is_on": is_on}

for w in ("w1", "w2", "w3"):
    for name, f in loops(w).items():
        f(1000)
        out[w.upper() + " " + name] = timed(f, n)

user = spec["user"]
users = [dict(user, id="user-%d" % i) for i in range(1000)]
same = [dict(user) for i in range(1000)]

def set_then_eval(batch, key):
    def f(n):
        sa, ev = gb.set_attributes, gb.eval_feature
        for i in range(n):
            sa(batch[i % 1000])
            ev(key).value
    return f

for w in ("w1", "w3"):
    out[w.upper() + " set_attributes(new dict, new id)+eval_feature"] = timed(set_then_eval(users, w), max(n // 10, 1000))
    out[w.upper() + " set_attributes(new dict, same content)+eval_feature"] = timed(set_then_eval(same, w), max(n // 10, 1000))

# the in-place attribute check alone: a 5-key dict, nothing changed (is_on W1 includes it)
print(json.dumps(out))
'''


def run(python, module, n, env_extra):
    env = dict(os.environ)
    env.update(env_extra)
    r = subprocess.run([python, "-c", WORKER, module, str(n)], input=json.dumps({"user": USER, "features": FEATURES}),
                       capture_output=True, text=True, env=env, check=True)
    return json.loads(r.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--native", default=sys.executable)
    p.add_argument("--reference", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("-n", type=int, default=100000)
    a = p.parse_args()
    contenders = [
        ("accelerated", a.native, "growthbook_native", {"GROWTHBOOK_NATIVE_PURE": ""}),
        ("ctypes", a.native, "growthbook_native", {"GROWTHBOOK_NATIVE_PURE": "1"}),
        ("1.1.0", a.reference, "growthbook", {}),
    ]
    samples = {c[0]: {} for c in contenders}
    for rnd in range(a.rounds):
        order = contenders[rnd % 3:] + contenders[:rnd % 3]
        for name, python, module, env in order:
            out = run(python, module, a.n, env)
            if name != "1.1.0":
                assert out.pop("accelerated") is (name == "accelerated"), name
            else:
                out.pop("accelerated")
            for k, v in out.items():
                samples[name].setdefault(k, []).append(v)
    med = {name: {k: statistics.median(v) for k, v in s.items()} for name, s in samples.items()}
    print("%-58s %12s %12s %12s %10s %10s" % ("workload", "accelerated", "ctypes", "1.1.0", "accel ×", "ctypes ×"))
    for k in med["1.1.0"]:
        ref = med["1.1.0"][k]
        print("%-58s %10.0f ns %10.0f ns %10.0f ns %9.1f× %9.1f×" % (
            k, med["accelerated"][k], med["ctypes"][k], ref, ref / med["accelerated"][k], ref / med["ctypes"][k]))


if __name__ == "__main__":
    main()
