"""Runs in a venv with growthbook==1.1.0 (the reference): reads generated cases (JSON file
argv[1]) and writes the reference's results (JSON file argv[2]). Scenarios and helper calls
go through diffscenario.py, which the native side runs too.

Every case is evaluated plainly; a case on which 1.1.0 raises is evaluated again with
reference_repairs installed, and its result is that answer with "raised": the exception."""

import json
import logging
import sys

import growthbook

import diffscenario  # next to this file
import reference_repairs

logging.getLogger("growthbook").setLevel(logging.CRITICAL)


def safe(fn):
    try:
        return {"ok": fn()}
    except Exception as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}


def evaluate(cases):
    """The reference's results for every case (through module attributes, so that repairs
    installed on the module apply)."""
    gbm = growthbook
    features = cases["features"]
    keys = sorted(features)
    out = {"version": getattr(gbm, "__version__", None), "features": [], "conditions": [], "runs": []}
    for user in cases["users"]:
        gb = gbm.GrowthBook(attributes=user, features=features)
        out["features"].append({k: safe(lambda k=k: gb.eval_feature(k).to_dict()) for k in keys})
        gb.destroy()
    for c in cases["conditions"]:
        out["conditions"].append(safe(lambda c=c: gbm.evalCondition(c["attributes"], c["condition"])))
    for e in cases["experiments"]:
        def run(e=e):
            gb = gbm.GrowthBook(attributes=e["attributes"])
            return gb.run(gbm.Experiment(**e["experiment"])).to_dict()
        out["runs"].append(safe(run))
    out["scenarios"] = [diffscenario.run_scenario(gbm, sc) for sc in cases.get("scenarios", [])]
    out["helpers"] = [diffscenario.run_helper(gbm, h) for h in cases.get("helpers", [])]
    return out


def _repaired(plain, repaired):
    """A result that raised, replaced by its repaired answer (marked "raised")."""
    if "error" not in plain:
        return plain
    fixed = dict(repaired)
    fixed["raised"] = plain["error"]
    return fixed


def merge(plain, repaired):
    out = dict(plain)
    out["features"] = [{k: _repaired(p[k], r[k]) for k in p} for p, r in zip(plain["features"], repaired["features"])]
    for kind in ("conditions", "runs", "helpers"):
        out[kind] = [_repaired(p, r) for p, r in zip(plain[kind], repaired[kind])]
    scenarios = []
    for p, r in zip(plain["scenarios"], repaired["scenarios"]):
        # a step that raised may have left state behind: the whole scenario is the repaired one
        if any("error" in s for s in p["steps"]):
            r = dict(r)
            r["steps"] = [_repaired(ps, rs) if "error" in ps else rs for ps, rs in zip(p["steps"], r["steps"])]
            scenarios.append(r)
        else:
            scenarios.append(p)
    out["scenarios"] = scenarios
    return out


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    plain = evaluate(cases)
    reference_repairs.install(growthbook)
    out = merge(plain, evaluate(cases))
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
