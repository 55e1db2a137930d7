"""Callbacks and the deprecated options: the growthbook 1.1.0 reference tests that apply,
ported to the binding, plus Python sticky-bucket services and raising callbacks.

The reference's own test file also runs, unchanged, against the binding
(test_reference_suite.py). Where a port here differs from the reference test it is said next
to it: for experiments evaluated inside features, callbacks receive equal copies of the
Experiment and Result (run() hands over the very objects, as 1.1.0 does), so such calls are
compared with to_dict()."""

import json
import logging

import pytest

from growthbook_native import (
    AbstractStickyBucketService,
    Experiment,
    Feature,
    FeatureRule,
    GrowthBook,
    GrowthBookError,
    InMemoryStickyBucketService,
)


def tracking_mock(gb):
    calls = []

    def track(experiment, result):
        calls.append([experiment, result])

    gb._trackingCallback = track
    return lambda: calls


def same(call, experiment, result):
    return call[0].to_dict() == experiment.to_dict() and call[1].to_dict() == result.to_dict()


def test_tracking():
    gb = GrowthBook(user={"id": "1"})
    calls = tracking_mock(gb)
    exp1 = Experiment(key="my-tracked-test", variations=[0, 1])
    exp2 = Experiment(key="my-other-tracked-test", variations=[0, 1])
    res1 = gb.run(exp1)
    gb.run(exp1)
    gb.run(exp1)
    res4 = gb.run(exp2)
    gb.set_attributes({"id": "2"})  # reference: gb._user = {"id": "2"}
    res5 = gb.run(exp2)
    calls = calls()
    assert len(calls) == 3
    assert same(calls[0], exp1, res1)
    assert same(calls[1], exp2, res4)
    assert same(calls[2], exp2, res5)
    gb.destroy()


def test_on_experiment_viewed_once_per_experiment_and_variation_for_features():
    calls = []
    features = {
        "f1": {"defaultValue": 0, "rules": [{"key": "exp1", "variations": [0, 1]}]},
        "f2": {"defaultValue": 0, "rules": [{"key": "exp2", "variations": ["a", "b", "c"]}]},
    }
    gb = GrowthBook(attributes={"id": "1"}, features=features,
                    on_experiment_viewed=lambda experiment, result: calls.append((experiment, result)))
    for _ in range(5):
        gb.eval_feature("f1")
        gb.is_on("f2")
        gb.get_feature_value("f1", None)
    assert sorted(c[0].key for c in calls) == ["exp1", "exp2"]
    first = {c[0].key: c[1].variationId for c in calls}
    # a new hash value (a new variation or a new user) is tracked again, once
    for uid in ("2", "3", "4", "5", "6"):
        gb.set_attributes({"id": uid})
        for _ in range(3):
            gb.eval_feature("f1")
    keys = [(c[1].hashValue, c[0].key, c[1].variationId) for c in calls]
    assert len(keys) == len(set(keys)) == 7
    for experiment, result in calls:
        assert isinstance(experiment, Experiment)
        assert result.featureId in ("f1", "f2")
        assert result.inExperiment is True
    assert first["exp1"] == calls[0][1].variationId
    gb.destroy()


def test_handles_weird_experiment_values():
    gb = GrowthBook(user={"id": "1"})
    assert gb.run(Experiment(key="my-test", variations=[0, 1], include=lambda: 1 / 0)).inExperiment is False
    # Should fail gracefully
    gb._trackingCallback = lambda experiment, result: 1 / 0
    assert gb.run(Experiment(key="my-test", variations=[0, 1])).value == 1
    gb.subscribe(lambda: 1 / 0)
    assert gb.run(Experiment(key="my-new-test", variations=[0, 1])).value == 0
    gb.destroy()


@pytest.mark.parametrize("include,expected", [(lambda: True, True), (lambda: False, False),
                                               (lambda: 1 / 0, False), (None, True)])
def test_run_with_include_callable(include, expected):
    gb = GrowthBook(attributes={"id": "1"})
    res = gb.run(Experiment(key="my-test", variations=[0, 1], include=include))
    assert res.inExperiment is expected
    assert res.value == (1 if expected else 0)
    gb.destroy()


