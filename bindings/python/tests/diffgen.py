"""Deterministic random cases for the differential tests against growthbook 1.1.0.

Every generated item carries a `shape` tag. Shapes in STRICT are ones where libgrowthbook is
expected to agree with 1.1.0 exactly; the others exercise known, deliberate differences
between 1.1.0 and the latest spec (which the library follows) and are only reported."""

import random

COUNTRIES = ["US", "FR", "DE", "GB", "JP", "BR"]
TAGS = ["a", "b", "c", "d", "e"]
VERSIONS = ["1.0.0", "1.2.3", "1.2.3-beta", "1.2.3-rc.1", "2.0.0", "v1.10.0", "0.9.99", "1.2", "10.0.1+build7"]
WORDS = ["alpha", "beta", "gamma", "delta", "Alpha", "al-pha", "beta2"]

# shapes whose results must equal the reference's
STRICT = {"typed", "rollout", "range-rollout", "experiment", "experiment-v2", "namespace", "filters",
          "meta", "combo", "run"}


def gen_user(rnd, i, missing_id=False):
    u = {}
    if not missing_id:
        u["id"] = "user-%d-%d" % (i, rnd.randint(0, 10 ** 6))
    if rnd.random() < 0.8:
        u["company"] = rnd.choice(["acme", "globex", "initech", "umbrella"])
    if rnd.random() < 0.9:
        u["country"] = rnd.choice(COUNTRIES)
    if rnd.random() < 0.85:
        u["age"] = rnd.randint(0, 90)
    if rnd.random() < 0.6:
        u["score"] = round(rnd.uniform(-10, 100), 2)
    if rnd.random() < 0.7:
        u["version"] = rnd.choice(VERSIONS)
    if rnd.random() < 0.7:
        u["tags"] = rnd.sample(TAGS, rnd.randint(0, 4))
    if rnd.random() < 0.5:
        u["nums"] = [rnd.randint(0, 10) for _ in range(rnd.randint(0, 4))]
    if rnd.random() < 0.6:
        u["beta"] = rnd.random() < 0.5
    if rnd.random() < 0.5:
        u["name"] = rnd.choice(WORDS)
    if rnd.random() < 0.5:
        u["nested"] = {"level": rnd.randint(0, 5), "plan": rnd.choice(["free", "pro"])}
    if rnd.random() < 0.3:
        u["items"] = [{"kind": rnd.choice(["x", "y"]), "qty": rnd.randint(0, 5)} for _ in range(rnd.randint(0, 3))]
    return u


def gen_leaf(rnd):
    """A type-consistent {attribute: condition} pair."""
    kind = rnd.randint(0, 17)
    if kind == 0:
        return "country", rnd.choice([rnd.choice(COUNTRIES), {"$eq": rnd.choice(COUNTRIES)}, {"$ne": rnd.choice(COUNTRIES)}])
    if kind == 1:
        op = rnd.choice(["$lt", "$lte", "$gt", "$gte"])
        return "age", {op: rnd.randint(0, 90)}
    if kind == 2:
        return "age", {"$gt": rnd.randint(0, 40), "$lt": rnd.randint(40, 90)}
    if kind == 3:
        return "score", {rnd.choice(["$lt", "$gt", "$gte", "$lte"]): round(rnd.uniform(-10, 100), 1)}
    if kind == 4:
        return "country", {rnd.choice(["$in", "$nin"]): rnd.sample(COUNTRIES, rnd.randint(0, 3))}
    if kind == 5:
        return "tags", {rnd.choice(["$in", "$nin"]): rnd.sample(TAGS, rnd.randint(1, 3))}
    if kind == 6:
        return "name", {"$regex": rnd.choice(["^al", "a$", "[Aa]lpha", "^b.*2$", "ph", "^(alpha|gamma)$"])}
    if kind == 7:
        return rnd.choice(["beta", "score", "version", "missing", "nested.plan"]), {"$exists": rnd.random() < 0.5}
    if kind == 8:
        return "tags", {"$elemMatch": {"$eq": rnd.choice(TAGS)}}
    if kind == 9:
        return "nums", {"$elemMatch": {"$gt": rnd.randint(0, 10)}}
    if kind == 10:
        return rnd.choice(["tags", "nums"]), {"$size": rnd.choice([rnd.randint(0, 4), {"$gt": rnd.randint(0, 3)}])}
    if kind == 11:
        return "tags", {"$all": rnd.sample(TAGS, rnd.randint(1, 2))}
    if kind == 12:
        return "country", {"$not": {rnd.choice(["$eq", "$in"]): rnd.choice([rnd.choice(COUNTRIES), COUNTRIES[:2]])}}
    if kind == 13:
        op = rnd.choice(["$vgt", "$vlt", "$veq", "$vne", "$vgte", "$vlte"])
        return "version", {op: rnd.choice(VERSIONS)}
    if kind == 14:
        return "nested.level", {rnd.choice(["$gt", "$lte", "$eq"]): rnd.randint(0, 5)}
    if kind == 15:
        return "beta", rnd.choice([True, False, {"$eq": True}, {"$ne": False}])
    if kind == 16:
        return "items", {"$elemMatch": {"kind": rnd.choice(["x", "y"]), "qty": {"$gte": rnd.randint(0, 5)}}}
    return "company", {"$in": rnd.sample(["acme", "globex", "initech", "umbrella"], 2)}


