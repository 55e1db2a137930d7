"""The differential harness against growthbook 1.1.0, shared by test_differential.py (pytest)
and differential_report.py (standalone): runs the reference oracle on diffgen's cases, runs the
same cases through growthbook_native with a given `semantics` (None: the library's default),
and counts matches and mismatches per (kind, shape) in a Report.

Kinds: "feature" (diffgen's features for every user), "evalCondition" (the module function),
"condition" (the same conditions through a handle: a rule {"condition": c, "force": True} over
defaultValue False, so the handle's semantics apply; growthbook 1.1.0 evaluates a rule's
condition with the same evalCondition), "run" (GrowthBook.run), "scenario" (diffscenario steps),
"sticky" (a sticky scenario's saved documents and the service's final documents) and "helper"
(module functions).

Comparison: values are compared as JSON text (sort_keys), so 1, 1.0 and True differ, and so do
0.0 and -0.0; FeatureResult's ruleId is "" when absent. `loose_errors`: both sides raising counts
as a match whatever the exception (the native side raises GrowthBookError, 1.1.0 its own
TypeError...); otherwise errors must be equal, as the original assertions had it."""

import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

import diffgen  # noqa: E402
import diffscenario  # noqa: E402

PIP_TIMEOUT = 240


class ReferenceUnavailable(Exception):
    pass


def reference_python(tmp):
    """An interpreter with growthbook 1.1.0: $GROWTHBOOK_REFERENCE_PYTHON, or a venv made in tmp."""
    override = os.environ.get("GROWTHBOOK_REFERENCE_PYTHON")
    if override:
        return override
    venv = os.path.join(str(tmp), "venv")
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True, timeout=120)
    except Exception as e:
        raise ReferenceUnavailable("cannot create a venv for the reference: %s" % e)
    py = os.path.join(venv, "bin", "python")
    try:
        r = subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "growthbook==1.1.0"],
                           capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ReferenceUnavailable("pip install growthbook==1.1.0 timed out after %ds" % PIP_TIMEOUT)
    if r.returncode != 0:
        raise ReferenceUnavailable("pip install growthbook==1.1.0 failed: %s" % (r.stderr.strip().splitlines() or ["?"])[-1])
    return py


class OracleFailed(Exception):
    pass


def run_reference(py, tmp):
    """(cases, reference results) for diffgen.generate()."""
    cases = diffgen.generate()
    cases_path = os.path.join(str(tmp), "cases.json")
    out_path = os.path.join(str(tmp), "reference.json")
    with open(cases_path, "w") as f:
        json.dump(cases, f)
    r = subprocess.run([py, os.path.join(HERE, "oracle_reference.py"), cases_path, out_path],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise OracleFailed("the reference oracle failed:\n" + r.stderr[-3000:])
    with open(out_path) as f:
        ref = json.load(f)
    return cases, ref


# ---- comparison -----------------------------------------------------------------------------

def _text(v):
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def normalise(result):
    if "ok" in result and isinstance(result["ok"], dict):
        d = dict(result["ok"])
        if "source" in d:
            d.setdefault("ruleId", "")
        return dict(result, ok=d)
    return result


def same(got, want, loose_errors):
    """`want` may carry "raised" (1.1.0 raised; `ok` is the repaired answer, see
    reference_repairs.py): compared without it."""
    if "raised" in want:
        want = {k: v for k, v in want.items() if k != "raised"}
    if "error" in got or "error" in want:
        if "error" in got and "error" in want:
            return loose_errors or got == want
        return False
    return _text(got) == _text(want)


def _native(fn):
    try:
        return {"ok": json.loads(json.dumps(fn()))}
    except Exception as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}


# ---- the report -----------------------------------------------------------------------------

