#!/usr/bin/env python3
"""Generates the benchmark payloads, deterministically (a fixed seed, no clock, no hash order).

  bench/data/features-200.json   W4: 200 features mixing the rule kinds and operators (committed)
  features-5000.json             W6: 5,000 features of the same mix (see --out-5000)
  features-30.json               W7-W9: 30 features of the same mix (committed)
  features-3.json                W7: 3 of those 30 (the ones W7-W9 evaluate: an experiment with a
                                 condition, several rules with number values, several rules with
                                 JSON values), the same definitions (committed)

Each file is a GrowthBook API payload: {"features": {key: feature}}. The mix, by feature index:
default-only values (bool, string, number, JSON), force rules with $in/$nin, $regex, version
operators ($vgt/$vgte/$vlt/$veq), $elemMatch/$all/$size, numeric $gt/$lt/$gte/$lte, $exists,
$or/$and/$not, rollouts (force + coverage + hashAttribute), experiments (2-3 variations, weights,
coverage, hashVersion 1 or 2, seeds, conditions), prerequisites (parentConditions on earlier
features), and features with several rules where the first ones do not match.

W4's user (USER below) is also written into the payload file under "benchUser", so every
contender evaluates the same user; GrowthBook SDKs ignore unknown payload keys.

Usage: python3 bench/gen_payload.py [--out-200 PATH] [--out-5000 PATH] [--out-30 PATH] [--out-3 PATH]
"""

import argparse
import json
import os
import random

USER = {
    "id": "user-123",
    "deviceId": "dev-7781",
    "country": "US",
    "age": 30,
    "version": "2.3.1",
    "email": "alice@example.com",
    "browser": "chrome",
    "plan": "pro",
    "company": "acme",
    "tags": ["beta", "early-adopter", "newsletter"],
    "orders": [{"sku": "A1", "qty": 2}, {"sku": "B7", "qty": 1}],
    "score": 72.5,
    "loggedIn": True,
}

COUNTRIES = ["US", "CA", "GB", "DE", "FR", "JP", "BR", "IN", "AU", "MX"]
BROWSERS = ["chrome", "firefox", "safari", "edge"]
PLANS = ["free", "pro", "enterprise"]
TAGS = ["beta", "early-adopter", "newsletter", "vip", "internal", "churn-risk"]


def value_of(rng, kind, i):
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "string":
        return rng.choice(["blue", "green", "red", "control", "variant-%d" % i])
    if kind == "number":
        return rng.choice([0, 1, 3, 10, 2.5, 100])
    return {"size": rng.randint(1, 5), "label": "cfg-%d" % i, "items": [rng.randint(0, 9) for _ in range(3)]}


def condition(rng, op):
    """One targeting condition of the operator family op (some match USER, some do not)."""
    if op == "in":
        return {"country": {"$in": rng.sample(COUNTRIES, rng.randint(1, 4))}}
    if op == "nin":
        return {"browser": {"$nin": rng.sample(BROWSERS, rng.randint(1, 2))}}
    if op == "regex":
        return {"email": {"$regex": rng.choice(["@example\\.com$", "^bob", "^[a-z]+@", "acme\\.io$"])}}
    if op == "version":
        o = rng.choice(["$vgt", "$vgte", "$vlt", "$veq"])
        return {"version": {o: rng.choice(["1.9.9", "2.3.1", "2.10.0", "3.0.0-beta.1"])}}
    if op == "elemMatch":
        return rng.choice([
            {"tags": {"$elemMatch": {"$eq": rng.choice(TAGS)}}},
            {"orders": {"$elemMatch": {"sku": rng.choice(["A1", "C3"]), "qty": {"$gte": 2}}}},
            {"tags": {"$all": rng.sample(TAGS, 2)}},
            {"tags": {"$size": {"$gt": rng.randint(1, 4)}}},
        ])
    if op == "numeric":
        o = rng.choice(["$gt", "$gte", "$lt", "$lte"])
        return {"age": {o: rng.randint(15, 45)}, "score": {"$gt": rng.randint(10, 90)}}
    if op == "exists":
        return {rng.choice(["company", "phone"]): {"$exists": rng.random() < 0.5}}
    if op == "logic":
        return rng.choice([
            {"$or": [{"plan": rng.choice(PLANS)}, {"country": rng.choice(COUNTRIES)}]},
            {"$and": [{"loggedIn": True}, {"plan": {"$ne": rng.choice(PLANS)}}]},
            {"$not": {"browser": rng.choice(BROWSERS)}},
        ])
    return {"country": rng.choice(COUNTRIES)}