def gen_condition(rnd, depth=0):
    """Logical operators only as the sole key of their object (1.1.0 ignores the other keys
    next to $or/$and/$nor/$not; the spec evaluates them all)."""
    r = rnd.random()
    if depth < 2 and r < 0.25:
        op = rnd.choice(["$or", "$and", "$nor"])
        return {op: [gen_condition(rnd, depth + 1) for _ in range(rnd.randint(1, 3))]}
    if depth < 2 and r < 0.3:
        return {"$not": gen_condition(rnd, depth + 1)}
    cond = {}
    for _ in range(rnd.randint(1, 2)):
        k, v = gen_leaf(rnd)
        cond[k] = v
    return cond


def gen_mixed_condition(rnd):
    """Conditions comparing values of different types: 1.1.0 uses Python's rules (True == 1,
    float("12") for numbers vs strings), the spec JavaScript's."""
    return rnd.choice([
        {"age": {"$gt": str(rnd.randint(0, 90))}},
        {"age": {"$eq": str(rnd.randint(0, 90))}},
        {"country": {"$gt": rnd.randint(0, 5)}},
        {"beta": 1},
        {"beta": {"$eq": 0}},
        {"age": {"$in": [str(rnd.randint(0, 90)) for _ in range(3)]}},
        {"score": {"$lt": None}},
        {"missing": {"$lt": 5}},
        {"name": {"$regex": 5}},
        {"tags": {"$eq": "a"}},
        {"version": {"$gt": "1.2.3"}},
        {"nums": {"$all": 3}},
    ])


def gen_weights(rnd, n):
    raw = [rnd.randint(1, 10) for _ in range(n)]
    total = sum(raw)
    w = [round(x / total, 4) for x in raw]
    w[-1] = round(1 - sum(w[:-1]), 4)
    return w


def gen_experiment_rule(rnd, shape):
    n = rnd.randint(2, 4)
    rule = {"key": "exp-%d" % rnd.randint(0, 10 ** 6), "variations": [rnd.choice([i, "v%d" % i, {"v": i}]) for i in range(n)]}
    if rnd.random() < 0.6:
        rule["weights"] = gen_weights(rnd, n)
    if rnd.random() < 0.5:
        rule["coverage"] = rnd.choice([0.1, 0.25, 0.5, 0.8, 1])
    if rnd.random() < 0.3:
        rule["condition"] = gen_condition(rnd)
    if rnd.random() < 0.3:
        rule["hashAttribute"] = rnd.choice(["company", "country"])
    if shape == "experiment-v2":
        rule["hashVersion"] = 2
        rule["seed"] = "seed-%d" % rnd.randint(0, 100)
    if shape == "namespace":
        a = round(rnd.uniform(0, 0.6), 2)
        rule["namespace"] = ["ns-%d" % rnd.randint(0, 3), a, round(a + rnd.uniform(0.1, 0.4), 2)]
    if shape == "filters":
        rule["hashVersion"] = rnd.choice([1, 2])
        rule["filters"] = [{"seed": "f%d" % rnd.randint(0, 9), "attribute": rnd.choice(["id", "company"]),
                            "ranges": [[0, rnd.choice([0.3, 0.5, 0.7])]], "hashVersion": 2}]
    if shape == "meta":
        rule["meta"] = [{"key": "k%d" % i, "name": "Var %d" % i} for i in range(n)]
        if rnd.random() < 0.3:
            rule["meta"][0]["passthrough"] = True
        rule["name"] = "Experiment name"
        rule["phase"] = str(rnd.randint(0, 3))
    return rule