class Report(object):
    def __init__(self, profile, asserted, max_examples=3):
        self.profile = profile  # a label: "default", "python-1.1.0", ...
        self.asserted = asserted  # (kind, shape) -> bool
        self.max_examples = max_examples
        self.counts = collections.defaultdict(collections.Counter)  # (kind, shape) -> match/mismatch
        self.examples = collections.defaultdict(list)

    def add(self, kind, shape, is_same, example):
        self.counts[(kind, shape)]["match" if is_same else "mismatch"] += 1
        if not is_same and len(self.examples[(kind, shape)]) < self.max_examples:
            self.examples[(kind, shape)].append(example)

    def mismatching(self):
        return sorted(k for k, c in self.counts.items() if c["mismatch"])

    def lines(self, examples=True, width=600, only=None):
        out = []
        for (kind, shape), c in sorted(self.counts.items()):
            if only is not None and not only(kind, shape):
                continue
            out.append("[differential %s] %s %s%s: %d match, %d mismatch" % (
                self.profile, kind, shape, "" if self.asserted(kind, shape) else " (not asserted)",
                c["match"], c["mismatch"]))
            if examples:
                for ex in self.examples[(kind, shape)]:
                    text = json.dumps(ex, sort_keys=True, ensure_ascii=False)
                    out.append("    e.g. " + (text if not width or len(text) <= width else text[:width] + " ..."))
        return out

    def write(self, tmp):
        lines = self.lines()
        path = os.path.join(str(tmp), "differential-report-%s.txt" % self.profile)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        summary = [l for l in lines if l.startswith("[differential")]
        summary.append("[differential %s] details and examples: %s" % (self.profile, path))
        return summary


# ---- the native side, per kind; each returns [(kind, shape, example)] for every mismatch ----

def check_features(gbmod, cases, ref, report, semantics=None, loose_errors=False):
    features, shapes = cases["features"], cases["shapes"]
    kw = {} if semantics is None else {"semantics": semantics}
    bad = []
    for user, expected in zip(cases["users"], ref["features"]):
        gb = gbmod.GrowthBook(attributes=user, features=features, **kw)
        for key in sorted(features):
            got = normalise(_native(lambda: gb.eval_feature(key).to_dict()))
            want = normalise(expected[key])
            shape = shapes[key]
            if "id" not in user and shape not in ("typed", "mixed", "spec-diff"):
                shape = "missing-id/" + shape
            if shape == "spec-diff":
                shape = "spec-diff/" + key
            ok = same(got, want, loose_errors)
            ex = {"feature": key, "user": user, "rules": features[key].get("rules"),
                  "defaultValue": features[key].get("defaultValue"), "reference": want, "native": got}
            report.add("feature", shape, ok, ex)
            if not ok:
                bad.append(("feature", shape, ex))
        gb.destroy()
    return bad


def check_conditions(gbmod, cases, ref, report, semantics=None, loose_errors=False, through_handle=False):
    """through_handle: evaluate each condition as a rule of a handle made with `semantics`
    (kind "condition"); otherwise with the module's evalCondition (kind "evalCondition")."""
    kind = "condition" if through_handle else "evalCondition"
    kw = {} if semantics is None else {"semantics": semantics}
    bad = []
    for case, expected in zip(cases["conditions"], ref["conditions"]):
        if through_handle:
            def fn(case=case):
                gb = gbmod.GrowthBook(attributes=case["attributes"], features={
                    "c": {"defaultValue": False, "rules": [{"condition": case["condition"], "force": True}]}}, **kw)
                return gb.eval_feature("c").value
            got = _native(fn)
        else:
            got = _native(lambda: gbmod.evalCondition(case["attributes"], case["condition"], **kw))
        ok = same(got, expected, loose_errors)
        ex = {"condition": case["condition"], "attributes": case["attributes"], "reference": expected, "native": got}
        report.add(kind, case["shape"], ok, ex)
        if not ok:
            bad.append((kind, case["shape"], ex))
    return bad


def check_runs(gbmod, cases, ref, report, semantics=None, loose_errors=False):
    kw = {} if semantics is None else {"semantics": semantics}
    bad = []
    for case, expected in zip(cases["experiments"], ref["runs"]):
        gb = gbmod.GrowthBook(attributes=case["attributes"], **kw)
        got = _native(lambda: gb.run(gbmod.Experiment(**case["experiment"])).to_dict())
        gb.destroy()
        ok = same(got, expected, loose_errors)
        ex = {"experiment": case["experiment"], "attributes": case["attributes"], "reference": expected, "native": got}
        report.add("run", case["shape"], ok, ex)
        if not ok:
            bad.append(("run", case["shape"], ex))
    return bad


