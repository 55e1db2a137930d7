"""Per request: UserContext(attributes=new user) + is_on + get_feature_value + eval_feature(k).value
on a payload (bench/gen_payload.py --out-30 FILE), for growthbook_native's clients (native-sync,
native-async) or growthbook 4.x's GrowthBookClient (gb4, in a venv with growthbook==4.0.0).

    python3 bench/python/client_request.py native-sync|native-async|gb4 FILE [N]
"""
import asyncio, json, sys, time
which = sys.argv[1]  # native-sync | native-async | gb4
payload = json.load(open(sys.argv[2]))
features = payload["features"]; base = payload["benchUser"]
k_on, k_value, k_eval = list(features)[:3]
COUNTRIES = ["US", "CA", "GB", "DE", "FR", "JP", "BR", "IN", "AU", "MX"]
def new_user(i):
    return dict(base, id="user-%d" % i, country=COUNTRIES[i % 10], age=18 + i % 40)
N = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
if which.startswith("native"):
    import growthbook_native as m
else:
    import growthbook as m
UserContext = m.UserContext
def best(fn, rounds=5):
    out = [fn(r) for r in range(rounds)]
    return min(out), sorted(out)[len(out) // 2]
if which == "native-sync":
    c = m.GrowthBookClientSync(m.Options(refresh_strategy=None))
    c.set_features(features)
    is_on, gfv, ev = c.is_on, c.get_feature_value, c.eval_feature
    def run(r):
        t = time.perf_counter_ns()
        for i in range(r * N, r * N + N):
            uc = UserContext(attributes=new_user(i))
            is_on(k_on, uc); gfv(k_value, None, uc); ev(k_eval, uc).value
        return (time.perf_counter_ns() - t) / N
    print(which, "ns/request min %.0f median %.0f" % best(run))
else:
    cls = m.GrowthBookClient
    loop = asyncio.new_event_loop()
    c = cls(m.Options(refresh_strategy=None)) if which == "native-async" else cls({})
    loop.run_until_complete(c.set_features(features))
    async def batch(r):
        t = time.perf_counter_ns()
        for i in range(r * N, r * N + N):
            uc = UserContext(attributes=new_user(i))
            await c.is_on(k_on, uc); await c.get_feature_value(k_value, None, uc); (await c.eval_feature(k_eval, uc)).value
        return (time.perf_counter_ns() - t) / N
    print(which, "ns/request min %.0f median %.0f" % best(lambda r: loop.run_until_complete(batch(r))))
def mk(r):
    t = time.perf_counter_ns()
    for i in range(r * N, r * N + N):
        new_user(i)
    return (time.perf_counter_ns() - t) / N
print("  (new_user dict alone: %.0f ns)" % best(mk)[0])