OPS = ["in", "nin", "regex", "version", "elemMatch", "numeric", "exists", "logic", "eq"]


def feature(rng, i, keys):
    kind = ["bool", "bool", "string", "number", "json"][i % 5]
    default = value_of(rng, kind, i)
    shape = i % 10
    rules = []
    if shape == 0:
        pass  # default only
    elif shape in (1, 2, 3):  # force with a condition
        rules.append({"id": "fr_%d" % i, "condition": condition(rng, OPS[(i // 10) % len(OPS)]),
                      "force": value_of(rng, kind, i)})
    elif shape == 4:  # rollout
        rule = {"id": "ro_%d" % i, "force": value_of(rng, kind, i), "coverage": rng.choice([0.1, 0.5, 0.9]),
                "hashAttribute": "id"}
        if rng.random() < 0.5:
            rule["condition"] = condition(rng, rng.choice(OPS))
        rules.append(rule)
    elif shape in (5, 6):  # experiment
        n = rng.choice([2, 2, 3])
        weights = [0.5, 0.5] if n == 2 else [0.34, 0.33, 0.33]
        rule = {"id": "ex_%d" % i, "key": "exp-%d" % i, "variations": [value_of(rng, kind, i) for _ in range(n)],
                "weights": weights, "coverage": rng.choice([1, 1, 0.8]), "hashAttribute": "id",
                "hashVersion": rng.choice([1, 2, 2]),
                "meta": [{"key": str(v)} for v in range(n)]}
        if rng.random() < 0.5:
            rule["seed"] = "seed-%d" % i
        if rng.random() < 0.6:
            rule["condition"] = condition(rng, rng.choice(OPS))
        rules.append(rule)
    elif shape == 7 and keys:  # prerequisite on an earlier boolean feature
        parent = keys[rng.randrange(len(keys))]
        rules.append({"id": "pr_%d" % i, "parentConditions": [
            {"id": parent, "condition": {"value": {"$exists": True}}, "gate": rng.random() < 0.5}],
            "force": value_of(rng, kind, i)})
    else:  # several rules, the first ones usually not matching
        for j in range(rng.randint(2, 4)):
            rules.append({"id": "mr_%d_%d" % (i, j), "condition": condition(rng, rng.choice(OPS)),
                          "force": value_of(rng, kind, i)})
        if rng.random() < 0.5:
            rules.append({"id": "mx_%d" % i, "key": "mexp-%d" % i, "variations": [default, value_of(rng, kind, i)],
                          "weights": [0.5, 0.5], "coverage": 1, "hashAttribute": "id", "hashVersion": 2})
    f = {"defaultValue": default}
    if rules:
        f["rules"] = rules
    return f


def generate(n, seed):
    rng = random.Random(seed)
    features = {}
    bool_keys = []
    for i in range(n):
        key = "feature-%04d-%s" % (i, rng.choice(["checkout", "search", "nav", "pricing", "banner", "api"]))
        features[key] = feature(rng, i, bool_keys[-50:])
        if i % 5 in (0, 1):
            bool_keys.append(key)
    return {"features": features, "benchUser": USER}


# Which of the 30 features make the 3-feature payload (by index), chosen so that their answers
# change with the user (id, country, age): 6 a boolean experiment (hash v1, condition on age and
# score), 28 several rules ($regex, $lte/$gt) and an experiment with number values, 29 several rules
# with JSON values. None has a prerequisite, so the 3 stand alone.
SUBSET_3 = (6, 28, 29)


def subset(payload, indices):
    keys = list(payload["features"])
    return {"features": {keys[i]: payload["features"][keys[i]] for i in indices}, "benchUser": payload["benchUser"]}


def write(path, payload):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    text = json.dumps(payload, separators=(",", ":"), sort_keys=False)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return len(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-200", default=os.path.join(here, "data", "features-200.json"))
    ap.add_argument("--out-5000", default=os.path.join(here, "data", "features-5000.json"))
    ap.add_argument("--out-30", default=os.path.join(here, "data", "features-30.json"))
    ap.add_argument("--out-3", default=os.path.join(here, "data", "features-3.json"))
    args = ap.parse_args()
    p30 = generate(30, 30)
    for n, path, payload in ((200, args.out_200, generate(200, 200)), (5000, args.out_5000, generate(5000, 5000)),
                             (30, args.out_30, p30), (3, args.out_3, subset(p30, SUBSET_3))):
        size = write(path, payload)
        print("gen_payload: %s: %d features, %d bytes" % (path, n, size))


if __name__ == "__main__":
    main()
