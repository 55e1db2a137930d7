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
    # values of active, hashVersion and hashAttribute that are not what the field expects
    odd = [("active", v) for v in (None, 0, "", 1, "no")] + \
          [("hashVersion", v) for v in ("2", True, 2.0, 2.5, [], 3, 0, None)] + [("hashAttribute", "")]
    for i, (field, value) in enumerate(odd):
        for user in user_list[:3]:
            experiments.append({"shape": "run-odd-fields", "attributes": user,
                                "experiment": {"key": "odd-%d" % i, "variations": [0, 1], field: value}})
    ext = generate_extended(seed + 1)
    conditions += ext["conditions"]
    return {"features": features, "shapes": shapes, "users": user_list, "conditions": conditions,
            "experiments": experiments, "scenarios": ext["scenarios"], "helpers": ext["helpers"]}


# =============================================================================================
# Extended shapes: the value-type, boundary and option cases of the semantics work. Generated
# after the cases above, from their own random.Random, so those stay exactly as they were.
# Three kinds: more "conditions" (evalCondition), "scenarios" (a GrowthBook instance with its
# own options and a list of steps: eval, run, set_attributes, set_features, new_instance;
# sticky bucketing through a recording service) and "helpers" (module functions). Every item
# and every scenario step carries its own shape tag.
# =============================================================================================

MISSING = object()  # an attribute left out


def _with(base, name, value):
    a = dict(base)
    if value is not MISSING:
        a[name] = value
    return a


def fnv1a32(s):
    h = 0x811C9DC5
    for ch in s:  # code points, as growthbook 1.1.0 (JS hashes UTF-16 code units)
        h = ((h ^ ord(ch)) * 0x01000193) % (2 ** 32)
    return h


