"""Code written for growthbook 1.1.0 (its README's examples), run against growthbook_native.

Each test takes the module under test as `g`. They are written for growthbook 1.1.0's
behaviour; to check that they are, run this file against the reference itself:
GROWTHBOOK_DROP_IN_MODULE=growthbook python -m pytest tests/test_drop_in.py in an environment
with growthbook==1.1.0 (its feature_repo._get is stubbed here, so no network is used)."""

import importlib
import io
import json
import logging
import os

import pytest

ENCRYPTED = "m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj"
ENCRYPTION_KEY = "Zvwv/+uhpFDznZ6SX28Yjg=="


@pytest.fixture
def g():
    return importlib.import_module(os.environ.get("GROWTHBOOK_DROP_IN_MODULE", "growthbook_native"))


class _Resp(object):
    def __init__(self, status, body):
        self.status = status
        self.data = body.encode("utf-8")
        self.headers = {}


@pytest.fixture
def api(g, monkeypatch):
    """feature_repo._get answering every URL with `api.body`, counting the calls."""
    calls = []

    class Api(object):
        body = json.dumps({"features": {"flag": {"defaultValue": True}}})

    def get(url):
        calls.append(url)
        return _Resp(200, Api.body)

    monkeypatch.setattr(g.feature_repo, "_get", get)
    g.feature_repo.clear_cache()
    Api.calls = calls
    yield Api
    g.feature_repo.clear_cache()


def test_keyed_instance_then_unkeyed_shares_the_decrypted_cache(g, api):
    # an encrypted payload: the first instance has the key, the second (same client key) not
    api.body = json.dumps({"encryptedFeatures": ENCRYPTED})
    a = g.GrowthBook(api_host="https://api.example", client_key="sdk-enc", decryption_key=ENCRYPTION_KEY)
    a.load_features()
    b = g.GrowthBook(api_host="https://api.example", client_key="sdk-enc")
    b.load_features()  # served from the shared cache, already decrypted
    assert sorted(b.get_features()) == sorted(a.get_features()) != []
    assert len(api.calls) == 1
    a.destroy()
    b.destroy()


def test_unkeyed_instance_of_an_encrypted_payload_raises(g, api):
    api.body = json.dumps({"encryptedFeatures": ENCRYPTED})
    gb = g.GrowthBook(api_host="https://api.example", client_key="sdk-enc2")
    with pytest.raises(ValueError):
        gb.load_features()
    gb.destroy()


def test_tuple_variations_come_back_as_given(g):
    gb = g.GrowthBook(attributes={"id": "1"})
    exp = g.Experiment(key="button", variations=[("green", "small"), ("blue", "large")])
    result = gb.run(exp)
    assert isinstance(result.value, tuple)
    assert result.value in exp.variations
    assert result.value == exp.variations[result.variationId]
    gb.destroy()


def test_tracking_callback_by_keyword_with_the_very_objects(g):
    seen = []

    def on_experiment_viewed(*, experiment, result):  # keyword-only: 1.1.0 calls it so
        seen.append((experiment, result))

    gb = g.GrowthBook(attributes={"id": "1"}, on_experiment_viewed=on_experiment_viewed)
    exp = g.Experiment(key="kw", variations=[0, 1])
    result = gb.run(exp)
    assert len(seen) == 1 and seen[0][0] is exp and seen[0][1] is result
    gb.destroy()


def test_a_raising_callback_chains_no_internal_error(g, caplog):
    def bad(experiment, result):
        raise RuntimeError("boom")

    gb = g.GrowthBook(
        attributes={"id": "1"}, on_experiment_viewed=bad,
        features={"never-seen-key": {"defaultValue": 0, "rules": [{"key": "e1", "variations": [0, 1]}]}})
    with caplog.at_level(logging.DEBUG, logger="growthbook"):
        assert gb.get_feature_value("never-seen-key", None) in (0, 1)
    assert "KeyError" not in caplog.text
    gb.destroy()


def test_destroyed_instance_answers_as_an_empty_one(g):
    gb = g.GrowthBook(attributes={"id": "1"}, features={"flag": {"defaultValue": True}})
    assert gb.is_on("flag") is True
    gb.destroy()
    assert gb.is_on("flag") is False
    assert gb.get_attributes() == {}
    assert gb.get_features() == {}


