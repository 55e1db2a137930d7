"""Loading features through the binding: against a loopback HTTP server (Tests/remote/server.py,
127.0.0.1 only), through a stubbed feature_repo._get (as the reference's tests mock it), with
clear_cache and with a custom AbstractFeatureCache."""

import json
import logging
import os
import uuid

import pytest

from growthbook_native import (
    AbstractFeatureCache,
    GrowthBook,
    InMemoryFeatureCache,
    feature_repo,
)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

ENCRYPTED = "m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj"
ENCRYPTION_KEY = "Zvwv/+uhpFDznZ6SX28Yjg=="
CDN = "https://cdn.growthbook.io"


@pytest.fixture(autouse=True)
def clean_repo():
    default = feature_repo.cache
    feature_repo.clear_cache()
    yield
    feature_repo.set_cache(default)
    feature_repo.clear_cache()


def new_key():
    return "sdk-" + uuid.uuid4().hex[:12]


class MockHttpResp:
    def __init__(self, status, data):
        self.status = status
        self.data = data.encode("utf-8")


class StubGet:
    def __init__(self, status=200, body=None):
        self.calls = []
        self.status = status
        self.body = body

    def __call__(self, url):
        self.calls.append(url)
        return MockHttpResp(self.status, self.body)


@pytest.fixture
def stub(monkeypatch):
    s = StubGet()
    monkeypatch.setattr(feature_repo, "_get", s)
    return s


# ---- the loopback server ----------------------------------------------------------------------

FEATURES = {
    "flag": {"defaultValue": True},
    "exp": {"defaultValue": 0, "rules": [{"key": "e", "variations": [0, 1]}]},
    "country": {"defaultValue": "x", "rules": [{"condition": {"country": "US"}, "force": "us"}]},
}


def test_growthbook_load_features_from_server(server):
    key = new_key()
    server.set_features(key, FEATURES)
    gb = GrowthBook(api_host=server.url, client_key=key, attributes={"id": "1", "country": "US"})
    assert gb.is_on("flag") is False  # nothing loaded yet
    gb.load_features()
    assert server.request_count(key) == 1
    assert {k: v.to_dict() for k, v in gb.get_features().items()} == {
        "flag": {"defaultValue": True, "rules": []},
        "exp": {"defaultValue": 0, "rules": [{"key": "e", "variations": [0, 1], "hashVersion": 1}]},
        "country": {"defaultValue": "x", "rules": [{"condition": {"country": "US"}, "force": "us", "hashVersion": 1}]},
    }
    assert gb.is_on("flag") is True
    assert gb.get_feature_value("country", None) == "us"
    assert gb.eval_feature("exp").source == "experiment"
    gb.destroy()


def test_feature_repo_load_features_caches_and_clear_cache_refetches(server):
    key = new_key()
    server.set_features(key, FEATURES)
    assert feature_repo.load_features(server.url, key) == FEATURES
    assert feature_repo.load_features(server.url, key) == FEATURES
    assert server.request_count(key) == 1  # cached
    gb = GrowthBook(api_host=server.url, client_key=key)
    gb.load_features()  # the cache is shared with instances
    assert server.request_count(key) == 1
    assert gb.is_on("flag")
    feature_repo.clear_cache()
    server.set_features(key, {"flag": {"defaultValue": False}})
    assert feature_repo.load_features(server.url, key) == {"flag": {"defaultValue": False}}
    assert server.request_count(key) == 2
    gb.destroy()


def test_server_errors_give_none_and_are_not_cached(server, caplog):
    key = new_key()
    server.set_status(key, 500)
    with caplog.at_level(logging.WARNING, logger="growthbook"):
        assert feature_repo.load_features(server.url, key) is None
        assert feature_repo.load_features(server.url, key) is None
    assert server.request_count(key) == 2
    gb = GrowthBook(api_host=server.url, client_key=key, features={"flag": {"defaultValue": 1}})
    gb.load_features()  # logs, does not raise, keeps the features it had
    assert gb.get_feature_value("flag", None) == 1
    server.set_raw(key, b"{'corrupted':6('4")
    assert feature_repo.load_features(server.url, key) is None
    assert any(r.levelno >= logging.WARNING for r in caplog.records)
    gb.destroy()