def gbhash(seed, value, version):
    if version == 2:
        return (fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000
    return (fnv1a32(value + seed) % 1000) / 1000


def boundary_ids(seed, version, targets, prefix):
    """Ids whose hash is exactly each target (a bucket or coverage boundary), found by search."""
    found = {}
    i = 0
    while len(found) < len(targets) and i < 400000:
        s = "%s%d" % (prefix, i)
        n = gbhash(seed, s, version)
        for t in targets:
            if t not in found and n == t:
                found[t] = s
        i += 1
    return [found[t] for t in targets if t in found]


# ---- hash attributes of every JSON type --------------------------------------------------------

HASH_VALUES = [
    ("string", "abc"), ("string", "user-42"), ("string", "0"), ("string", " 7"), ("string", "007"),
    ("string", "true"), ("string", "None"), ("string", "7.0"),
    ("empty", ""),
    ("int", 1), ("int", 7), ("int", -5), ("int", 123456789), ("int", 2 ** 53 + 1), ("int", 2 ** 63 - 1),
    ("int", -2 ** 63), ("int", 2 ** 64), ("int", 10 ** 30),
    ("zero", 0), ("zero", 0.0), ("negzero", -0.0),
    ("float", 7.0), ("float", 0.1), ("float", 1e21), ("float", 1.5), ("float", 1e-7), ("float", 123456789.0),
    ("float", 1e16), ("float", 1e15), ("float", 2.5e-5), ("float", 100.0), ("float", 1e300), ("float", -2.5),
    ("float", 0.30000000000000004), ("float", 1.2345678901234567e+19),
    ("bool", True), ("bool", False),
    ("null", None),
    ("array", []), ("array", [1, "a"]), ("array", ["x"]), ("array", [1.0, -0.0, True, None]),
    ("array", ["it's"]), ("array", ["a\nb", "\u00e9"]), ("array", [[1], {}]),
    ("object", {}), ("object", {"a": 1}), ("object", {"b": [1, 2], "a": "x"}), ("object", {"k": None, "t": True}),
    ("missing", MISSING),
    ("unicode", "\u00e9"), ("unicode", "\u65e5\u672c"), ("unicode", "e\u0301"),
    ("nonbmp", "\U0001F600"), ("nonbmp", "user-\U0001F600-1"), ("nonbmp", "\U0001D518ser"), ("nonbmp", "\U0010FFFF"),
]


def hashing_features(h):
    base = {} if h == "id" else {"hashAttribute": h}
    return {
        "h-roll-v1": {"defaultValue": "off", "rules": [dict(base, force="on", coverage=0.99)]},
        "h-roll-v2": {"defaultValue": "off", "rules": [dict(base, force="on", coverage=0.5, hashVersion=2, seed="s2")]},
        "h-range": {"defaultValue": "off", "rules": [dict(base, force="on", range=[0, 0.5], hashVersion=2, seed="r")]},
        "h-exp-v1": {"defaultValue": "d", "rules": [dict(base, key="hx1", variations=["a", "b", "c"])]},
        "h-exp-v2": {"defaultValue": "d", "rules": [dict(base, key="hx2", variations=["a", "b"], hashVersion=2,
                                                          seed="hx2-seed")]},
        "h-ns": {"defaultValue": "d", "rules": [dict(base, key="hns", variations=["a", "b"], namespace=["ns", 0, 0.6])]},
        "h-filter": {"defaultValue": "d", "rules": [
            {"key": "hf", "variations": ["a", "b"], "hashVersion": 2,
             "filters": [{"seed": "fs", "attribute": h, "ranges": [[0, 0.6]]}]},
            {"force": "filter-fallthrough"}]},
    }


def gen_hash_scenarios():
    out = []
    for h in ("id", "company"):
        features = hashing_features(h)
        for tag, value in HASH_VALUES:
            shape = "hashid/" + tag
            base = {"company": "acme"} if h == "id" else {"id": "fixed-user"}
            steps = [{"shape": shape, "eval": k} for k in sorted(features)]
            run = {"key": "hrun", "variations": [0, 1]}
            if h != "id":
                run["hashAttribute"] = h
            steps.append({"shape": shape, "run": run})
            steps.append({"shape": shape, "run": dict(run, key="hrun2", hashVersion=2, seed="x")})
            out.append({"options": {"attributes": _with(base, h, value), "features": features}, "steps": steps})
    return out


# ---- conditions: numeric strings, missing/null against every operator, booleans, non-BMP -------

NUMSTR_VALUES = ["25", "18", "1e3", " 7", "007", "7.0", "-3", "0x1A", "1_000", "inf", "nan", "\u0661\u0662",
                 "", "abc", "25 ", "+5", "7"]
NUMSTR_CONDS = [{"$gt": 18}, {"$lt": 100}, {"$eq": 25}, {"$eq": 7}, {"$gte": 7}, {"$lte": 1000}, {"$ne": 25},
                25, 7, {"$in": [25, 7]}, {"$nin": [25]}, {"$gt": "18"}, {"$eq": "25"}, {"$lt": "8"},
                {"$veq": "25"}, {"$vgt": 18}, {"$gt": 1.5}, {"$eq": 7.0}]
NUMSTR_REV_VALUES = [25, 7, 7.0, 0, -0.0, 1000, 0.5, 12]
NUMSTR_REV_CONDS = [{"$gt": "18"}, {"$eq": "25"}, {"$lt": " 7"}, {"$in": ["25", "7"]}, {"$eq": "1e3"},
                    {"$gte": "007"}, {"$ne": "7"}, {"$lt": "abc"}, {"$gt": ""}, "25", "7", {"$eq": "nan"},
                    {"$lt": "inf"}, {"$gt": "\u0661"}, {"$veq": "7"}, {"$vlt": "10"}]

ABSENT_OPS = {
    "eq": [{"$eq": None}, {"$eq": 0}, {"$eq": ""}, {"$eq": False}, {"$eq": 5}, {"$eq": "a"}],
    "ne": [{"$ne": None}, {"$ne": 0}, {"$ne": ""}, {"$ne": 5}, {"$ne": "a"}],
    "cmp": [{op: v} for op in ("$gt", "$gte", "$lt", "$lte") for v in (0, -1, 5, "a", "", None, False)],
    "in": [{"$in": v} for v in ([None], [], [0], ["a"], [None, 1], [""])],
    "nin": [{"$nin": v} for v in ([None], [], [0], ["a"])],
    "exists": [{"$exists": v} for v in (True, False, 0, 1, "x")],
    "version": [{op: v} for op in ("$veq", "$vne", "$vlt", "$vgt", "$vlte", "$vgte") for v in ("0", "1.0.0", "0.0.0", "")],
    "type": [{"$type": v} for v in ("null", "undefined", "string", "number", "object")],
    "size": [{"$size": 0}, {"$size": {"$gt": -1}}, {"$size": {"$exists": False}}],
    "all": [{"$all": []}, {"$all": [None]}],
    "elemMatch": [{"$elemMatch": {"$eq": None}}, {"$elemMatch": {}}],
    "not": [{"$not": {"$eq": None}}, {"$not": {"$exists": True}}, {"$not": {"$gt": 5}}, {"$not": {"$in": [None]}},
            {"$not": {"$regex": "x"}}],
    "regex": [{"$regex": v} for v in ("", ".*", "^$", "None", "null")],
    "literal": [None, {}, [], 0, "", False],
}
ABSENT_ATTRS = [  # (path, attributes)
    ("x", {}), ("x", {"x": None}), ("p.x", {"p": None}), ("p.x", {"p": "str"}), ("p.x", {"p": {}}),
    ("p.x", {"p": {"x": None}}), ("p.x", {"p": [{"x": 1}]}),
]

BOOL_VALUES = [True, False, 1, 0, 1.0, 0.0, "yes", "true", "True", "1", "", None]
BOOL_CONDS = [True, False, 1, 0, 1.0, "yes", "true", "1", {"$eq": True}, {"$eq": 1}, {"$eq": False}, {"$ne": True},
              {"$ne": 0}, {"$gt": False}, {"$gte": True}, {"$lt": True}, {"$lt": 2}, {"$in": [1]}, {"$in": [True]},
              {"$in": [0, "yes"]}, {"$nin": [False]}, {"$type": "boolean"}, {"$type": "number"},
              {"$exists": True}, {"$veq": "1"}, {"$eq": "True"}, {"$eq": "true"}, {"$regex": "true"},
              {"$regex": "True"}, {"$gt": "0"}]
BOOL_ARRAY_VALUES = [[True], [1], [1.0], [0, False], [True, False], ["true"]]
BOOL_ARRAY_CONDS = [{"$all": [True]}, {"$all": [1]}, {"$size": True}, {"$size": 1.0}, {"$elemMatch": {"$eq": 1}},
                    {"$elemMatch": {"$eq": True}}, {"$in": [1]}, {"$in": [True]}, {"$nin": [0]}, [1], [True],
                    {"$eq": [1]}]

NONBMP_VALUES = ["\U0001F600", "a\U0001F600", "\uff5e", "\uffff", "\U0001F600\U0001F600", "\u00e9", "z", "\ue000",
                 "\U0001D518", "e\u0301"]
NONBMP_CONDS = [{"$lt": "\U0001F600"}, {"$gt": "\uff5e"}, {"$gt": "\uffff"}, {"$lt": "\ue000"}, {"$eq": "\U0001F600"},
                "\U0001F600", {"$in": ["\U0001F600", "z"]}, {"$regex": "^.$"}, {"$regex": "^..$"},
                {"$regex": "[\U0001F600]"}, {"$regex": "^\\w"}, {"$regex": "^[^a]$"}, {"$type": "string"},
                {"$gte": "\U0001D518"}, {"$vgt": "\U0001F600"}, {"$regex": "\u00c9"}, {"$regex": "(?i)\u00c9"}]

OP_EDGE = [  # (condition, attributes): literal objects and arrays, odd operator values
    ({"tags": ["a", "b"]}, {"tags": ["a", "b"]}), ({"tags": ["a", "b"]}, {"tags": ["b", "a"]}),
    ({"nested": {"level": 1}}, {"nested": {"level": 1}}), ({"nested": {"level": 1}}, {"nested": {"level": 1.0}}),
    ({"nested": {"level": 1}}, {"nested": {"level": True}}), ({"nested": {"a": 1, "b": 2}}, {"nested": {"b": 2, "a": 1}}),
    ({"x": {}}, {"x": 5}), ({"x": {}}, {}), ({"x": {"$eq": [1, 2]}}, {"x": [1, 2]}),
    ({"x": {"$lt": [1, 3]}}, {"x": [1, 2]}), ({"x": {"$gt": "a"}}, {"x": ["b"]}),
    ({"x": {"$gt": {"a": 1}}}, {"x": {"a": 2}}), ({"x": {"$eq": {"a": 1}}}, {"x": {"a": 1}}),
    ({"x": {"$gt": 5, "y": 1}}, {"x": 6}), ({"x": {"$gt": 5, "y": 1}}, {"x": {"$gt": 5, "y": 1}}),
    ({"x": {"$foo": 1}}, {"x": 1}), ({"x": {"$exists": 0}}, {"x": 1}), ({"x": {"$exists": "yes"}}, {"x": 1}),
    ({"x": {"$exists": None}}, {}), ({"tags": {"$all": "ab"}}, {"tags": ["a", "b"]}),
    ({"x": {"$size": {"$gt": 0}}}, {"x": "abc"}), ({"x": {"$size": 3}}, {"x": {"a": 1, "b": 2, "c": 3}}),
    ({"x": {"$elemMatch": {"a": 1}}}, {"x": [{"a": 1}]}), ({"x": {"$elemMatch": {}}}, {"x": [1]}),
    ({"x": {"$elemMatch": {}}}, {"x": []}), ({"x": {"$in": "abc"}}, {"x": "a"}), ({"x": {"$nin": "abc"}}, {"x": "a"}),
    ({"x": {"$not": 5}}, {"x": 5}), ({"$and": []}, {}), ({"$or": []}, {}), ({"$nor": []}, {}), ({"$not": {}}, {}),
    ({}, {}), ({"x": {"$type": "array"}}, {"x": []}), ({"x": {"$type": "object"}}, {"x": {}}),
    ({"x": {"$type": "number"}}, {"x": 7.0}), ({"x": {"$regex": 5}}, {"x": "5"}), ({"x": {"$regex": "5"}}, {"x": 5}),
    ({"x": {"$regex": "("}}, {"x": "("}), ({"x": {"$regex": "a"}}, {"x": ["a"]}),
    ({"x": {"$in": [{"a": 1}]}}, {"x": {"a": 1}}), ({"x": {"$in": [1, 2]}}, {"x": []}),
    ({"x": {"$nin": [1, 2]}}, {"x": []}), ({"x": {"$all": []}}, {"x": []}), ({"x": {"$all": [1]}}, {"x": "1"}),
    ({"x.y": 1}, {"x.y": 1}), ({"x.y": 1}, {"x": {"y": 1}}), ({"": 1}, {"": 1}), ({"x": 1, "$or": [{"y": 1}]}, {"y": 1}),
    ({"x": {"$eq": 1e21}}, {"x": 1e21}), ({"x": {"$eq": 9007199254740993}}, {"x": 9007199254740992}),
    ({"x": {"$lt": 9007199254740993}}, {"x": 9007199254740992}), ({"x": -0.0}, {"x": 0}),
    ({"x": {"$vgt": "1.2.3"}}, {"x": 1.5}), ({"x": {"$veq": "1.0"}}, {"x": 1.0}), ({"x": {"$veq": "1"}}, {"x": 1}),
    ({"x": {"$vlt": "2"}}, {"x": True}), ({"\U0001F600": 1}, {"\U0001F600": 1}),
    ({"a.\U0001F600": 1}, {"a": {"\U0001F600": 1}}), ({"x": {"$vgt": "1.2"}}, {"x": "1.10"}), ({"x": {"$vgt": "1.2.3-a"}}, {"x": "1.2.3-B"}),
]
REF_RAISES = [  # conditions where growthbook 1.1.0 raises (its exception reaches the caller)
    ({"tags": {"$in": [["a"]]}}, {"tags": ["a"]}), ({"x": {"$nin": [[1]]}}, {"x": [1, 2]}),
    ({"x": {"$elemMatch": 5}}, {"x": [1]}), ({"x": {"$all": 5}}, {"x": [1]}), ({"$or": 5}, {}),
    ({"$and": [5]}, {}), ({"x": {"$in": [{"a": 1}]}}, {"x": [{"a": 1}]}), ({"$not": 5}, {}),
    ({"x": {"$in": [[1]]}}, {"x": [1]}),
]


REGEX_PATTERNS = ["\\d", "^\\w+$", "\\s", "\\bb", "(?i)\u00c9", "[[:alpha:]]", "a\\Z", "a$", "(?P<n>a)(?P=n)", "a{,2}b",
                  "\\Aa", "(?x) a b", "\\u00e9", "\\N{LATIN SMALL LETTER E WITH ACUTE}", "(?<=a)b", "a++b", "(?>a)b",
                  "\\h", "\\Kb", "(?s)a.", "^\\p{L}", "\\x{e9}", "(?u)\\w", "(?a)\\w", "^.$", "\\X", "[^\\W\\d]",
                  "(?i)\u00df", "(?i)SS", "\\$", "*a", "a{2,1}"]
REGEX_SUBJECTS = ["\u0661", "abc", "\u00e9", "e\u0301", "a\n", "\u00df", "\u0130", "aab", "a b", "\u00a0", "\U0001F600",
                  "x_1", "$", "ab"]
VERSION_NUM_VALUES = [1e21, 7.0, -1, 2 ** 64, 1e-7, 1.10, True, None, 7, "7", "1.2.3", "v1", ""]
VERSION_NUM_OPERANDS = ["1.0", "7.0.0", "7.0", "1e+21", "0", "-1", 7, 1.1, "7", "1e-07"]


def gen_ext_conditions():
    out = []
    for pat in REGEX_PATTERNS:
        for subj in REGEX_SUBJECTS:
            out.append({"shape": "regex-flavor", "condition": {"s": {"$regex": pat}}, "attributes": {"s": subj}})
    for v in VERSION_NUM_VALUES:
        for op in ("$veq", "$vgt", "$vlt"):
            for o in VERSION_NUM_OPERANDS:
                out.append({"shape": "version-num", "condition": {"v": {op: o}}, "attributes": {"v": v}})
    for v in NUMSTR_VALUES:
        for c in NUMSTR_CONDS:
            out.append({"shape": "numstr", "condition": {"age": c}, "attributes": {"age": v}})
    for v in NUMSTR_REV_VALUES:
        for c in NUMSTR_REV_CONDS:
            out.append({"shape": "numstr-rev", "condition": {"age": c}, "attributes": {"age": v}})
    for group, conds in sorted(ABSENT_OPS.items()):
        for c in conds:
            for path, attrs in ABSENT_ATTRS:
                out.append({"shape": "absent/" + group, "condition": {path: c}, "attributes": dict(attrs, id="u")})
    for v in BOOL_VALUES:
        for c in BOOL_CONDS:
            out.append({"shape": "boolcmp", "condition": {"x": c}, "attributes": {"x": v}})
    for v in BOOL_ARRAY_VALUES:
        for c in BOOL_ARRAY_CONDS:
            out.append({"shape": "boolcmp-array", "condition": {"x": c}, "attributes": {"x": v}})
    for v in NONBMP_VALUES:
        for c in NONBMP_CONDS:
            out.append({"shape": "nonbmp-cmp", "condition": {"s": c}, "attributes": {"s": v}})
    for c, a in OP_EDGE:
        out.append({"shape": "op-edge", "condition": c, "attributes": a})
    for c, a in REF_RAISES:
        out.append({"shape": "ref-raises", "condition": c, "attributes": a})
    return out


# ---- forced variations and query-string overrides on rules with conditions ---------------------

FQ_FEATURES = {
    "fq": {"defaultValue": "def", "rules": [
        {"key": "e1", "variations": ["a", "b", "c"], "condition": {"country": "US"}}, {"force": "after"}]},
    "fq-cov0": {"defaultValue": "def", "rules": [
        {"key": "e2", "variations": ["a", "b"], "coverage": 0, "condition": {"country": {"$exists": True}}}]},
    "fq-ns": {"defaultValue": "def", "rules": [
        {"key": "e3", "variations": ["a", "b"], "namespace": ["n", 0, 0.001], "condition": {"country": "US"}}]},
    "fq-filter": {"defaultValue": "def", "rules": [
        {"key": "e4", "variations": ["a", "b"], "filters": [{"seed": "x", "ranges": [[0, 0]]}]}]},
    "fq-pass": {"defaultValue": "def", "rules": [
        {"key": "e5", "variations": ["a", "b"], "meta": [{"key": "0"}, {"key": "1", "passthrough": True}]},
        {"force": "passed-through"}]},
}
FQ_KEYS = ["e1", "e2", "e3", "e4", "e5"]
FQ_RUNS = [
    {"key": "e1", "variations": [0, 1, 2], "condition": {"country": "US"}},
    {"key": "e1", "variations": [0, 1, 2], "active": False},
    {"key": "e2", "variations": [0, 1], "coverage": 0},
    {"key": "e1", "variations": [0, 1, 2], "hashAttribute": "nope"},
    {"key": "e1", "variations": [0, 1, 2], "status": "draft"},
    {"key": "e1", "variations": [0, 1, 2], "force": 2},
    {"key": "e3", "variations": [0, 1], "namespace": ["n", 0, 0.001]},
]
FQ_ATTRS = [{"id": "u1", "country": "US"}, {"id": "u1", "country": "FR"}, {"country": "US"}, {"id": "u2"}]
FQ_QS = ["0", "1", "2", "5", "-1", "01", "%31", "", "x", "\u0661", "%D9%A1", "1.0", "+1", " 1"]
FQ_URLS = ["http://h.example/p?e1=2&e1=0", "http://h.example/p#e1=1", "/p?e1=1", "http://h.example/p?E1=1",
           "http://h.example/p?e1", "http://h.example/p?x=1&e1=1#f", "http://h.example/p?e1=1;e2=1"]


def _fq_steps(shape):
    return [{"shape": shape, "eval": k} for k in sorted(FQ_FEATURES)] + [{"shape": shape, "run": r} for r in FQ_RUNS]


def gen_forced_scenarios():
    out = []
    for v in [0, 1, 2, 5, -1]:
        for i, attrs in enumerate(FQ_ATTRS):
            shape = "forced-qa" if i == 0 and v == 1 else "forced"
            opts = {"attributes": attrs, "features": FQ_FEATURES, "forced_variations": {k: v for k in FQ_KEYS}}
            if shape == "forced-qa":
                out.append({"options": dict(opts), "steps": _fq_steps("forced")})
                opts["qa_mode"] = True
            out.append({"options": opts, "steps": _fq_steps(shape)})
    urls = ["http://h.example/p?" + "&".join("%s=%s" % (k, q) for k in FQ_KEYS) for q in FQ_QS] + FQ_URLS
    for u in urls:
        for i, attrs in enumerate(FQ_ATTRS):
            out.append({"options": {"attributes": attrs, "features": FQ_FEATURES, "url": u}, "steps": _fq_steps("qs")})
    out.append({"options": {"attributes": FQ_ATTRS[0], "features": FQ_FEATURES, "qa_mode": True,
                            "url": "http://h.example/p?e1=1&e5=1"}, "steps": _fq_steps("qs-qa")})
    # deprecated experiment url targeting
    patterns = ["^/p$", "^http://h\\.example/p", "[", "x=1", "^/a/", "p", ""]
    for u in ["", "http://h.example/p", "http://h.example/p?x=1", "https://h.example/a/p", "/p"]:
        steps = [{"shape": "url-target", "run": {"key": "ut%d" % i, "variations": [0, 1], "url": p}}
                 for i, p in enumerate(patterns)]
        opts = {"attributes": {"id": "u1"}}
        if u:
            opts["url"] = u
        out.append({"options": opts, "steps": steps})
    return out


# ---- filters and namespaces with missing, empty or falsy hash attributes -----------------------

FALSY_VALUES = [MISSING, "", 0, False, None, [], {}, 0.0, -0.0, "0", "x"]


def gen_falsy_scenarios():
    feats_h = {
        "ff-force": ("filter-falsy", {"defaultValue": "d", "rules": [
            {"force": "in", "filters": [{"seed": "fs", "attribute": "h", "ranges": [[0, 0.5]]}]}]}),
        "ff-exp": ("filter-falsy", {"defaultValue": "d", "rules": [
            {"key": "ffx", "variations": ["a", "b"], "filters": [{"seed": "fs", "attribute": "h", "ranges": [[0, 0.5]]}]}]}),
        "nf-exp": ("namespace-falsy", {"defaultValue": "d", "rules": [
            {"key": "nfx", "variations": ["a", "b"], "hashAttribute": "h", "namespace": ["ns", 0, 0.5]}]}),
        "hf-range": ("hashattr-falsy", {"defaultValue": "d", "rules": [
            {"force": "in", "hashAttribute": "h", "range": [0, 1], "seed": "r"}]}),
        "hf-cov": ("hashattr-falsy", {"defaultValue": "d", "rules": [{"force": "in", "hashAttribute": "h", "coverage": 1}]}),
        "hf-exp": ("hashattr-falsy", {"defaultValue": "d", "rules": [{"key": "hfx", "variations": ["a", "b"], "hashAttribute": "h"}]}),
    }
    feats_id = {
        "fi-force": ("filter-falsy", {"defaultValue": "d", "rules": [
            {"force": "in", "filters": [{"seed": "fs", "ranges": [[0, 0.5]]}]}]}),
        "ni-exp": ("namespace-falsy", {"defaultValue": "d", "rules": [
            {"key": "nix", "variations": ["a", "b"], "namespace": ["ns", 0, 0.5]}]}),
        "hi-exp": ("hashattr-falsy", {"defaultValue": "d", "rules": [{"key": "hix", "variations": ["a", "b"]}]}),
    }
    out = []
    for v in FALSY_VALUES:
        for name, feats in (("h", feats_h), ("id", feats_id)):
            attrs = _with({"id": "u1"} if name == "h" else {}, name, v)
            steps = [{"shape": feats[k][0], "eval": k} for k in sorted(feats)]
            if name == "h":
                steps.append({"shape": "namespace-falsy", "run": {"key": "nfr", "variations": [0, 1], "hashAttribute": "h",
                                                                 "namespace": ["ns", 0, 0.5]}})
                steps.append({"shape": "filter-falsy", "run": {"key": "ffr", "variations": [0, 1],
                                                              "filters": [{"seed": "s", "attribute": "h", "ranges": [[0, 0.5]]}]}})
            out.append({"options": {"attributes": attrs, "features": {k: f for k, (_, f) in feats.items()}}, "steps": steps})
    return out


# ---- fallbackAttribute, with and without a sticky bucket service -------------------------------

META2 = [{"key": "a"}, {"key": "b"}]


def gen_fallback_scenarios():
    features = {
        "fb": {"defaultValue": "d", "rules": [{"key": "fbx", "variations": ["a", "b"], "meta": META2,
                                                "fallbackAttribute": "deviceId"}]},
        "fb-dis": {"defaultValue": "d", "rules": [{"key": "fbd", "variations": ["a", "b"], "meta": META2,
                                                    "fallbackAttribute": "deviceId", "disableStickyBucketing": True}]},
        "fb-roll": {"defaultValue": "d", "rules": [{"force": "in", "coverage": 0.5, "fallbackAttribute": "deviceId"}]},
    }
    out = []
    for sticky in (False, True):
        shape = "fallback-sticky" if sticky else "fallback"
        for idv in [MISSING, "", None, "u1", 0]:
            for dev in [MISSING, "", "d1", 5]:
                attrs = _with(_with({}, "id", idv), "deviceId", dev)
                steps = [{"shape": shape, "eval": k} for k in sorted(features)]
                steps.append({"shape": shape, "run": {"key": "fbr", "variations": [0, 1], "meta": META2,
                                                      "fallbackAttribute": "deviceId"}})
                steps.append({"shape": shape, "run": {"key": "fbr2", "variations": [0, 1], "meta": META2,
                                                      "fallbackAttribute": "deviceId", "disableStickyBucketing": True}})
                opts = {"attributes": attrs, "features": features}
                if sticky:
                    opts["sticky"] = {"docs": {}}
                out.append({"options": opts, "steps": steps, "sticky_shape": shape})
    return out


# ---- prerequisites: falsy parent values, repeated parents, chains, cycles ----------------------

PREREQ_VALUES = [0, False, "", [], {}, None, True, 1, "x", [0], {"a": 1}, 0.0]
PREREQ_CONDS = [{"value": True}, {"value": {"$exists": True}}, {"value": {"$exists": False}}, {"value": 0},
                {"value": {"$eq": False}}, {"value": ""}, {"value": []}, {"value": {}}, {"value": {"$type": "object"}},
                {"value": {"$size": 0}}, {"value": {"$ne": None}}, {"value": {"$in": [0, False]}}, {"value": {"$gt": -1}}, {}]


def gen_prereq_scenarios():
    out = []
    for v in PREREQ_VALUES:
        features = {"P": {"defaultValue": v}}
        steps = []
        for i, c in enumerate(PREREQ_CONDS):
            for gate in (False, True):
                k = "c%02d%s" % (i, "g" if gate else "")
                pc = {"id": "P", "condition": c}
                if gate:
                    pc["gate"] = True
                features[k] = {"defaultValue": "cd", "rules": [{"parentConditions": [pc], "force": "child"}]}
                steps.append({"shape": "prereq-falsy", "eval": k})
        out.append({"options": {"attributes": {"id": "u1"}, "features": features}, "steps": steps})
    # the same parent named twice: by two rules, by one rule, through two parents (a diamond)
    for pv in (True, False):
        features = {
            "P": {"defaultValue": pv},
            "rep-2rules": {"defaultValue": "cd", "rules": [
                {"parentConditions": [{"id": "P", "condition": {"value": not pv}}], "force": "r1"},
                {"parentConditions": [{"id": "P", "condition": {"value": pv}}], "force": "r2"}]},
            "rep-same-rule": {"defaultValue": "cd", "rules": [{"parentConditions": [
                {"id": "P", "condition": {"value": pv}}, {"id": "P", "condition": {"value": {"$exists": True}}}],
                "force": "r"}]},
            "A": {"defaultValue": "a-off", "rules": [{"parentConditions": [{"id": "P", "condition": {"value": pv}}],
                                                      "force": "A"}]},
            "B": {"defaultValue": "b-off", "rules": [{"parentConditions": [{"id": "P", "condition": {"value": pv}}],
                                                      "force": "B"}]},
            "rep-diamond": {"defaultValue": "cd", "rules": [{"parentConditions": [
                {"id": "A", "condition": {"value": "A"}}, {"id": "B", "condition": {"value": "B"}}], "force": "D"}]},
            "rep-gate": {"defaultValue": "cd", "rules": [
                {"parentConditions": [{"id": "P", "condition": {"value": pv}, "gate": True}], "force": "g1"},
                {"parentConditions": [{"id": "P", "condition": {"value": pv}}], "force": "g2"}]},
            "rep-exp-then": {"defaultValue": "cd", "rules": [
                {"parentConditions": [{"id": "P", "condition": {"value": pv}}], "key": "rx", "variations": ["a", "b"],
                 "coverage": 0},
                {"parentConditions": [{"id": "P", "condition": {"value": pv}}], "force": "second"}]},
            "rep-cond-fail": {"defaultValue": "cd", "rules": [
                {"parentConditions": [{"id": "P", "condition": {"value": pv}}], "condition": {"id": "nobody"}, "force": "x"},
                {"force": "after"}]},
        }
        steps = [{"shape": "prereq-repeat", "eval": k} for k in sorted(features) if k != "P"]
        steps.append({"shape": "prereq-repeat", "run": {"key": "rr", "variations": [0, 1], "parentConditions": [
            {"id": "P", "condition": {"value": pv}}, {"id": "P", "condition": {"value": pv}}]}})
        steps.append({"shape": "prereq-repeat", "run": {"key": "rr1", "variations": [0, 1], "parentConditions": [
            {"id": "P", "condition": {"value": pv}}]}})
        for uid in ("u1", "u2", "u3"):
            out.append({"options": {"attributes": {"id": uid}, "features": features}, "steps": steps})
    # chains A -> B -> C
    for cv in (True, False, 0, "x", None):
        for gate in (False, True):
            features = {
                "C": {"defaultValue": cv},
                "B": {"defaultValue": False, "rules": [{"parentConditions": [
                    {"id": "C", "condition": {"value": True}, "gate": gate}], "force": True}]},
                "A": {"defaultValue": "A-off", "rules": [{"parentConditions": [
                    {"id": "B", "condition": {"value": True}}], "force": "A-on"}]},
                "A-missing": {"defaultValue": "A-off", "rules": [{"parentConditions": [
                    {"id": "nope", "condition": {"value": {"$exists": False}}}], "force": "A-on"}]},
                "A-null": {"defaultValue": "A-off", "rules": [{"parentConditions": [
                    {"id": "B", "condition": {"value": None}}], "force": "A-on"}]},
            }
            steps = [{"shape": "prereq-chain", "eval": k} for k in ("A", "A-missing", "A-null", "B", "C")]
            out.append({"options": {"attributes": {"id": "u1"}, "features": features}, "steps": steps})
    features = {
        "X": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "Y", "condition": {"value": 1}}], "force": 2}]},
        "Y": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "X", "condition": {"value": 1}}], "force": 2}]},
        "S": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "S", "condition": {"value": 1}}], "force": 2}]},
        "Z": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "X", "condition": {"value": 1}, "gate": True}],
                                             "force": 2}]},
    }
    out.append({"options": {"attributes": {"id": "u1"}, "features": features},
                "steps": [{"shape": "prereq-cycle", "eval": k} for k in sorted(features)]})
    features = {
        "P": {"defaultValue": True},
        "no-cond": {"defaultValue": "cd", "rules": [{"parentConditions": [{"id": "P"}], "force": "x"}]},
        "no-id": {"defaultValue": "cd", "rules": [{"parentConditions": [{"condition": {"value": {"$exists": False}}}],
                                                    "force": "x"}]},
        "empty-list": {"defaultValue": "cd", "rules": [{"parentConditions": [], "force": "x"}]},
    }
    out.append({"options": {"attributes": {"id": "u1"}, "features": features},
                "steps": [{"shape": "prereq-malformed", "eval": k} for k in sorted(features) if k != "P"]})
    return out