@pytest.fixture
def log_lines():
    """The messages of the "growthbook" logger while the test runs (its level is restored)."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    log = logging.getLogger("growthbook")
    handler = Collect()
    log.addHandler(handler)
    old = log.level
    try:
        yield lines
    finally:
        log.setLevel(old)
        log.removeHandler(handler)


def test_logging_configured_after_the_instance_applies(g, log_lines):
    gb = g.GrowthBook(attributes={"id": "1"},
                      features={"f": {"defaultValue": 1, "rules": [{"condition": {"x": 1}, "force": 2}]}})
    lines = log_lines
    log = logging.getLogger("growthbook")
    try:
        log.setLevel(logging.WARNING)
        gb.eval_feature("f")
        gb.eval_feature("missing")
        assert lines == ["Unknown feature missing"]
        del lines[:]
        log.setLevel(logging.DEBUG)  # after the instance was made
        gb.eval_feature("f")
        gb.eval_feature("missing")
        for expected in ["Evaluating feature f", "Skip rule because of failed condition, feature f",
                         "Use default value for feature f", "Evaluating feature missing", "Unknown feature missing"]:
            assert expected in lines
        assert lines.index("Evaluating feature missing") < lines.index("Unknown feature missing")
        del lines[:]
        log.setLevel(logging.ERROR)
        gb.eval_feature("missing")
        assert lines == []
    finally:
        gb.destroy()


def test_debug_lines_name_each_rule_as_1_1_0_writes_them(g, log_lines):
    features = {
        "p": {"defaultValue": True, "rules": [{"condition": {"id": "2"}, "force": False}]},
        "f": {"defaultValue": 1, "rules": [
            {"id": "r1", "condition": {"country": "FR"}, "force": 2},
            {"key": "exp", "variations": [10, 20], "weights": [0.5, 0.5], "coverage": 0.5, "hashVersion": 2, "seed": "s"},
            {"parentConditions": [{"id": "p", "condition": {"value": True}, "gate": False}], "force": 5},
        ]},
    }
    gb = g.GrowthBook(attributes={"id": "1", "country": "US"}, features=features)
    lines = log_lines
    log = logging.getLogger("growthbook")
    try:
        log.setLevel(logging.DEBUG)
        assert gb.eval_feature("f").value == 5
    finally:
        gb.destroy()
    assert lines == [
        "Evaluating feature f",
        "Evaluating feature f, rule {'id': 'r1', 'condition': {'country': 'FR'}, 'force': 2, 'hashVersion': 1}",
        "Skip rule because of failed condition, feature f",
        "Evaluating feature f, rule {'key': 'exp', 'variations': [10, 20], 'weights': [0.5, 0.5], "
        "'coverage': 0.5, 'hashVersion': 2, 'seed': 's'}",
        "Skip experiment exp because user is not included in the rollout",
        "Skip rule because user not included in experiment, feature f",
        "Evaluating feature f, rule {'force': 5, 'hashVersion': 1, "
        "'parentConditions': [{'id': 'p', 'condition': {'value': True}, 'gate': False}]}",
        "Evaluating feature p",
        "Evaluating feature p, rule {'condition': {'id': '2'}, 'force': False, 'hashVersion': 1}",
        "Skip rule because of failed condition, feature p",
        "Use default value for feature p",
        "Force value from rule, feature f",
    ]


# Attributes edited in place: 1.1.0 keeps the caller's dict and reads it at each evaluation.

IN_PLACE_FEATURES = {
    "uk": {"defaultValue": False, "rules": [{"condition": {"country": "UK"}, "force": True}]},
    "adult": {"defaultValue": "no", "rules": [{"condition": {"age": {"$gte": 18}}, "force": "yes"}]},
    "tagged": {"defaultValue": 0, "rules": [{"condition": {"tags": {"$elemMatch": {"$eq": "beta"}}}, "force": 1}]},
    "deep": {"defaultValue": 0, "rules": [{"condition": {"org.plan": "pro"}, "force": 2}]},
}


def test_attributes_edited_in_place_after_set_attributes(g):
    gb = g.GrowthBook(features=IN_PLACE_FEATURES)
    attrs = {"id": "1", "country": "US", "age": 17, "tags": ["a"], "org": {"plan": "free"}}
    gb.set_attributes(attrs)
    assert gb.get_attributes() is attrs
    assert gb.is_on("uk") is False
    attrs["country"] = "UK"
    assert gb.is_on("uk") is True
    assert gb.eval_feature("uk").value is True
    assert gb.get_feature_value("adult", None) == "no"
    attrs["age"] += 1
    assert gb.get_feature_value("adult", None) == "yes"
    attrs["tags"].append("beta")  # a nested list
    assert gb.eval_feature("tagged").value == 1
    attrs["org"]["plan"] = "pro"  # a nested dict
    assert gb.get_feature_value("deep", None) == 2
    del attrs["country"]
    assert gb.is_off("uk") is True
    attrs.clear()
    assert gb.get_feature_value("adult", None) == "no"
    gb.destroy()


def test_attributes_edited_in_place_after_the_constructor(g):
    attrs = {"id": "1", "country": "US"}
    gb = g.GrowthBook(attributes=attrs, features=IN_PLACE_FEATURES)
    assert gb.isOn("uk") is False
    attrs["country"] = "UK"
    assert gb.isOn("uk") is True
    assert gb.evalFeature("uk").on is True
    attrs["country"] = "FR"
    assert gb.getFeatureValue("uk", None) is False
    gb.destroy()


def test_attributes_replaced_key_with_same_length(g):
    attrs = {"id": "1", "country": "UK"}
    gb = g.GrowthBook(attributes=attrs, features=IN_PLACE_FEATURES)
    assert gb.is_on("uk") is True
    del attrs["country"]
    attrs["age"] = 30  # same length, other key
    assert gb.is_on("uk") is False
    assert gb.get_feature_value("adult", None) == "yes"
    gb.destroy()


def test_attributes_edited_in_place_reach_run(g):
    attrs = {"id": "1", "country": "US"}
    gb = g.GrowthBook(attributes=attrs)
    exp = g.Experiment(key="in-place", variations=[0, 1], condition={"country": "UK"})
    assert gb.run(exp).inExperiment is False
    attrs["country"] = "UK"
    assert gb.run(exp).inExperiment is True
    gb.destroy()
