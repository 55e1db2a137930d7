"""Bad input, destroyed instances, garbage collection with live callbacks and callbacks that
re-enter the library."""

import gc
import math
import threading
import weakref

import pytest

from growthbook_native import (
    AbstractStickyBucketService,
    Experiment,
    GrowthBook,
    GrowthBookError,
    InMemoryStickyBucketService,
    evalCondition,
)

FEATURES = {
    "flag": {"defaultValue": True},
    "exp": {"defaultValue": 0, "rules": [{"key": "exp-1", "variations": [0, 1, 2]}]},
}
BAD = (TypeError, ValueError, GrowthBookError)


class Unserialisable(object):
    pass


def run_with_timeout(fn, timeout=10):
    """Runs fn in a daemon thread; fails (instead of hanging) when it does not return."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # pragma: no cover - reported below
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "call did not return within %ss (deadlock?)" % timeout
    if "error" in box:
        raise box["error"]
    return box.get("value")


# ---- invalid input ----------------------------------------------------------------------------

def test_unserialisable_attributes_in_constructor():
    with pytest.raises(BAD):
        GrowthBook(attributes={"id": Unserialisable()}, features=FEATURES)


def test_unserialisable_attributes_in_set_attributes_keep_previous_state():
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    before = gb.eval_feature("exp").to_dict()
    with pytest.raises(BAD):
        gb.set_attributes({"id": Unserialisable()})
    with pytest.raises(BAD):
        gb.set_attributes({"id": {1, 2}})
    assert gb.eval_feature("exp").to_dict() == before
    gb.destroy()


def test_unserialisable_features_and_experiments():
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    with pytest.raises(BAD):
        gb.set_features({"f": {"defaultValue": Unserialisable()}})
    with pytest.raises(BAD):
        gb.run(Experiment(key="e", variations=[Unserialisable(), 1]))
    with pytest.raises(BAD):
        GrowthBook(features={"f": {"defaultValue": object()}})
    assert gb.is_on("flag") is True
    gb.destroy()


def test_nan_and_infinity_do_not_crash():
    gb = GrowthBook(features=FEATURES)
    for value in (math.nan, math.inf, -math.inf):
        try:
            gb.set_attributes({"id": "1", "x": value})
        except BAD:
            pass
        assert gb.is_on("flag") is True
    gb.destroy()


def test_malformed_features_do_not_crash():
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    for features in ({"f": "not an object"}, {"f": {"rules": "nope"}}, {"f": {"rules": [42]}},
                     {"f": {"defaultValue": 1, "rules": [{"variations": "x"}]}}):
        try:
            gb.set_features(features)
            gb.eval_feature("f")
        except BAD:
            pass
    gb.set_features(FEATURES)
    assert gb.is_on("flag") is True
    gb.destroy()


def test_bad_feature_keys():
    gb = GrowthBook(features=FEATURES)
    with pytest.raises(TypeError):
        gb.is_on(123)
    with pytest.raises(BAD):
        gb.eval_feature(None)
    assert gb.eval_feature("").source == "unknownFeature"
    assert gb.eval_feature("na\u00efve-\U0001f600").source == "unknownFeature"
    gb.destroy()


def test_eval_condition_bad_regex_is_false():
    assert evalCondition({"a": "x"}, {"a": {"$regex": "([unclosed"}}) is False
    assert evalCondition({"a": "x"}, {"a": {"$unknownOperator": 1}}) is False


# ---- destroyed instances ----------------------------------------------------------------------

# growthbook 1.1.0's destroy() clears the instance and leaves it usable: each call answers as
# an empty instance would (the binding makes a new, empty handle when one is used).
@pytest.mark.parametrize("call,expected", [
    (lambda gb: gb.is_on("flag"), False),
    (lambda gb: gb.is_off("flag"), True),
    (lambda gb: gb.eval_feature("flag").source, "unknownFeature"),
    (lambda gb: gb.get_feature_value("flag", "fallback"), "fallback"),
    (lambda gb: gb.set_attributes({"id": "2"}), None),
    (lambda gb: (gb.set_features(FEATURES), gb.is_on("flag"))[1], True),
    # the attributes went too: no id to hash, and the forced variation is gone
    (lambda gb: gb.run(Experiment(key="e", variations=[0, 1])).inExperiment, False),
    (lambda gb: callable(gb.subscribe(lambda e, r: None)), True),
    (lambda gb: gb.refresh_sticky_buckets(), None),
    (lambda gb: gb.get_attributes(), {}),
])
def test_destroyed_instance_is_cleared_and_usable(call, expected):
    tracked = []
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES, forced_variations={"e": 1},
                    on_experiment_viewed=lambda experiment, result: tracked.append(experiment.key))
    gb.destroy()
    assert call(gb) == expected
    assert tracked == []  # the tracking callback went with destroy()
    gb.destroy()  # idempotent
    assert gb.get_features() == {}
    assert gb.get_all_results() == {}
    assert gb.get_attributes() == {}


# ---- garbage collection with live callbacks ---------------------------------------------------

def test_gc_of_instances_with_live_callbacks_is_safe():
    tracked = []
    survivors = [GrowthBook(attributes={"id": str(i)}, features=FEATURES,
                            on_experiment_viewed=lambda experiment, result: tracked.append(result.variationId))
                 for i in range(5)]
    expected = [gb.get_feature_value("exp", None) for gb in survivors]
    refs = []
    for round_ in range(5):
        doomed = []
        for i in range(40):
            service = InMemoryStickyBucketService()
            gb = GrowthBook(attributes={"id": "u%d" % i}, features=FEATURES, sticky_bucket_service=service,
                            on_experiment_viewed=lambda experiment, result: tracked.append(result.variationId))
            # a reference cycle through a callback: only the cycle collector frees it
            gb.subscribe(lambda e, r, gb=gb: gb.is_on("flag"))
            gb.run(Experiment(key="e%d" % i, variations=[0, 1]))
            gb.eval_feature("exp")
            refs.append(weakref.ref(gb))
            doomed.append(gb)
        del doomed, gb, service
        gc.collect()
        assert [gb.get_feature_value("exp", None) for gb in survivors] == expected
        for gb in survivors:
            gb.set_attributes({"id": gb.get_attributes()["id"]})
            assert gb.run(Experiment(key="after-gc-%d" % round_, variations=[0, 1])).inExperiment
    assert all(r() is None for r in refs), "instances were not collected"
    for gb in survivors:
        gb.destroy()


def test_dropping_instances_without_destroy():
    for i in range(200):
        GrowthBook(attributes={"id": str(i)}, features=FEATURES,
                   on_experiment_viewed=lambda experiment, result: None).eval_feature("exp")
    gc.collect()
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    assert gb.is_on("flag")
    gb.destroy()


# ---- callbacks re-entering the library --------------------------------------------------------

def test_tracking_callback_reentering_same_instance_does_not_deadlock():
    seen = []
    holder = {}

    def track(experiment, result):
        gb = holder["gb"]
        seen.append((gb.is_on("flag"), gb.get_feature_value("exp", None), gb.eval_feature("flag").value))
        if not experiment.key.startswith("nested-"):
            gb.run(Experiment(key="nested-" + experiment.key, variations=[0, 1]))

    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES, on_experiment_viewed=track)
    holder["gb"] = gb

    def body():
        return [gb.get_feature_value("exp", None) for _ in range(3)]

    values = run_with_timeout(body)
    assert len(set(values)) == 1
    assert seen and seen[0][0] is True and seen[0][1] == values[0]
    gb.destroy()


def test_subscription_and_sticky_service_reentering_do_not_deadlock():
    holder = {}

    class Reentrant(InMemoryStickyBucketService):
        def get_assignments(self, attributeName, attributeValue):
            holder["gb"].is_on("flag")
            return super().get_assignments(attributeName, attributeValue)

        def save_assignments(self, doc):
            holder["gb"].get_feature_value("flag", None)
            super().save_assignments(doc)

    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES, sticky_bucket_service=Reentrant())
    holder["gb"] = gb
    gb.subscribe(lambda e, r: holder["gb"].eval_feature("flag"))

    def body():
        out = [gb.get_feature_value("exp", None)]
        out.append(gb.run(Experiment(key="r", variations=[0, 1])).value)
        gb.set_attributes({"id": "2"})
        out.append(gb.get_feature_value("exp", None))
        return out

    assert len(run_with_timeout(body)) == 3
    gb.destroy()