def test_unreachable_host_gives_none():
    assert feature_repo.load_features("http://127.0.0.1:1", new_key()) is None


def test_encrypted_payload_from_server(server):
    key = new_key()
    server.set_payload(key, {"features": {}, "encryptedFeatures": ENCRYPTED})
    assert feature_repo.load_features(server.url, key, ENCRYPTION_KEY) == {"feature": {"defaultValue": True}}
    feature_repo.clear_cache()
    with pytest.raises(ValueError):
        feature_repo.load_features(server.url, key)
    gb = GrowthBook(api_host=server.url, client_key=key, decryption_key=ENCRYPTION_KEY)
    gb.load_features()
    assert gb.is_on("feature")
    gb.destroy()


def test_load_features_needs_client_key():
    gb = GrowthBook()
    with pytest.raises(ValueError):
        gb.load_features()
    gb.destroy()


# ---- feature_repo._get replaced (the reference's tests) --------------------------------------

def test_feature_repository_stub(stub):
    expected = {"feature": {"defaultValue": 5}}
    stub.body = json.dumps({"features": expected})
    assert feature_repo.load_features(CDN, "sdk-abc123") == expected
    assert stub.calls == [CDN + "/api/features/sdk-abc123"]
    # the cache answers the 2nd call
    assert feature_repo.load_features(CDN, "sdk-abc123") == expected
    assert len(stub.calls) == 1
    feature_repo.clear_cache()
    assert feature_repo.load_features(CDN, "sdk-abc123") == expected
    assert len(stub.calls) == 2


def test_feature_repository_expired_entry_with_python_cache(stub):
    # the reference's test expires feature_repo.cache.cache[...]; with the binding that works
    # once a Python cache is installed (the default cache lives in the library)
    cache = InMemoryFeatureCache()
    feature_repo.set_cache(cache)
    stub.body = json.dumps({"features": {"feature": {"defaultValue": 5}}})
    assert feature_repo.load_features(CDN, "sdk-abc123") == {"feature": {"defaultValue": 5}}
    assert feature_repo.load_features(CDN, "sdk-abc123") == {"feature": {"defaultValue": 5}}
    assert len(stub.calls) == 1
    cache.cache[CDN + "::sdk-abc123"].expires -= 1000
    assert feature_repo.load_features(CDN, "sdk-abc123") == {"feature": {"defaultValue": 5}}
    assert len(stub.calls) == 2


def test_feature_repository_error_stub(stub):
    stub.status, stub.body = 400, "400 Error"
    assert feature_repo.load_features(CDN, "sdk-abc123") is None
    assert stub.calls == [CDN + "/api/features/sdk-abc123"]
    assert feature_repo.load_features(CDN, "sdk-abc123") is None
    assert len(stub.calls) == 2  # errors are not cached
    stub.status, stub.body = 200, "{'corrupted':6('4"
    assert feature_repo.load_features(CDN, "sdk-abc123") is None
    assert len(stub.calls) == 3


def test_feature_repository_encrypted_stub(stub):
    stub.body = json.dumps({"features": {}, "encryptedFeatures": ENCRYPTED})
    assert feature_repo.load_features(CDN, "sdk-abc123", ENCRYPTION_KEY) == {"feature": {"defaultValue": True}}
    assert stub.calls == [CDN + "/api/features/sdk-abc123"]
    feature_repo.clear_cache()
    with pytest.raises(Exception):
        feature_repo.load_features(CDN, "sdk-abc123")


def test_load_features_stub(stub):
    stub.body = json.dumps({"features": {"feature": {"defaultValue": 5}}})
    gb = GrowthBook(api_host=CDN, client_key="sdk-abc123")
    assert stub.calls == []
    gb.load_features()
    assert stub.calls == [CDN + "/api/features/sdk-abc123"]
    assert gb.get_features()["feature"].to_dict() == {"defaultValue": 5, "rules": []}
    assert gb.get_feature_value("feature", -1) == 5
    gb.destroy()


