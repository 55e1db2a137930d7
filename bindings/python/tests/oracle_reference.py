"""Runs in a venv with growthbook==1.1.0 (the reference): reads generated cases (JSON file
argv[1]) and writes the reference's results (JSON file argv[2]). Scenarios and helper calls
go through diffscenario.py, which the native side runs too."""

import json
import logging
import sys

import growthbook
from growthbook import Experiment, GrowthBook, evalCondition

import diffscenario  # next to this file

logging.getLogger("growthbook").setLevel(logging.CRITICAL)


def safe(fn):
    try:
        return {"ok": fn()}
    except Exception as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    features = cases["features"]
    keys = sorted(features)
    out = {"version": getattr(growthbook, "__version__", None), "features": [], "conditions": [], "runs": []}
    for user in cases["users"]:
        gb = GrowthBook(attributes=user, features=features)
        out["features"].append({k: safe(lambda k=k: gb.eval_feature(k).to_dict()) for k in keys})
        gb.destroy()
    for c in cases["conditions"]:
        out["conditions"].append(safe(lambda c=c: evalCondition(c["attributes"], c["condition"])))
    for e in cases["experiments"]:
        def run(e=e):
            gb = GrowthBook(attributes=e["attributes"])
            return gb.run(Experiment(**e["experiment"])).to_dict()
        out["runs"].append(safe(run))
    out["scenarios"] = [diffscenario.run_scenario(growthbook, sc) for sc in cases.get("scenarios", [])]
    out["helpers"] = [diffscenario.run_helper(growthbook, h) for h in cases.get("helpers", [])]
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