def test_force_variation():
    gb = GrowthBook(user={"id": "6"})
    exp = Experiment(key="forced-test", variations=[0, 1])
    assert gb.run(exp).value == 0
    gb.destroy()
    # reference: gb._overrides = {...} on the same instance
    gb = GrowthBook(user={"id": "6"}, overrides={"forced-test": {"force": 1}})
    calls = tracking_mock(gb)
    assert gb.run(exp).value == 1
    assert len(calls()) == 0
    gb.destroy()


def test_uses_overrides():
    gb = GrowthBook(user={"id": "1"}, overrides={"my-test": {"coverage": 0.01}})
    assert gb.run(Experiment(key="my-test", variations=[0, 1])).inExperiment is False
    gb.destroy()
    gb = GrowthBook(user={"id": "1"}, overrides={"my-test": {"url": r"^\\/path"}})
    assert gb.run(Experiment(key="my-test", variations=[0, 1])).inExperiment is False
    gb.destroy()


def test_filters_user_groups():
    gb = GrowthBook(user={"id": "123"}, groups={"alpha": True, "beta": True, "internal": False, "qa": False})
    assert gb.run(Experiment(key="my-test", variations=[0, 1], groups=["internal", "qa"])).inExperiment is False
    assert gb.run(Experiment(key="my-test", variations=[0, 1], groups=["internal", "qa", "beta"])).inExperiment is True
    assert gb.run(Experiment(key="my-test", variations=[0, 1])).inExperiment is True
    gb.destroy()


def test_supports_custom_user_hash_keys():
    gb = GrowthBook(user={"id": "1", "company": "abc"})
    res = gb.run(Experiment(key="my-test", variations=[0, 1], hashAttribute="company"))
    assert res.hashAttribute == "company"
    assert res.hashValue == "abc"
    gb.destroy()


def test_querystring_force_disabled_tracking():
    gb = GrowthBook(user={"id": "1"}, url="http://example.com?forced-test-qs=1")
    calls = tracking_mock(gb)
    res = gb.run(Experiment(key="forced-test-qs", variations=[0, 1]))
    assert res.value == 1
    assert len(calls()) == 0
    gb.destroy()


def test_url_targeting():
    exp = Experiment(key="my-test", variations=[0, 1], url="^\\/post\\/[0-9]+")
    gb = GrowthBook(user={"id": "1"}, url="http://example.com")
    res = gb.run(exp)
    assert res.inExperiment is False
    assert res.value == 0
    gb.destroy()
    gb = GrowthBook(user={"id": "1"}, url="http://example.com/post/123")  # reference: gb._url = ...
    res = gb.run(exp)
    assert res.inExperiment is True
    assert res.value == 1
    exp.url = "http:\\/\\/example.com\\/post\\/[0-9]+"
    res = gb.run(exp)
    assert res.inExperiment is True
    assert res.value == 1
    gb.destroy()


def test_invalid_url_regex():
    gb = GrowthBook(user={"id": "1"}, overrides={"my-test": {"url": "???***[)"}}, url="http://example.com")
    assert gb.run(Experiment(key="my-test", variations=[0, 1])).value == 1
    gb.destroy()


def test_ignores_draft_experiments():
    exp = Experiment(key="my-test", status="draft", variations=[0, 1])
    gb = GrowthBook(user={"id": "1"})
    res1 = gb.run(exp)
    gb.destroy()
    gb = GrowthBook(user={"id": "1"}, url="http://example.com/?my-test=1")
    res2 = gb.run(exp)
    assert (res1.inExperiment, res1.hashUsed, res1.value) == (False, False, 0)
    assert (res2.inExperiment, res2.hashUsed, res2.value) == (True, False, 1)
    gb.destroy()


def test_ignores_stopped_experiments_unless_forced():
    gb = GrowthBook(user={"id": "1"})
    res1 = gb.run(Experiment(key="my-test", status="stopped", variations=[0, 1, 2]))
    res2 = gb.run(Experiment(key="my-test", status="stopped", variations=[0, 1, 2], force=2))
    assert (res1.value, res1.inExperiment) == (0, False)
    assert (res2.value, res2.inExperiment) == (2, True)
    gb.destroy()


