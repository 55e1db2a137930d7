"""Hostile use of the binding: callbacks that raise after re-entering the library, callbacks
that destroy their own instance mid-evaluation, instances collected while other threads
evaluate, and hostile strings (docs/hostile-inputs.md)."""

import gc
import logging
import threading
import weakref

import pytest

from growthbook_native import Experiment, GrowthBook, GrowthBookError, evalCondition

from test_errors import FEATURES, run_with_timeout


def test_callback_reentering_then_raising_does_not_deadlock(caplog):
    holder = {}
    calls = []

    def track(experiment, result):
        gb = holder["gb"]
        calls.append(gb.is_on("flag"))
        gb.run(Experiment(key="inner-" + experiment.key, variations=[0, 1])) if len(calls) < 3 else None
        raise RuntimeError("tracking callback failed on purpose")

    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES, on_experiment_viewed=track)
    holder["gb"] = gb
    gb.subscribe(lambda e, r: (holder["gb"].eval_feature("flag"), 1 / 0))
    caplog.set_level(logging.WARNING, logger="growthbook")
    value = run_with_timeout(lambda: gb.get_feature_value("exp", None))
    assert value in (0, 1, 2)
    assert calls and all(calls)
    assert any("raised" in r.getMessage() for r in caplog.records)
    assert gb.is_on("flag")  # the instance still works
    gb.destroy()


def test_callback_destroying_its_own_instance():
    holder = {}

    def track(experiment, result):
        holder["gb"].destroy()

    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES, on_experiment_viewed=track)
    holder["gb"] = gb

    def body():
        try:
            return gb.get_feature_value("exp", None)
        except GrowthBookError as e:
            return e

    out = run_with_timeout(body)
    assert out in (0, 1, 2) or isinstance(out, GrowthBookError)
    assert gb.is_on("flag") is False  # destroyed: cleared, as in 1.1.0
    gb.destroy()  # idempotent


def test_instances_collected_while_other_threads_evaluate():
    stop = threading.Event()
    errors = []
    shared = GrowthBook(attributes={"id": "1"}, features=FEATURES,
                        on_experiment_viewed=lambda experiment, result: None)

    def worker():
        try:
            while not stop.is_set():
                shared.eval_feature("exp")
                shared.run(Experiment(key="t", variations=[0, 1]))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    refs = []
    try:
        for i in range(300):
            gb = GrowthBook(attributes={"id": str(i)}, features=FEATURES,
                            on_experiment_viewed=lambda experiment, result, i=i: None)
            gb.subscribe(lambda e, r, gb=gb: gb.is_on("flag"))  # a cycle through a callback
            gb.eval_feature("exp")
            refs.append(weakref.ref(gb))
            del gb
            if i % 50 == 0:
                gc.collect()
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    gc.collect()
    assert not errors, errors
    assert all(r() is None for r in refs)
    assert shared.is_on("flag")
    shared.destroy()




@pytest.mark.parametrize("bad", ["\ud800", "x\udfff"])
def test_lone_surrogates_are_rejected_not_crashing(bad):
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    with pytest.raises((ValueError, GrowthBookError, UnicodeError)):
        gb.set_attributes({"id": bad})
    assert gb.eval_feature("flag").value is True
    with pytest.raises((ValueError, GrowthBookError, UnicodeError, TypeError)):
        gb.is_on(bad)
    gb.destroy()


def test_deep_nesting_is_rejected():
    deep = {}
    cur = deep
    for _ in range(300):  # deeper than the library's 128 levels, shallow enough for json.dumps
        cur["a"] = {}
        cur = cur["a"]
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    with pytest.raises((ValueError, GrowthBookError)):
        gb.set_attributes(deep)
    assert gb.is_on("flag")
    gb.destroy()
    assert evalCondition({"a": 1}, {"a": {"$in": list(range(100000))}}) is True


@pytest.mark.parametrize("bad", [{"id": "\ud800"}, {"id": "x\udfff"}])
def test_rejected_attributes_leave_get_attributes_unchanged(bad):
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    try:
        with pytest.raises((ValueError, GrowthBookError, UnicodeError)):
            gb.set_attributes(bad)
        assert gb.get_attributes() == {"id": "1"}
    finally:
        gb.destroy()