def gen_rule(rnd, shape):
    if shape in ("typed", "mixed"):
        rule = {"condition": gen_condition(rnd) if shape == "typed" else gen_mixed_condition(rnd),
                "force": rnd.choice([True, "forced", 42, {"x": 1}])}
    elif shape == "rollout":
        rule = {"force": "rolled", "coverage": rnd.choice([0.05, 0.2, 0.5, 0.75, 0.99, 1]),
                "hashAttribute": rnd.choice(["id", "id", "company"])}
        if rnd.random() < 0.3:
            rule["hashVersion"] = 2
    elif shape == "range-rollout":
        a = round(rnd.uniform(0, 0.7), 2)
        rule = {"force": "ranged", "range": [a, round(a + rnd.uniform(0.05, 0.3), 2)], "seed": "s%d" % rnd.randint(0, 9),
                "hashVersion": rnd.choice([1, 2])}
    else:
        rule = gen_experiment_rule(rnd, shape)
    if rnd.random() < 0.5:
        rule["id"] = "fr_%d" % rnd.randint(0, 10 ** 6)
    return rule


FEATURE_SHAPES = ["typed"] * 10 + ["rollout"] * 4 + ["range-rollout"] * 3 + ["experiment"] * 6 + \
    ["experiment-v2"] * 3 + ["namespace"] * 3 + ["filters"] * 3 + ["meta"] * 3 + ["combo"] * 5 + ["mixed"] * 4


# Hand-written shapes where 1.1.0 and the latest spec differ on purpose (reported, not asserted).
SPEC_DIFF_FEATURES = {
    "z-force-null": {"defaultValue": "d", "rules": [{"force": None}]},
    "z-or-plus-keys": {"defaultValue": "d", "rules": [{"condition": {"$or": [{"beta": True}], "country": "US"}, "force": "f"}]},
    "z-coverage-0": {"defaultValue": "d", "rules": [{"key": "cov0", "variations": ["a", "b"], "coverage": 0}]},
    "z-prereq-parent": {"defaultValue": True},
    "z-prereq": {"defaultValue": "d", "rules": [
        {"parentConditions": [{"id": "z-prereq-parent", "condition": {"value": True}}], "force": "child"}]},
    "z-filter-missing-attr": {"defaultValue": "d", "rules": [
        {"filters": [{"seed": "x", "attribute": "nope", "ranges": [[0, 1]]}], "force": "filtered"}]},
}
SPEC_DIFF_CONDITIONS = [
    ({"$or": [{"beta": True}], "country": "US"}, {"beta": True, "country": "FR"}),
    ({"$not": {"age": 1}, "country": "US"}, {"country": "FR"}),
    ({"$and": [{"age": 1}], "country": "US"}, {"country": "FR", "age": 1}),
    ({"n": {"$all": 1}}, {"n": [1]}),
    ({"n": {"$in": [{"a": 1}]}}, {"n": [{"a": 1}]}),
    ({"n": {"$inGroup": "g"}}, {"n": 1}),
    ({"beta": 1}, {"beta": True}),
]


def generate(seed=20240601, users=300):
    rnd = random.Random(seed)
    features = {}
    shapes = {}
    for i, shape in enumerate(FEATURE_SHAPES):
        key = "f%02d-%s" % (i, shape)
        if shape == "combo":
            rules = [gen_rule(rnd, rnd.choice(["typed", "rollout", "experiment", "meta", "namespace"]))
                     for _ in range(rnd.randint(2, 4))]
        else:
            rules = [gen_rule(rnd, shape) for _ in range(rnd.randint(1, 2))]
        features[key] = {"defaultValue": rnd.choice([None, False, 0, "default", {"d": 1}, [1, 2]]), "rules": rules}
        shapes[key] = shape
    for key, feature in SPEC_DIFF_FEATURES.items():
        features[key] = feature
        shapes[key] = "spec-diff"
    user_list = [gen_user(rnd, i, missing_id=(i % 25 == 24)) for i in range(users)]
    conditions = [{"shape": "typed", "condition": gen_condition(rnd), "attributes": rnd.choice(user_list)}
                  for _ in range(1500)]
    conditions += [{"shape": "mixed", "condition": gen_mixed_condition(rnd), "attributes": rnd.choice(user_list)}
                   for _ in range(300)]
    conditions += [{"shape": "spec-diff", "condition": c, "attributes": a} for c, a in SPEC_DIFF_CONDITIONS]
    experiments = []
    for i in range(200):
        rule = gen_experiment_rule(rnd, rnd.choice(["experiment", "experiment-v2", "namespace", "meta"]))
        rule["key"] = "run-%d" % i
        if rnd.random() < 0.1:
            rule["force"] = rnd.randint(0, len(rule["variations"]) - 1)
        if rnd.random() < 0.1:
            rule["active"] = False
        experiments.append({"shape": "run", "experiment": rule, "attributes": rnd.choice(user_list)})
    return {"features": features, "shapes": shapes, "users": user_list, "conditions": conditions,
            "experiments": experiments}