def test_destroy_removes_subscriptions():
    fired = []
    gb = GrowthBook(user={"id": "1"})
    gb.subscribe(lambda e, r: fired.append(e.key))
    gb.run(Experiment(key="my-test", variations=[0, 1]))
    assert fired == ["my-test"]
    gb.destroy()
    # as in 1.1.0, the instance keeps running after destroy(), without its subscriptions
    gb.run(Experiment(key="my-other-test", variations=[0, 1]))
    assert fired == ["my-test"]
    gb.destroy()  # twice is fine


def test_fires_subscriptions_correctly():
    fired = []
    gb = GrowthBook(user={"id": "1"})
    unsubscribe = gb.subscribe(lambda e, r: fired.append((e.key, r.variationId)))
    assert fired == []
    exp = Experiment(key="my-test", variations=[0, 1])
    gb.run(exp)
    assert fired == [("my-test", 1)]
    gb.run(exp)  # nothing changed
    assert fired == [("my-test", 1)]
    gb.run(Experiment(key="my-test", variations=[0, 1], force=0))  # the variation changed
    assert fired == [("my-test", 1), ("my-test", 0)]
    unsubscribe()
    gb.run(Experiment(key="other-test", variations=[0, 1]))
    assert len(fired) == 2
    gb.destroy()


def test_stores_assigned_variations_in_the_user():
    gb = GrowthBook(user={"id": "1"})
    gb.run(Experiment(key="my-test", variations=[0, 1]))
    gb.run(Experiment(key="my-test-3", variations=[0, 1]))
    assigned = gb.getAllResults()
    arr = [{"key": k, "variation": v["result"].variationId} for k, v in assigned.items()]
    assert arr == [{"key": "my-test", "variation": 1}, {"key": "my-test-3", "variation": 0}]
    assert isinstance(assigned["my-test"]["experiment"], Experiment)
    assert assigned["my-test"]["experiment"].key == "my-test"
    gb.destroy()


def test_getters_setters():
    gb = GrowthBook()
    feat = Feature(defaultValue="yes", rules=[FeatureRule(force="no")])
    features_input = {"feature-1": feat.to_dict()}
    attributes = {"id": "123", "url": "/"}
    gb.setFeatures(features_input)
    gb.setAttributes(attributes)
    assert {k: v.to_dict() for k, v in gb.getFeatures().items()} == features_input
    assert gb.getAttributes() == attributes
    gb.setAttributes({"url": "/hello"})
    assert gb.getAttributes() == {"url": "/hello"}
    assert gb.get_feature_value("feature-1", None) == "no"
    gb.destroy()


def test_return_ruleid_when_evaluating_a_feature():
    gb = GrowthBook(features={"feature": {"defaultValue": 0, "rules": [{"force": 1, "id": "foo"}]}})
    assert gb.eval_feature("feature").ruleId == "foo"
    gb.destroy()


def test_feature_methods():
    gb = GrowthBook(features={"featureOn": {"defaultValue": 12}, "featureNone": {"defaultValue": None},
                              "featureOff": {"defaultValue": 0}})
    assert (gb.isOn("featureOn"), gb.isOff("featureOn"), gb.getFeatureValue("featureOn", 15)) == (True, False, 12)
    assert (gb.isOn("featureOff"), gb.isOff("featureOff"), gb.getFeatureValue("featureOff", 10)) == (False, True, 0)
    assert (gb.isOn("featureNone"), gb.isOff("featureNone"), gb.getFeatureValue("featureNone", 10)) == (False, True, 10)
    gb.destroy()


# ---- deprecated constructor options --------------------------------------------------------

def test_deprecated_qa_mode():
    for kwargs in ({"qaMode": True}, {"qa_mode": True}):
        gb = GrowthBook(attributes={"id": "1"}, **kwargs)
        res = gb.run(Experiment(key="my-test", variations=[0, 1]))
        assert (res.inExperiment, res.value) == (False, 0)
        # forced variations still apply in QA mode
        assert gb.run(Experiment(key="my-test", variations=[0, 1], force=1)).value == 1
        gb.destroy()


def test_deprecated_tracking_callback():
    calls = []
    gb = GrowthBook(attributes={"id": "1"}, trackingCallback=lambda experiment, result: calls.append(result))
    gb.run(Experiment(key="my-test", variations=[0, 1]))
    assert len(calls) == 1 and calls[0].variationId == 1
    assert gb._trackingCallback is not None
    gb.destroy()