def test_loose_unmarshalling_stub(stub):
    stub.body = json.dumps({"features": {"feature": {
        "defaultValue": 5,
        "rules": [
            {"condition": {"country": "US"}, "force": 3, "hashVersion": 1, "unknown": "foo"},
            {"key": "my-exp", "hashVersion": 2, "variations": [0, 1],
             "meta": [{"key": "control", "unknown": "foo"}, {"key": "variation1", "unknown": "foo"}],
             "filters": [{"seed": "abc123", "ranges": [[0, 0.0001]], "hashVersion": 2, "attribute": "id",
                          "unknown": "foo"}]},
            {"unknownRuleType": "foo"},
        ],
        "unknown": "foo"}}, "unknown": "foo"})
    gb = GrowthBook(api_host=CDN, client_key="sdk-abc123")
    gb.load_features()
    assert gb.get_features()["feature"].to_dict() == {"defaultValue": 5, "rules": [
        {"condition": {"country": "US"}, "force": 3, "hashVersion": 1},
        {"key": "my-exp", "hashVersion": 2, "variations": [0, 1],
         "meta": [{"key": "control", "unknown": "foo"}, {"key": "variation1", "unknown": "foo"}],
         "filters": [{"seed": "abc123", "ranges": [[0, 0.0001]], "hashVersion": 2, "attribute": "id",
                      "unknown": "foo"}]},
        {"hashVersion": 1},
    ]}
    assert gb.get_feature_value("feature", -1) == 5
    gb.destroy()


def test_raising_stub_is_logged_and_gives_none(monkeypatch, caplog):
    def boom(url):
        raise OSError("network down")

    monkeypatch.setattr(feature_repo, "_get", boom)
    with caplog.at_level(logging.WARNING, logger="growthbook"):
        assert feature_repo.load_features(CDN, "sdk-raise") is None
        gb = GrowthBook(api_host=CDN, client_key="sdk-raise", features={"f": {"defaultValue": 1}})
        gb.load_features()
        assert gb.get_feature_value("f", None) == 1
        gb.destroy()
    assert caplog.records


# ---- a custom cache -----------------------------------------------------------------------------

class RecordingCache(AbstractFeatureCache):
    def __init__(self):
        self.store = {}
        self.gets = []
        self.sets = []
        self.cleared = 0

    def get(self, key):
        self.gets.append(key)
        return self.store.get(key)

    def set(self, key, value, ttl):
        self.sets.append((key, ttl))
        self.store[key] = value

    def clear(self):
        self.cleared += 1
        self.store.clear()


def test_set_cache_with_custom_cache(server):
    key = new_key()
    server.set_features(key, FEATURES)
    cache = RecordingCache()
    feature_repo.set_cache(cache)
    gb = GrowthBook(api_host=server.url, client_key=key, cache_ttl=123, attributes={"country": "US"})
    gb.load_features()
    assert cache.gets == [server.url + "::" + key]
    assert cache.sets == [(server.url + "::" + key, 123)]
    assert gb.get_feature_value("country", None) == "us"
    gb2 = GrowthBook(api_host=server.url, client_key=key)
    gb2.load_features()
    assert server.request_count(key) == 1  # served from the custom cache
    assert gb2.is_on("flag")
    # values put in the cache by someone else are used as they are
    cache.store[server.url + "::" + key] = {"flag": {"defaultValue": False}}
    gb2.load_features()
    assert gb2.is_on("flag") is False
    feature_repo.clear_cache()
    assert cache.cleared == 1 and cache.store == {}
    gb.destroy()
    gb2.destroy()


def test_set_cache_with_stub(stub):
    cache = RecordingCache()
    feature_repo.set_cache(cache)
    stub.body = json.dumps({"features": {"f": {"defaultValue": "v"}}})
    assert feature_repo.load_features(CDN, "sdk-c", ttl=5) == {"f": {"defaultValue": "v"}}
    assert feature_repo.load_features(CDN, "sdk-c", ttl=5) == {"f": {"defaultValue": "v"}}
    assert stub.calls == [CDN + "/api/features/sdk-c"]
    assert cache.sets == [(CDN + "::sdk-c", 5)]
