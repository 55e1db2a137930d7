"""8 threads evaluating at once: on one shared instance and on per-thread instances, with a
tracking callback; every result must equal the single-threaded one."""

import threading

from growthbook_native import Experiment, GrowthBook

THREADS = 8
ROUNDS = 250

FEATURES = {
    "flag": {"defaultValue": False, "rules": [{"condition": {"country": "US"}, "force": True}]},
    "rollout": {"defaultValue": "off", "rules": [{"force": "on", "coverage": 0.5, "hashAttribute": "id"}]},
    "exp": {"defaultValue": 0, "rules": [{"key": "exp-1", "variations": [0, 1, 2], "weights": [0.2, 0.3, 0.5],
                                          "meta": [{"key": "a"}, {"key": "b"}, {"key": "c"}]}]},
    "exp-v2": {"defaultValue": {"x": 0}, "rules": [{"key": "exp-2", "hashVersion": 2, "seed": "s",
                                                    "variations": [{"x": 1}, {"x": 2}], "condition": {"age": {"$gt": 18}}}]},
    "ns": {"defaultValue": "none", "rules": [{"key": "exp-3", "variations": ["p", "q"], "namespace": ["n", 0, 0.6]}]},
}
KEYS = sorted(FEATURES) + ["missing"]
USERS = [{"id": "user-%d" % i, "country": ["US", "FR", "DE"][i % 3], "age": 10 + i % 30} for i in range(60)]


def evaluate(gb, users):
    out = []
    for user in users:
        gb.set_attributes(user)
        for key in KEYS:
            out.append(gb.eval_feature(key).to_dict())
        out.append(gb.run(Experiment(key="run-exp", variations=["r0", "r1"])).to_dict())
    return out


def run_threads(target):
    errors = []
    threads = []

    def wrap(i):
        try:
            target(i)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    for i in range(THREADS):
        threads.append(threading.Thread(target=wrap, args=(i,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "threads did not finish"
    assert not errors, errors[0]


def test_shared_instance_many_threads():
    tracked = []
    lock = threading.Lock()

    def track(experiment, result):
        with lock:
            tracked.append((experiment.key, result.variationId))

    gb = GrowthBook(attributes=USERS[0], features=FEATURES, on_experiment_viewed=track)
    expected = {key: gb.eval_feature(key).to_dict() for key in KEYS}
    expected_values = {key: gb.get_feature_value(key, "fb") for key in KEYS}
    expected_on = {key: gb.is_on(key) for key in KEYS}
    single_tracked = sorted(set(tracked))
    results = [None] * THREADS

    def work(i):
        mismatches = 0
        for n in range(ROUNDS):
            for key in KEYS:
                if gb.eval_feature(key).to_dict() != expected[key]:
                    mismatches += 1
                if gb.get_feature_value(key, "fb") != expected_values[key]:
                    mismatches += 1
                if gb.is_on(key) != expected_on[key]:
                    mismatches += 1
        results[i] = mismatches

    run_threads(work)
    assert results == [0] * THREADS
    # each experiment/variation is tracked once, however many threads evaluated it
    assert sorted(tracked) == single_tracked
    gb.destroy()


def test_per_thread_instances_match_single_threaded():
    reference_gb = GrowthBook(features=FEATURES)
    expected = evaluate(reference_gb, USERS)
    reference_gb.destroy()

    tracked = [[] for _ in range(THREADS)]
    results = [None] * THREADS

    def work(i):
        gb = GrowthBook(features=FEATURES,
                        on_experiment_viewed=lambda experiment, result: tracked[i].append((experiment.key, result.hashValue)))
        users = USERS[i % 3:] + USERS[: i % 3]  # different orders per thread
        got = evaluate(gb, users)
        per_user = len(KEYS) + 1
        shift = (i % 3) * per_user
        results[i] = got[-shift:] + got[:-shift] if shift else got
        gb.destroy()

    run_threads(work)
    for i in range(THREADS):
        assert results[i] == expected, "thread %d differs" % i
    counts = {len(t) for t in tracked}
    assert len(counts) == 1 and counts.pop() > 0
    assert all(len(set(t)) == len(t) for t in tracked)


def test_shared_instance_with_concurrent_setters():
    """Readers see either the old or the new feature set, never a mixture or a crash."""
    gb = GrowthBook(attributes={"id": "1"}, features={"f": {"defaultValue": 1}})
    stop = threading.Event()
    seen = set()
    errors = []

    def reader():
        try:
            while not stop.is_set():
                seen.add(gb.get_feature_value("f", None))
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    readers = [threading.Thread(target=reader) for _ in range(THREADS - 1)]
    for t in readers:
        t.start()
    try:
        for n in range(300):
            gb.set_features({"f": {"defaultValue": 2 if n % 2 else 1}})
            gb.set_attributes({"id": str(n)})
    finally:
        stop.set()
        for t in readers:
            t.join(30)
    assert not errors
    assert seen <= {1, 2}
    gb.destroy()


def test_destroy_while_another_thread_calls():
    """destroy() on one thread while another is inside calls on the same instance (some of
    them release the GIL): the calls finish or raise GrowthBookError, never touch a freed
    handle. The handle is freed when the last call holding it returns."""
    from growthbook_native import GrowthBookError

    unexpected = []
    for _ in range(100):
        gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
        stop = threading.Event()

        def worker():
            while not stop.is_set():
                try:
                    gb.is_on("flag")
                    gb.eval_feature("exp")
                    gb.set_attributes({"id": "2", "country": "US"})
                    gb.get_features()
                except GrowthBookError:
                    return
                except Exception as e:  # noqa: BLE001 - anything else is a failure
                    unexpected.append(repr(e))
                    return

        t = threading.Thread(target=worker)
        t.start()
        gb.destroy()
        stop.set()
        t.join()
    assert unexpected == []