def test_deprecated_user_and_attributes():
    gb = GrowthBook(user={"id": "1", "company": "abc"}, attributes={"company": "xyz"})
    res = gb.run(Experiment(key="my-test", variations=[0, 1], hashAttribute="company"))
    assert res.hashValue == "xyz"  # attributes win over user
    res = gb.run(Experiment(key="my-test", variations=[0, 1]))
    assert res.hashValue == "1"  # user fills in what attributes lack
    gb.destroy()


def test_deprecated_forced_variations():
    for kwargs in ({"forcedVariations": {"my-test": 0}}, {"forced_variations": {"my-test": 0}}):
        gb = GrowthBook(attributes={"id": "1"}, **kwargs)
        res = gb.run(Experiment(key="my-test", variations=[0, 1]))
        assert (res.value, res.inExperiment, res.hashUsed) == (0, True, False)
        gb.destroy()


# ---- sticky bucketing through Python services ---------------------------------------------

STICKY_FEATURES = {
    "feature": {
        "defaultValue": 5,
        "rules": [{"key": "exp", "variations": [0, 1], "weights": [0, 1],
                   "meta": [{"key": "control"}, {"key": "variation1"}]}],
    },
}


def test_sticky_bucket_service():
    features = json.loads(json.dumps(STICKY_FEATURES))
    service = InMemoryStickyBucketService()
    gb = GrowthBook(sticky_bucket_service=service, attributes={"id": "1"}, features=features)
    assert gb.get_feature_value("feature", -1) == 1
    assert service.get_assignments("id", "1") == {
        "attributeName": "id", "attributeValue": "1", "assignments": {"exp__0": "variation1"}}
    features["feature"]["rules"][0]["weights"] = [1, 0]
    gb.set_features(features)
    assert gb.get_feature_value("feature", -1) == 1
    gb2 = GrowthBook(sticky_bucket_service=service, attributes={"id": "1"}, features=features)
    assert gb2.get_feature_value("feature", -1) == 1
    gb2.destroy()
    gb.set_attributes({"id": "2"})
    assert gb.get_feature_value("feature", -1) == 0
    gb.set_attributes({"id": "1"})
    features["feature"]["rules"][0]["bucketVersion"] = 1
    gb.set_features(features)
    assert gb.get_feature_value("feature", -1) == 0
    assert service.get_assignments("id", "1") == {
        "attributeName": "id", "attributeValue": "1",
        "assignments": {"exp__0": "variation1", "exp__1": "control"}}
    gb.destroy()
    service.destroy()


class JsonStore(AbstractStickyBucketService):
    """A service that stores docs as JSON strings, as a key-value store would."""

    def __init__(self):
        self.store = {}
        self.gets = []
        self.saves = []

    def get_assignments(self, attributeName, attributeValue):
        self.gets.append((attributeName, attributeValue))
        raw = self.store.get(self.get_key(attributeName, attributeValue))
        return json.loads(raw) if raw else None

    def save_assignments(self, doc):
        self.saves.append(doc)
        self.store[self.get_key(doc["attributeName"], doc["attributeValue"])] = json.dumps(doc)


def test_python_sticky_service_persists_across_instances():
    features = json.loads(json.dumps(STICKY_FEATURES))
    service = JsonStore()
    gb1 = GrowthBook(sticky_bucket_service=service, attributes={"id": "u1"}, features=features)
    res = gb1.eval_feature("feature")
    assert res.value == 1 and res.experimentResult.stickyBucketUsed is False
    assert ("id", "u1") in service.gets
    assert json.loads(service.store["id||u1"])["assignments"] == {"exp__0": "variation1"}
    gb1.destroy()

    # weights change: a second instance sharing the service still gets the sticky variation
    features["feature"]["rules"][0]["weights"] = [1, 0]
    gb2 = GrowthBook(sticky_bucket_service=service, attributes={"id": "u1"}, features=features)
    res = gb2.eval_feature("feature")
    assert res.value == 1
    assert res.experimentResult.stickyBucketUsed is True
    # another user is bucketed with the new weights
    gb2.set_attributes({"id": "u2"})
    assert gb2.get_feature_value("feature", -1) == 0
    assert json.loads(service.store["id||u2"])["assignments"] == {"exp__0": "control"}
    gb2.destroy()


