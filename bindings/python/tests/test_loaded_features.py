"""load_features(): instances answered from the process's feature cache share one compiled
feature set (gb_set_features_from) instead of each serialising and compiling the payload."""

import json

import pytest

import growthbook_native as g
from growthbook_native import _lib
from growthbook_native import growthbook as gbmod

FEATURES = {
    "flag": {"defaultValue": True},
    "geo": {"defaultValue": "world", "rules": [{"condition": {"country": "US"}, "force": "us"}]},
    "beta": {"defaultValue": False, "rules": [{"condition": {"id": {"$inGroup": "testers"}}, "force": True}]},
}


class _Resp(object):
    def __init__(self, body):
        self.status = 200
        self.data = json.dumps(body).encode("utf-8")
        self.headers = {}


@pytest.fixture
def api(monkeypatch):
    state = {"features": FEATURES, "calls": 0}

    def get(url):
        state["calls"] += 1
        return _Resp({"features": state["features"]})

    monkeypatch.setattr(g.feature_repo, "_get", get)
    g.feature_repo.clear_cache()
    gbmod._loaded_feature_sets.clear()
    yield state
    g.feature_repo.clear_cache()
    gbmod._loaded_feature_sets.clear()


@pytest.fixture
def compiles(monkeypatch):
    """Counts the feature sets compiled from JSON (every gb_set_features_json)."""
    count = [0]
    real = _lib.gb_set_features_json

    def counting(h, text):
        count[0] += 1
        return real(h, text)

    monkeypatch.setattr(_lib, "gb_set_features_json", counting)
    return count


def _request(country, **kwargs):
    gb = g.GrowthBook(api_host="https://api.example", client_key="sdk-shared", attributes={"id": "u", "country": country}, **kwargs)
    gb.load_features()
    try:
        return gb.get_feature_value("geo", None), gb.is_on("flag"), gb.is_on("beta")
    finally:
        gb.destroy()


def test_instances_share_one_compiled_set(api, compiles):
    answers = [_request("US" if i % 2 else "FR") for i in range(20)]
    assert answers == [("us", True, False) if i % 2 else ("world", True, False) for i in range(20)]
    assert api["calls"] == 1
    assert compiles[0] == 1  # the payload was compiled once for twenty instances


def test_a_refreshed_payload_is_compiled_again(api, compiles):
    assert _request("US") == ("us", True, False)
    api["features"] = {"geo": {"defaultValue": "new"}}
    g.feature_repo.clear_cache()
    assert _request("US") == ("new", False, False)
    assert compiles[0] == 2


def test_each_semantics_compiles_its_own(api, compiles):
    assert _request("US") == ("us", True, False)
    assert _request("US", semantics="js") == ("us", True, False)
    assert _request("US", semantics="js") == ("us", True, False)
    assert compiles[0] == 2


def test_an_instance_with_its_own_saved_groups_compiles_against_them(api, compiles):
    gb = g.GrowthBook(
        api_host="https://api.example", client_key="sdk-shared", attributes={"id": "u7"},
        saved_groups={"testers": ["u7"]}, semantics="js",
    )
    gb.load_features()
    assert gb.is_on("beta")
    gb.destroy()
    # and the shared set, compiled without them, is not changed by that
    assert _request("US", semantics="js") == ("us", True, False)


def test_features_loaded_then_replaced_locally(api):
    gb = g.GrowthBook(api_host="https://api.example", client_key="sdk-shared", attributes={"country": "US"})
    gb.load_features()
    assert sorted(gb.get_features()) == sorted(FEATURES)
    gb.set_features({"geo": {"defaultValue": "local"}})
    assert gb.get_feature_value("geo", None) == "local"
    # the next instance still gets the payload
    assert _request("US") == ("us", True, False)
    gb.destroy()


def test_the_set_kept_is_bounded(api):
    payloads = [{"geo": {"defaultValue": i}} for i in range(gbmod._LoadedFeatureSets.LIMIT + 5)]
    for p in payloads:
        api["features"] = p
        g.feature_repo.clear_cache()
        gb = g.GrowthBook(api_host="https://api.example", client_key="sdk-shared")
        gb.load_features()
        assert gb.get_feature_value("geo", None) == p["geo"]["defaultValue"]
        gb.destroy()
    assert len(gbmod._loaded_feature_sets._entries) == gbmod._LoadedFeatureSets.LIMIT
