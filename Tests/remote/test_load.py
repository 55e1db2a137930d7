"""gb_load_features from the loopback server: plain and encrypted payloads,
saved groups."""

import gbc
from helpers import BEFORE, flag, handle_with_previous, payload
from server import encrypted_payload, new_key

GROUP_FEATURES = {
    "beta-only": {
        "defaultValue": False,
        "rules": [{"id": "fr_beta", "condition": {"id": {"$inGroup": "beta"}}, "force": True}],
    },
    "not-beta": {
        "defaultValue": False,
        "rules": [{"id": "fr_nb", "condition": {"id": {"$notInGroup": "beta"}}, "force": True}],
    },
}
GROUPS = {"beta": ["u1", "u7"]}


def test_plain_payload_loads(server, client_key, handles):
    server.set_features(client_key, {"color": {"defaultValue": "blue"},
                                     "size": {"defaultValue": {"w": 3}}})
    h = handles({"apiHost": server.url, "clientKey": client_key})
    assert gbc.eval(h, "color")["source"] == "unknownFeature"
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    r = gbc.eval(h, "color")
    assert r["value"] == "blue"
    assert r["source"] == "defaultValue"
    assert gbc.value(h, "size") == {"w": 3}
    assert set(gbc.get_features(h)) == {"color", "size"}
    assert server.request_count(client_key) == 1


def test_request_shape(server, client_key, handles):
    server.set_features(client_key, flag("blue"))
    h = handles({"apiHost": server.url + "/", "clientKey": client_key})  # trailing "/" ignored
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "blue"
    assert server.request_count(client_key) == 1
    assert server.count("//api/features/" + client_key) == 0
    # the first request of a cold cache carries no If-None-Match
    assert server.if_none_match_values(client_key) == []


def test_saved_groups_applied(server, client_key, handles):
    server.set_features(client_key, GROUP_FEATURES, GROUPS)
    h = handles({"apiHost": server.url, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "beta-only", {"id": "u7"}) is True
    assert gbc.value(h, "beta-only", {"id": "u2"}) is False
    assert gbc.value(h, "not-beta", {"id": "u2"}) is True
    assert gbc.value(h, "not-beta", {"id": "u1"}) is False
    gbc.set_attributes(h, {"id": "u1"})
    assert gbc.eval(h, "beta-only")["ruleId"] == "fr_beta"


def test_load_without_client_key(server, handles):
    h = handle_with_previous(handles, {"apiHost": server.url})
    assert gbc.load(h) == gbc.GB_ERR_INVALID_ARGUMENT
    assert gbc.last_error()
    assert gbc.last_error_code() == gbc.GB_ERR_INVALID_ARGUMENT
    assert gbc.value(h, "color") == BEFORE


def test_load_null_handle():
    assert gbc.load(None) == gbc.GB_ERR_INVALID_ARGUMENT
    assert gbc.last_error()


def test_encrypted_payload_right_key(server, client_key, handles):
    key = new_key()
    server.set_payload(client_key, encrypted_payload(GROUP_FEATURES, GROUPS, key))
    h = handles({"apiHost": server.url, "clientKey": client_key, "decryptionKey": key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "beta-only", {"id": "u7"}) is True
    assert gbc.value(h, "beta-only", {"id": "u2"}) is False
    assert gbc.value(h, "not-beta", {"id": "u2"}) is True


def test_encrypted_features_only(server, client_key, handles):
    key = new_key()
    server.set_payload(client_key, encrypted_payload(flag("secret"), None, key))
    h = handles({"apiHost": server.url, "clientKey": client_key, "decryptionKey": key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "secret"


def test_encrypted_payload_wrong_key(server, client_key, handles):
    server.set_payload(client_key, encrypted_payload(flag("secret"), GROUPS, new_key()))
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key,
                                       "decryptionKey": new_key()})
    assert gbc.load(h) == gbc.GB_ERR_DECRYPT
    assert gbc.last_error()
    assert gbc.last_error_code() == gbc.GB_ERR_DECRYPT
    assert gbc.value(h, "color") == BEFORE


def test_encrypted_payload_no_key(server, client_key, handles):
    server.set_payload(client_key, encrypted_payload(flag("secret"), GROUPS, new_key()))
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_ERR_DECRYPT
    assert gbc.last_error()
    assert gbc.last_error_code() == gbc.GB_ERR_DECRYPT
    assert gbc.value(h, "color") == BEFORE


def test_encrypted_then_right_key_handle(server, client_key, handles):
    """A handle with the wrong key fails; another handle with the right key
    on the same cache entry still loads (the wrong key must not poison the
    shared entry)."""
    key = new_key()
    server.set_payload(client_key, encrypted_payload(flag("secret"), None, key))
    bad = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key,
                                         "decryptionKey": new_key()})
    assert gbc.load(bad) == gbc.GB_ERR_DECRYPT
    good = handles({"apiHost": server.url, "clientKey": client_key, "decryptionKey": key})
    assert gbc.load(good) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(good, "color") == "secret"
    assert gbc.value(bad, "color") == BEFORE


def test_load_replaces_previous_features(server, client_key, handles):
    server.set_payload(client_key, payload("remote"))
    h = handle_with_previous(handles, {"apiHost": server.url, "clientKey": client_key})
    assert gbc.load(h) == gbc.GB_OK, gbc.last_error()
    assert gbc.value(h, "color") == "remote"


# A contextual bandit rule (spec 0.8.0): its variations are contextualVariations, and the
# payload's contextualBandits name the leaves that choose the weights.
BANDIT_FEATURES = {
    "cb": {
        "defaultValue": "default",
        "rules": [{"key": "cb-exp", "seed": "cb-exp", "hashAttribute": "id", "hashVersion": 2,
                   "contextualVariations": ["control", "treatment"], "weights": [0.5, 0.5],
                   "meta": [{"key": "0"}, {"key": "1"}], "contextualBanditRef": "cb-bandit"}],
    },
}
BANDITS = {"cb-bandit": {"banditVersion": 7, "contexts": [
    {"leafId": 1, "condition": {"plan": "pro"}, "weights": [0, 1]},
    {"leafId": 2, "condition": {}, "weights": [1, 0]}]}}


def test_payload_contextual_bandits_route_users_under_js_semantics(server, client_key, handles):
    server.set_payload(client_key, {"features": BANDIT_FEATURES, "contextualBandits": BANDITS})
    js = handles({"apiHost": server.url, "clientKey": client_key, "semantics": "js"})
    py = handles({"apiHost": server.url, "clientKey": client_key, "semantics": "python-1.1.0"})
    assert gbc.load(js) == gbc.GB_OK, gbc.last_error()
    assert gbc.load(py) == gbc.GB_OK, gbc.last_error()
    pro = gbc.eval(js, "cb", {"id": "1", "plan": "pro"})
    assert pro["value"] == "treatment"
    assert pro["experimentResult"]["leafId"] == 1 and pro["experimentResult"]["banditVersion"] == 7
    assert pro["experiment"]["contextualBandit"] == {"leafId": 1, "variationWeights": [0, 1], "banditVersion": 7}
    free = gbc.eval(js, "cb", {"id": "1", "plan": "free"})
    assert free["value"] == "control" and free["experimentResult"]["leafId"] == 2
    # Python growthbook 1.1.0 knows no contextualVariations: the rule has no variations.
    assert gbc.eval(py, "cb", {"id": "1", "plan": "pro"})["source"] == "defaultValue"
