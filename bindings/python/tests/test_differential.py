"""Differential tests against the real reference, growthbook==1.1.0 from PyPI.

A session fixture creates a venv under pytest's tmp dir, installs growthbook==1.1.0 into it
and runs oracle_reference.py there on cases from diffgen.generate() (fixed seed). The binding
evaluates the same cases in-process. Shapes in diffgen.STRICT must match exactly; the other
shapes (known differences between 1.1.0 and the latest spec, which the library follows) and
any mismatch are summarised at the end of the session (with examples in
differential-report.txt in pytest's tmp dir). Set GROWTHBOOK_REFERENCE_PYTHON to an interpreter that already has growthbook 1.1.0
to skip the venv creation."""

import collections
import json
import os
import subprocess
import sys

import pytest

import diffgen
from growthbook_native import Experiment, GrowthBook, evalCondition

HERE = os.path.dirname(os.path.abspath(__file__))
PIP_TIMEOUT = 240


def _reference_python(tmp):
    override = os.environ.get("GROWTHBOOK_REFERENCE_PYTHON")
    if override:
        return override
    venv = os.path.join(str(tmp), "venv")
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True, timeout=120)
    except Exception as e:
        pytest.skip("cannot create a venv for the reference: %s" % e)
    py = os.path.join(venv, "bin", "python")
    try:
        r = subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "growthbook==1.1.0"],
                           capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.skip("pip install growthbook==1.1.0 timed out after %ds" % PIP_TIMEOUT)
    if r.returncode != 0:
        pytest.skip("pip install growthbook==1.1.0 failed: %s" % (r.stderr.strip().splitlines() or ["?"])[-1])
    return py


@pytest.fixture(scope="session")
def diff(tmp_path_factory, pytestconfig):
    tmp = tmp_path_factory.mktemp("reference")
    py = _reference_python(tmp)
    cases = diffgen.generate()
    cases_path = os.path.join(str(tmp), "cases.json")
    out_path = os.path.join(str(tmp), "reference.json")
    with open(cases_path, "w") as f:
        json.dump(cases, f)
    r = subprocess.run([py, os.path.join(HERE, "oracle_reference.py"), cases_path, out_path],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        pytest.fail("the reference oracle failed:\n" + r.stderr[-3000:])
    with open(out_path) as f:
        ref = json.load(f)
    report = Report(str(tmp))
    yield cases, ref, report
    pytestconfig._growthbook_differential = report.write()


class Report(object):
    def __init__(self, tmp):
        self.tmp = tmp
        self.counts = collections.defaultdict(collections.Counter)  # (kind, shape) -> ok/mismatch
        self.examples = collections.defaultdict(list)

    def add(self, kind, shape, same, example):
        self.counts[(kind, shape)]["match" if same else "mismatch"] += 1
        if not same and len(self.examples[(kind, shape)]) < 3:
            self.examples[(kind, shape)].append(example)

    def write(self):
        lines = []
        for (kind, shape), c in sorted(self.counts.items()):
            strict = shape in diffgen.STRICT
            lines.append("[differential] %s %s%s: %d match, %d mismatch" % (
                kind, shape, "" if strict else " (not asserted)", c["match"], c["mismatch"]))
            for ex in self.examples[(kind, shape)]:
                lines.append("    e.g. " + json.dumps(ex, sort_keys=True)[:600])
        path = os.path.join(self.tmp, "differential-report.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        summary = [l for l in lines if l.startswith("[differential]")]
        summary.append("[differential] details and examples: %s" % path)
        return summary


def native_feature(gb, key):
    try:
        return {"ok": gb.eval_feature(key).to_dict()}
    except Exception as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}


def normalise(result):
    if "ok" in result and isinstance(result["ok"], dict):
        d = dict(result["ok"])
        if "source" in d:
            d.setdefault("ruleId", "")
        return {"ok": d}
    return result


def test_reference_is_1_1_0(diff):
    cases, ref, report = diff
    assert ref["version"] in (None, "1.1.0")


def test_features_match_reference(diff):
    cases, ref, report = diff
    features, shapes = cases["features"], cases["shapes"]
    strict_mismatches = []
    for user, expected in zip(cases["users"], ref["features"]):
        gb = GrowthBook(attributes=user, features=features)
        for key in sorted(features):
            got = normalise(native_feature(gb, key))
            want = normalise(expected[key])
            shape = shapes[key]
            if "id" not in user and shape not in ("typed", "mixed", "spec-diff"):
                shape = "missing-id/" + shape
            same = got == want
            if shape == "spec-diff":
                shape = "spec-diff/" + key
            report.add("feature", shape, same, {"feature": key, "user": user, "rules": features[key].get("rules"),
                                                "reference": want, "native": got})
            if not same and shape in diffgen.STRICT:
                strict_mismatches.append((key, user, want, got))
        gb.destroy()
    assert not strict_mismatches, "%d mismatches, first: %r" % (len(strict_mismatches), strict_mismatches[0])


def test_conditions_match_reference(diff):
    cases, ref, report = diff
    strict_mismatches = []
    for case, expected in zip(cases["conditions"], ref["conditions"]):
        try:
            got = {"ok": evalCondition(case["attributes"], case["condition"])}
        except Exception as e:
            got = {"error": "%s: %s" % (type(e).__name__, e)}
        same = got == expected
        report.add("evalCondition", case["shape"], same,
                   {"condition": case["condition"], "attributes": case["attributes"], "reference": expected, "native": got})
        if not same and case["shape"] in diffgen.STRICT:
            strict_mismatches.append((case, expected, got))
    assert not strict_mismatches, "%d mismatches, first: %r" % (len(strict_mismatches), strict_mismatches[0])


def test_run_matches_reference(diff):
    cases, ref, report = diff
    strict_mismatches = []
    for case, expected in zip(cases["experiments"], ref["runs"]):
        gb = GrowthBook(attributes=case["attributes"])
        try:
            got = {"ok": gb.run(Experiment(**case["experiment"])).to_dict()}
        except Exception as e:
            got = {"error": "%s: %s" % (type(e).__name__, e)}
        gb.destroy()
        same = got == expected
        report.add("run", case["shape"], same, {"experiment": case["experiment"], "attributes": case["attributes"],
                                                 "reference": expected, "native": got})
        if not same:
            strict_mismatches.append((case, expected, got))
    assert not strict_mismatches, "%d mismatches, first: %r" % (len(strict_mismatches), strict_mismatches[0])
