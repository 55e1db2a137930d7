#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, extracted from the spec fixtures.

    python3 Fuzz/make_corpus.py OUT_DIR        (Fuzz/run.sh calls it)

Writes OUT_DIR/<target>/<sha1> files: contexts, feature sets, attributes, conditions (with
their attributes and saved groups) and encrypted payloads (with their keys) from every case
of Tests/fixtures/*.json, each shaped as that target reads its input (NUL-separated parts,
see Fuzz/Sources/<target>/main.swift). The hand-written seeds in Fuzz/corpus/<target>/ are
used as well (run.sh passes both directories).
"""
import glob
import hashlib
import json
import os
import struct
import sys

out = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
seeds = {t: set() for t in ("fuzz_json", "fuzz_create", "fuzz_set_features", "fuzz_set_attributes",
                            "fuzz_eval", "fuzz_condition", "fuzz_decrypt", "fuzz_regex",
                            "fuzz_attributes_builder")}


def j(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()


def add(target, *parts):
    seeds[target].add(b"\0".join(p if isinstance(p, bytes) else j(p) for p in parts))


def builder_ops(v, out):
    """v as a program for fuzz_attributes_builder (see its step()): v's members, then finish."""
    def text(op, s):
        b = s.encode("utf-8", "surrogatepass")[:255]
        out.extend([op, len(b)])
        out.extend(b)

    def value(x):
        if isinstance(x, bool):
            out.append(4 if x else 5)
        elif x is None:
            out.append(6)
        elif isinstance(x, int) and -2 ** 63 <= x < 2 ** 63:
            out.append(2)
            out.extend(struct.pack("<q", x))
        elif isinstance(x, int):
            text(7, str(x))
        elif isinstance(x, float):
            out.append(3)
            out.extend(struct.pack("<d", x))
        elif isinstance(x, str):
            text(1, x)
        elif isinstance(x, list):
            out.append(8)
            for e in x:
                value(e)
            out.append(9)
        elif isinstance(x, dict):
            out.append(10)
            members(x)
            out.append(11)

    def members(d):
        for k, x in d.items():
            text(0, k)
            value(x)

    if isinstance(v, dict):
        members(v)
    out.append(12)
    return bytes(out)


for path in sorted(glob.glob(os.path.join(root, "Tests", "fixtures", "*.json"))):
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    for category in ("feature", "run", "stickyBucket"):
        for case in cases.get(category, []):
            ctx = case[1]
            add("fuzz_create", ctx)
            add("fuzz_json", ctx)
            features = ctx.get("features", {})
            attributes = ctx.get("attributes", {})
            if features:
                add("fuzz_set_features", features)
            add("fuzz_set_attributes", attributes)
            add("fuzz_attributes_builder", builder_ops(attributes, bytearray()))
            key = case[2] if category == "feature" else (case[3] if category == "stickyBucket" else "")
            experiment = case[2] if category == "run" else {}
            add("fuzz_eval", features, attributes, key.encode() if isinstance(key, str) else b"",
                experiment, ctx.get("forcedVariations", {}), ctx.get("url", "").encode())
            if category == "run":
                add("fuzz_json", experiment)
    for case in cases.get("evalCondition", []):
        condition, attributes = case[1], case[2]
        groups = case[4] if len(case) > 4 else None
        if groups is None:
            add("fuzz_condition", condition, attributes)
        else:
            add("fuzz_condition", condition, attributes, groups)
        add("fuzz_set_attributes", attributes)
        add("fuzz_json", condition)
    for case in cases.get("decrypt", []):
        encrypted, key = case[1], case[2]
        add("fuzz_decrypt", (encrypted or "").encode(), (key or "").encode())

def regexes(v):
    """The $regex / $regexi patterns inside a condition."""
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("$regex", "$regexi", "$notRegex", "$notRegexi") and isinstance(x, str):
                yield x
            else:
                yield from regexes(x)
    elif isinstance(v, list):
        for x in v:
            yield from regexes(x)


for path in sorted(glob.glob(os.path.join(root, "Tests", "fixtures", "cases-*.json"))):
    with open(path, encoding="utf-8") as f:
        for case in json.load(f).get("evalCondition", []):
            for pattern in regexes(case[1]):
                add("fuzz_regex", pattern.encode(), j(case[2]))
# the JavaScript dialect's recorded patterns (every 8th), each with its first own subject
with open(os.path.join(root, "Tests", "fixtures", "regex-js.json"), encoding="utf-8") as f:
    for case in json.load(f)["cases"][::8]:
        add("fuzz_regex", case["p"].encode(), (case["s"][0] if case["s"] else "").encode())

for target, items in seeds.items():
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    for data in items:
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print(f"corpus: {target}: {len(items)} seeds from the fixtures")