def _scenario_context(sc, step):
    opts = sc["options"]
    ctx = {k: v for k, v in opts.items() if k != "features"}
    key = step.get("eval", step.get("is_on", step.get("value")))
    if key is not None:
        ctx["feature"] = {key: opts.get("features", {}).get(key)}
    if "eval" in step:
        ctx["feature"] = {step["eval"]: opts.get("features", {}).get(step["eval"])}
        # the prerequisites' parents, when the rule names some
        parents = {}
        for rule in (opts.get("features", {}).get(step["eval"]) or {}).get("rules", []):
            for pc in rule.get("parentConditions") or []:
                pid = pc.get("id")
                if pid in opts.get("features", {}):
                    parents[pid] = opts["features"][pid]
        if parents:
            ctx["parents"] = parents
    return ctx


def check_scenarios(gbmod, cases, ref, report, semantics=None, loose_errors=False):
    kw = {} if semantics is None else {"semantics": semantics}
    bad = []
    for sc, expected in zip(cases["scenarios"], ref["scenarios"]):
        got = diffscenario.run_scenario(gbmod, sc, kw)
        for i, (step, g, w) in enumerate(zip(sc["steps"], got["steps"], expected["steps"])):
            if not any(k in step for k in ("eval", "run", "is_on", "value")) and same(g, w, loose_errors):
                continue  # set-up steps count only when they differ
            g, w = normalise(g), normalise(w)
            ok = same(g, w, loose_errors)
            ex = dict(_scenario_context(sc, step), step=i, do={k: v for k, v in step.items() if k != "shape"},
                      reference=w, native=g)
            report.add("scenario", step["shape"], ok, ex)
            if not ok:
                bad.append(("scenario", step["shape"], ex))
        if expected.get("sticky") is not None or got.get("sticky") is not None:
            shape = sc.get("sticky_shape", "sticky")
            ok = _text(got.get("sticky")) == _text(expected.get("sticky"))
            ex = {"options": {k: v for k, v in sc["options"].items() if k != "features"},
                  "steps": [{k: v for k, v in s.items() if k not in ("shape", "set_features")} for s in sc["steps"]],
                  "reference": expected.get("sticky"), "native": got.get("sticky")}
            report.add("sticky", shape, ok, ex)
            if not ok:
                bad.append(("sticky", shape, ex))
    return bad


def check_helpers(gbmod, cases, ref, report, loose_errors=False):
    bad = []
    for h, expected in zip(cases["helpers"], ref["helpers"]):
        got = diffscenario.run_helper(gbmod, h)
        ok = same(got, expected, loose_errors)
        ex = {"call": "%s(%s)" % (h["fn"], ", ".join(json.dumps(a, ensure_ascii=False) for a in h["args"])),
              "reference": expected, "native": got}
        report.add("helper", h["shape"], ok, ex)
        if not ok:
            bad.append(("helper", h["shape"], ex))
    return bad


def check_all(gbmod, cases, ref, report, semantics, loose_errors=True):
    """Every kind for one profile (the python-1.1.0 run: conditions through a handle, and the
    module evalCondition, which takes no semantics, reported beside them)."""
    bad = []
    bad += check_features(gbmod, cases, ref, report, semantics, loose_errors)
    bad += check_conditions(gbmod, cases, ref, report, semantics, loose_errors, through_handle=True)
    bad += check_conditions(gbmod, cases, ref, report, semantics, loose_errors, through_handle=False)
    bad += check_runs(gbmod, cases, ref, report, semantics, loose_errors)
    bad += check_scenarios(gbmod, cases, ref, report, semantics, loose_errors)
    bad += check_helpers(gbmod, cases, ref, report, loose_errors)
    return bad