# ---- "force": null, coverage and bucket boundaries, ranges, hash versions, seeds, on/off -------

def gen_rule_scenarios():
    out = []
    force_null = {
        "fn-only": {"defaultValue": "d", "rules": [{"force": None}]},
        "fn-variations": {"defaultValue": "d", "rules": [{"force": None, "variations": ["a", "b"]}]},
        "fn-coverage": {"defaultValue": "d", "rules": [{"force": None, "coverage": 0.5}]},
        "fn-then": {"defaultValue": "d", "rules": [{"force": None}, {"force": "second"}]},
        "fn-cond": {"defaultValue": "d", "rules": [{"force": None, "condition": {"id": {"$exists": True}},
                                                    "variations": [1, 2], "key": "fnc"}]},
        "fn-range": {"defaultValue": "d", "rules": [{"force": None, "range": [0, 1], "id": "r1"}, {"force": "second", "id": "r2"}]},
    }
    for uid in ("u1", "u2", "u3", MISSING):
        out.append({"options": {"attributes": _with({}, "id", uid), "features": force_null},
                    "steps": [{"shape": "force-null", "eval": k} for k in sorted(force_null)]})

    v1_targets = [0.0, 0.25, 0.5, 0.3, 0.999, 0.1, 0.75, 0.249, 0.251, 0.499, 0.501]
    v2_targets = [0.0, 0.25, 0.5, 0.3, 0.9999, 0.1, 0.75, 0.2999, 0.3001, 0.4999]
    ids = boundary_ids("edge", 1, v1_targets, "e") + boundary_ids("edge2", 2, v2_targets, "e")
    cov_feats, bucket_feats, range_feats = {}, {}, {}
    for c in [0, 0.25, 0.5, 0.3, 1, 1.5, -0.1, 0.0001]:
        cov_feats["ce-%s-v1" % c] = {"defaultValue": "out", "rules": [{"force": "in", "seed": "edge", "coverage": c}]}
        cov_feats["ce-%s-v2" % c] = {"defaultValue": "out", "rules": [
            {"force": "in", "seed": "edge2", "hashVersion": 2, "coverage": c}]}
    bucket_specs = [
        ([0.5, 0.5], 1), ([0.5, 0.5], 0.5), ([0.1, 0.2, 0.7], 1), ([0.25, 0.25, 0.5], 1), ([0.5, 0.49], 1),
        ([0.5, 0.48], 1), ([0.6, 0.41], 1), ([0.6, 0.42], 1), ([1], 1), (None, 0), ([0, 1], 1), ([1, 0], 1),
        (None, 1.5), (None, -0.5), (None, 0.3), ([0.3, 0.7], 0.5),
    ]
    for i, (w, c) in enumerate(bucket_specs):
        for v, seed in ((1, "edge"), (2, "edge2")):
            n = len(w) if w and len(w) > 1 else 2 if w is None else 3
            rule = {"key": "be%d" % i, "seed": seed, "hashVersion": v, "variations": list(range(n)), "coverage": c}
            if w is not None:
                rule["weights"] = w
            bucket_feats["be%02d-v%d" % (i, v)] = {"defaultValue": -1, "rules": [rule]}
    for i, r in enumerate([[0, 0.5], [0.25, 0.5], [0.5, 1], [0.3, 0.3], [0, 1], [0.5, 0.25], [0.0, 0.0], [0.999, 1]]):
        for v, seed in ((1, "edge"), (2, "edge2")):
            range_feats["re%d-v%d" % (i, v)] = {"defaultValue": "out", "rules": [
                {"force": "in", "seed": seed, "hashVersion": v, "range": r}]}
    for i, rs in enumerate([[[0, 0.5], [0.5, 1]], [[0, 0.3], [0.3, 0.75]], [[0.25, 0.25], [0.25, 1]], [[0.5, 1], [0, 0.5]]]):
        for v, seed in ((1, "edge"), (2, "edge2")):
            range_feats["rx%d-v%d" % (i, v)] = {"defaultValue": -1, "rules": [
                {"key": "rx%d" % i, "seed": seed, "hashVersion": v, "variations": [0, 1], "ranges": rs}]}
    features = dict(cov_feats, **bucket_feats)
    features.update(range_feats)
    shape_of = {}
    for k in cov_feats:
        shape_of[k] = "coverage-edge"
    for k in bucket_feats:
        shape_of[k] = "bucket-edge"
    for k in range_feats:
        shape_of[k] = "range-edge"
    for uid in ids + ["u1", "u2"]:
        steps = [{"shape": shape_of[k], "eval": k} for k in sorted(features)]
        for i, (w, c) in enumerate(bucket_specs[:8]):
            exp = {"key": "bx%d" % i, "seed": "edge", "variations": list(range(len(w))), "weights": w, "coverage": c}
            steps.append({"shape": "bucket-edge-run", "run": exp})
        steps.append({"shape": "bucket-edge-run", "run": {"key": "bc0", "seed": "edge", "variations": [0, 1], "coverage": 0}})
        out.append({"options": {"attributes": {"id": uid}, "features": features}, "steps": steps})

    hv_feats = {}
    for hv in [0, 1, 2, 3, None, 2.0, -1]:
        tag = "null" if hv is None else str(hv)
        hv_feats["hv-roll-" + tag] = {"defaultValue": "out", "rules": [{"force": "in", "coverage": 0.5, "hashVersion": hv}]}
        hv_feats["hv-range-" + tag] = {"defaultValue": "out", "rules": [{"force": "in", "range": [0, 0.5], "hashVersion": hv}]}
        hv_feats["hv-exp-" + tag] = {"defaultValue": "d", "rules": [{"key": "hv", "variations": ["a", "b"], "hashVersion": hv}]}
        hv_feats["hv-filter-" + tag] = {"defaultValue": "d", "rules": [
            {"force": "in", "filters": [{"seed": "f", "ranges": [[0, 0.5]], "hashVersion": hv}]}]}
    for uid in ("u1", "u2", "u3", "u4", "u5", 17):
        steps = [{"shape": "hashversion", "eval": k} for k in sorted(hv_feats)]
        for hv in [0, 1, 2, 3, None, 2.0]:
            steps.append({"shape": "hashversion", "run": {"key": "hvr", "variations": [0, 1], "hashVersion": hv}})
        out.append({"options": {"attributes": {"id": uid}, "features": hv_feats}, "steps": steps})

    seed_feats = {}
    for tag, s in (("empty", ""), ("missing", MISSING), ("null", None), ("zero", "0"), ("s", "s")):
        def put(rule):
            if s is not MISSING:
                rule["seed"] = s
            return rule
        seed_feats["sd-roll-" + tag] = {"defaultValue": "out", "rules": [put({"force": "in", "coverage": 0.5})]}
        seed_feats["sd-range-" + tag] = {"defaultValue": "out", "rules": [put({"force": "in", "range": [0, 0.5]})]}
        seed_feats["sd-exp-" + tag] = {"defaultValue": "d", "rules": [put({"key": "sd", "variations": ["a", "b"]})]}
        seed_feats["sd-exp2-" + tag] = {"defaultValue": "d", "rules": [put({"key": "sd", "variations": ["a", "b"], "hashVersion": 2})]}
        if s is not None:
            seed_feats["sd-filter-" + tag] = {"defaultValue": "d", "rules": [
                {"force": "in", "filters": [put({"ranges": [[0, 0.5]]})]}]}
    for uid in ("u1", "u2", "u3", "u4", "u5", "u6"):
        steps = [{"shape": "seed", "eval": k} for k in sorted(seed_feats)]
        for s in ("", None, "s"):
            steps.append({"shape": "seed", "run": {"key": "sdr", "variations": [0, 1], "seed": s}})
        out.append({"options": {"attributes": {"id": uid}, "features": seed_feats}, "steps": steps})
    out.append({"options": {"attributes": {"id": "u1"}, "features": {
        "filter-seed-null": {"defaultValue": "d", "rules": [{"force": "in", "filters": [{"seed": None, "ranges": [[0, 0.5]]}]}]}}},
        "steps": [{"shape": "ref-raises-feature", "eval": "filter-seed-null"}]})

    onoff = [[], {}, "", 0, "0", 0.0, -0.0, False, None, "false", [0], {"a": 0}, " ", "null", 1, True, 1e-300, "0.0",
             7.0, 1e21, 2 ** 64, 10 ** 30, -2 ** 63, 0.1, [7.0, -0.0], {"b": 1, "a": 2.5}, "\U0001F600"]
    oo_feats = {}
    for i, v in enumerate(onoff):
        oo_feats["oo-default-%02d" % i] = {"defaultValue": v}
        oo_feats["oo-force-%02d" % i] = {"defaultValue": "d", "rules": [{"force": v}]}
        oo_feats["oo-exp-%02d" % i] = {"defaultValue": "d", "rules": [{"key": "oo%d" % i, "variations": [v, v]}]}
    steps = [{"shape": "onoff", "eval": k} for k in sorted(oo_feats)]
    steps += [{"shape": "onoff", "is_on": k} for k in sorted(oo_feats)]
    steps += [{"shape": "value-echo", "value": k} for k in sorted(oo_feats)]
    out.append({"options": {"attributes": {"id": "u1"}, "features": oo_feats}, "steps": steps})

    nb = "\U0001F600"
    nb_feats = {
        "f-" + nb: {"defaultValue": "d", "rules": [{"force": "in", "coverage": 0.5}]},
        "exp-" + nb: {"defaultValue": "d", "rules": [{"variations": ["a", "b"]}]},
        "seed": {"defaultValue": "d", "rules": [{"key": "k", "seed": "s" + nb, "variations": ["a", "b"], "hashVersion": 2}]},
        "ns": {"defaultValue": "d", "rules": [{"key": "k2", "variations": ["a", "b"], "namespace": [nb, 0, 0.5]}]},
        "filter": {"defaultValue": "d", "rules": [{"force": "in", "filters": [{"seed": nb, "ranges": [[0, 0.5]]}]}]},
        "range": {"defaultValue": "d", "rules": [{"force": "in", "range": [0, 0.5], "seed": nb + "x"}]},
    }
    for uid in ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"):
        steps = [{"shape": "nonbmp-seed", "eval": k} for k in sorted(nb_feats)]
        steps.append({"shape": "nonbmp-seed", "run": {"key": nb, "variations": [0, 1]}})
        steps.append({"shape": "nonbmp-seed", "run": {"key": "k" + nb, "variations": [0, 1], "hashVersion": 2}})
        out.append({"options": {"attributes": {"id": uid}, "features": nb_feats}, "steps": steps})
    return out