def test_sticky_identifier_attributes_and_fallback():
    # the same outcome as growthbook 1.1.0 (checked against it): the fallback doc is written
    # while id is missing; once id is known, id is hashed and gets its own doc
    service = JsonStore()
    features = {"f": {"defaultValue": "d", "rules": [{"key": "e", "variations": ["a", "b"],
                                                     "hashAttribute": "id", "fallbackAttribute": "deviceId"}]}}
    gb = GrowthBook(sticky_bucket_service=service, attributes={"deviceId": "dev1"}, features=features,
                    sticky_bucket_identifier_attributes=["id", "deviceId"])
    res = gb.eval_feature("f")
    assert res.value == "a" and res.experimentResult.hashAttribute == "deviceId"
    assert json.loads(service.store["deviceId||dev1"])["assignments"] == {"e__0": "0"}
    gb.set_attributes({"deviceId": "dev1", "id": "user1"})
    res = gb.eval_feature("f")
    assert res.experimentResult.to_dict() == {
        "featureId": "f", "variationId": 1, "inExperiment": True, "value": "b", "hashUsed": True,
        "hashAttribute": "id", "hashValue": "user1", "key": "1", "stickyBucketUsed": False, "bucket": 0.748}
    assert json.loads(service.store["id||user1"])["assignments"] == {"e__0": "1"}
    gb.destroy()


class RaisingService(AbstractStickyBucketService):
    def __init__(self, get=True, save=True):
        self.raise_get = get
        self.raise_save = save

    def get_assignments(self, attributeName, attributeValue):
        if self.raise_get:
            raise RuntimeError("get failed")
        return None

    def save_assignments(self, doc):
        if self.raise_save:
            raise RuntimeError("save failed")


@pytest.mark.parametrize("get,save", [(True, False), (False, True), (True, True)])
def test_raising_sticky_service_is_logged_and_evaluation_continues(caplog, get, save):
    caplog.set_level(logging.WARNING, logger="growthbook")
    gb = GrowthBook(sticky_bucket_service=RaisingService(get, save), attributes={"id": "1"},
                    features=STICKY_FEATURES)
    for _ in range(3):
        assert gb.get_feature_value("feature", -1) == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "growthbook"]
    if get:
        assert any("get_assignments" in m for m in messages), messages
    if save:
        assert any("save_assignments" in m for m in messages), messages
    gb.destroy()


def test_raising_tracking_callback_is_logged_and_evaluation_continues(caplog):
    caplog.set_level(logging.WARNING, logger="growthbook")
    gb = GrowthBook(attributes={"id": "1"}, features={"f": {"defaultValue": 0, "rules": [{"key": "e", "variations": [0, 1]}]}},
                    on_experiment_viewed=lambda experiment, result: 1 / 0)
    for _ in range(3):
        assert gb.get_feature_value("f", None) == 0
    assert gb.run(Experiment(key="x", variations=[0, 1])).inExperiment is True
    assert any("Tracking callback raised" in r.getMessage() for r in caplog.records)
    gb.destroy()


def test_raising_subscription_does_not_stop_others_or_evaluation():
    seen = []
    gb = GrowthBook(attributes={"id": "1"})

    def bad(e, r):
        raise ValueError("boom")

    gb.subscribe(bad)
    gb.subscribe(lambda e, r: seen.append(e.key))
    for key in ("a", "b", "c"):
        assert gb.run(Experiment(key=key, variations=[0, 1])).inExperiment is True
    assert seen == ["a", "b", "c"]
    gb.destroy()


def test_subscriptions_fire_for_feature_experiments():
    seen = []
    gb = GrowthBook(attributes={"id": "1"}, features={"f": {"defaultValue": 0, "rules": [{"key": "exp", "variations": [0, 1]}]}})
    gb.subscribe(lambda e, r: seen.append((e.key, r.variationId)))
    gb.eval_feature("f")
    gb.eval_feature("f")
    assert seen == [("exp", 1)] or seen == [("exp", 0)]
    assert list(gb.get_all_results()) == ["exp"]
    gb.destroy()