# ---- sticky bucketing ------------------------------------------------------------------------

SB_META = [{"key": "control"}, {"key": "treatment"}]


def _sb(bv=None, mbv=None, weights=None, **extra):
    rule = {"key": "sbexp", "variations": ["c", "t"], "meta": SB_META}
    if bv is not None:
        rule["bucketVersion"] = bv
    if mbv is not None:
        rule["minBucketVersion"] = mbv
    if weights is not None:
        rule["weights"] = weights
    rule.update(extra)
    return {"sb": {"defaultValue": "def", "rules": [rule]},
            "sb-nometa": {"defaultValue": "def", "rules": [{"key": "sbn", "variations": ["c", "t"], "weights": weights}]
                          if weights else [{"key": "sbn", "variations": ["c", "t"]}]}}


def _doc(attr, value, assignments):
    return {"%s||%s" % (attr, value): {"attributeName": attr, "attributeValue": value, "assignments": assignments}}


def gen_sticky_scenarios():
    out = []

    def ev(shape):
        return [{"shape": shape, "eval": "sb"}, {"shape": shape, "eval": "sb-nometa"}]

    for uid in ("u1", "u2", "u3", "u4"):
        steps = ev("sticky-basic") + [{"shape": "sticky-basic", "set_features": _sb(weights=[0, 1])}] + ev("sticky-basic")
        steps += [{"shape": "sticky-basic", "new_instance": True}] + ev("sticky-basic")
        steps += [{"shape": "sticky-basic", "set_attributes": {"id": uid + "-other"}}] + ev("sticky-basic")
        steps += [{"shape": "sticky-basic", "set_features": _sb(weights=[1, 0])}] + ev("sticky-basic")
        steps += [{"shape": "sticky-basic", "run": {"key": "sbexp", "variations": [0, 1], "meta": SB_META}}]
        out.append({"options": {"attributes": {"id": uid}, "features": _sb(), "sticky": {"docs": {}}},
                    "steps": steps, "sticky_shape": "sticky-basic"})
    for uid in ("u1", "u2"):
        docs = _doc("id", uid, {"sbexp__0": "treatment"})
        steps = ev("sticky-version")
        for bv, mbv in ((1, 0), (1, 1), (2, 1), (0, 1), (2, 3)):
            steps += [{"shape": "sticky-version", "set_features": _sb(bv=bv, mbv=mbv)}] + ev("sticky-version")
        out.append({"options": {"attributes": {"id": uid}, "features": _sb(), "sticky": {"docs": docs}},
                    "steps": steps, "sticky_shape": "sticky-version"})
    doc_cases = [
        _doc("id", "u1", {"sbexp__0": "zzz"}), _doc("id", "u1", {}), _doc("id", "u1", {"sbexp__0": "control", "sbn__0": "1"}),
        _doc("deviceId", "d1", {"sbexp__0": "treatment"}), _doc("id", "other", {"sbexp__0": "treatment"}),
        _doc("id", "u1", {"sbexp__1": "treatment"}), _doc("id", "u1", {"sbexp__0": ""}),
        dict(_doc("id", "u1", {"sbexp__0": "control"}), **_doc("deviceId", "d1", {"sbexp__0": "treatment"})),
    ]
    for i, docs in enumerate(doc_cases):
        for fb in (False, True):
            feats = _sb(fallbackAttribute="deviceId") if fb else _sb()
            attrs = {"id": "u1", "deviceId": "d1"} if i != 3 else {"deviceId": "d1"}
            steps = ev("sticky-docs") + [{"shape": "sticky-docs", "new_instance": True}] + ev("sticky-docs")
            out.append({"options": {"attributes": attrs, "features": feats, "sticky": {"docs": docs}},
                        "steps": steps, "sticky_shape": "sticky-docs"})
    for ida in (None, ["id", "deviceId"], ["deviceId"], ["nope"]):
        docs = _doc("deviceId", "d1", {"sbexp__0": "treatment"})
        sticky = {"docs": docs}
        if ida is not None:
            sticky["identifier_attributes"] = ida
        steps = ev("sticky-identifiers") + [{"shape": "sticky-identifiers", "run": {
            "key": "sbexp", "variations": [0, 1], "meta": SB_META, "hashAttribute": "deviceId"}}]
        out.append({"options": {"attributes": {"id": "u1", "deviceId": "d1"}, "features": _sb(hashAttribute="deviceId"),
                                "sticky": sticky}, "steps": steps, "sticky_shape": "sticky-identifiers"})
    for uid in (5, 7.0, True, "\U0001F600", 0, [1], {"a": 1}, 2 ** 64, -0.0):
        steps = ev("sticky-idtypes") + [{"shape": "sticky-idtypes", "new_instance": True}] + ev("sticky-idtypes")
        out.append({"options": {"attributes": {"id": uid}, "features": _sb(), "sticky": {"docs": {}}},
                    "steps": steps, "sticky_shape": "sticky-idtypes"})
    for dis in (True, False):
        docs = _doc("id", "u1", {"sbexp__0": "treatment"})
        steps = ev("sticky-disable")
        out.append({"options": {"attributes": {"id": "u1"}, "features": _sb(weights=[1, 0], disableStickyBucketing=dis),
                                "sticky": {"docs": docs}}, "steps": steps, "sticky_shape": "sticky-disable"})
    return out


# ---- module functions ------------------------------------------------------------------------

def gen_helpers():
    out = []
    nb = "\U0001F600"
    for seed in ["", "a", nb, "seed"]:
        for value in ["", "x", nb, "user-" + nb, "\u00e9", "123"]:
            for v in (1, 2, 3, 0):
                out.append({"shape": "helper/gbhash", "fn": "gbhash", "args": [seed, value, v]})
    for uid in ["u1", nb, "", "\u00e9"]:
        for ns in (["n", 0, 0.5], [nb, 0.2, 0.8], ["", 0, 1]):
            out.append({"shape": "helper/inNamespace", "fn": "inNamespace", "args": [uid, ns]})
    for key in ["e1", nb, "a b"]:
        for q in FQ_QS + ["\u00b2", "\u0663", "\uff11", "%EF%BC%91"]:
            out.append({"shape": "helper/getQueryStringOverride", "fn": "getQueryStringOverride",
                        "args": [key, "http://h.example/p?%s=%s" % (key, q), 3]})
    for u in FQ_URLS + ["", "http://h.example/p?%F0%9F%98%80=1", "http://h.example/p?a+b=1", "http://h.example/p?a%20b=2"]:
        for key in ("e1", nb, "a b"):
            out.append({"shape": "helper/getQueryStringOverride", "fn": "getQueryStringOverride", "args": [key, u, 3]})
    for v in ["1.2.3", "v1.2.3+b", "1.2.3-rc.1", "", "1", "1.0", "01.002", "1.2.3.4", "1-2", "a.b", 1, 1.5, True,
              None, nb, "1.2.3-" + nb, "100000.1.2", "v", "1..2", 1e21, 7.0, -1, 2 ** 64, 1e-7, 0.1]:
        out.append({"shape": "helper/paddedVersionString", "fn": "paddedVersionString", "args": [v]})
    specs = [(2, 1, None), (2, 0.5, [0.5, 0.5]), (3, 1, [0.1, 0.2, 0.7]), (2, 1, [0.5, 0.48]), (2, 1.5, None),
             (2, -1, None), (0, 1, None), (3, 0.3, None), (2, 1, [0.6, 0.41]), (3, 1, [0.5, 0.5]), (2, 1, [1, 0]),
             (3, 1, [0, 0, 1]), (2, 0.5, [1, 0]), (2, 1.5, [0, 1]), (2, 1.0, [1, 0]), (2, 1, [1.0, 0])]
    for n, c, w in specs:
        out.append({"shape": "helper/getBucketRanges", "fn": "getBucketRanges", "args": [n, c, w]})
    for x in (0, 0.25, 0.5, 0.3, 1, 0.30000000000000004):
        for rs in ([[0, 0.5], [0.5, 1]], [[0.1, 0.30000000000000004], [0.30000000000000004, 1]], [], [[0.5, 0.25]]):
            out.append({"shape": "helper/chooseVariation", "fn": "chooseVariation", "args": [x, rs]})
    for n in (0, 1, 2, 3, 7, -1):
        out.append({"shape": "helper/getEqualWeights", "fn": "getEqualWeights", "args": [n]})
    return out


TYPEMIX_VALUES = [v for _, v in HASH_VALUES if v is not MISSING] + ["25", "1e3", " 7", "a", "b", "1.2.3", [1, 2],
                                                                    ["a", "b"], [{"k": 1}], {"k": [1]}]
TYPEMIX_OPS = ["$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$nin", "$exists", "$type", "$size", "$all",
               "$elemMatch", "$not", "$regex", "$veq", "$vgt", "$vlt", "literal"]


def gen_typemix(rnd, n):
    """Random attribute values of every JSON type against random operators and operands."""
    out = []
    for _ in range(n):
        op = rnd.choice(TYPEMIX_OPS)
        operand = rnd.choice(TYPEMIX_VALUES)
        if op in ("$in", "$nin", "$all"):
            operand = rnd.sample(TYPEMIX_VALUES, rnd.randint(0, 3))
        elif op == "$type":
            operand = rnd.choice(["null", "number", "string", "boolean", "array", "object", "undefined"])
        elif op == "$exists":
            operand = rnd.choice([True, False])
        elif op == "$regex":
            operand = rnd.choice(["^a", "1", "e", "^$", ".", "^[0-9.]+$", "\\d", "True", "None"])
        elif op in ("$size", "$elemMatch", "$not"):
            operand = rnd.choice([0, 1, 2, {"$gt": 0}, {"$eq": operand}, {"$in": [1, "a"]}, {"$exists": True}])
            if op == "$size" and isinstance(operand, dict) and "$exists" in operand:
                operand = 1
        cond = operand if op == "literal" else {op: operand}
        attrs = {"id": "u"}
        if rnd.random() < 0.9:
            attrs["x"] = rnd.choice(TYPEMIX_VALUES)
        out.append({"shape": "typemix", "condition": {"x": cond}, "attributes": attrs})
    return out


def generate_extended(seed=20240602):
    """The extended cases: {"conditions": [...], "scenarios": [...], "helpers": [...]}."""
    rnd = random.Random(seed)
    scenarios = (gen_hash_scenarios() + gen_forced_scenarios() + gen_falsy_scenarios() + gen_fallback_scenarios() +
                 gen_prereq_scenarios() + gen_rule_scenarios() + gen_sticky_scenarios())
    return {"conditions": gen_ext_conditions() + gen_typemix(rnd, 1200), "scenarios": scenarios, "helpers": gen_helpers()}
