"""Runs diffgen's scenarios and helper calls against a growthbook module: the reference
(growthbook 1.1.0, in oracle_reference.py) or growthbook_native (in diffharness.py). The same
code drives both, so only the module differs. Python 3.6+, standard library only."""

import copy
import json


def _plain(value):
    """A result as JSON would give it back (tuples become lists), so both sides compare alike."""
    return json.loads(json.dumps(value))


def safe(fn):
    try:
        return {"ok": _plain(fn())}
    except Exception as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}


def run_scenario(mod, scenario, extra_kwargs=None):
    """{"steps": [result per step], "sticky": {"saves": [...], "docs": {...}} or None}."""
    opts = scenario["options"]
    sticky = opts.get("sticky")
    saves = []
    service = None
    if sticky is not None:
        class Recording(mod.InMemoryStickyBucketService):
            def save_assignments(self, doc):
                saves.append(copy.deepcopy(doc))
                super(Recording, self).save_assignments(doc)

        service = Recording()
        service.docs.update(copy.deepcopy(sticky.get("docs") or {}))
    state = {"attributes": opts.get("attributes", {}), "features": opts.get("features", {})}

    def make():
        # fresh copies: growthbook 1.1.0's destroy() clears the dicts it was given
        kw = {"attributes": copy.deepcopy(state["attributes"]), "features": copy.deepcopy(state["features"])}
        if "url" in opts:
            kw["url"] = opts["url"]
        if "forced_variations" in opts:
            kw["forced_variations"] = copy.deepcopy(opts["forced_variations"])
        if opts.get("qa_mode"):
            kw["qa_mode"] = True
        if service is not None:
            kw["sticky_bucket_service"] = service
            if sticky.get("identifier_attributes"):
                kw["sticky_bucket_identifier_attributes"] = list(sticky["identifier_attributes"])
        kw.update(extra_kwargs or {})
        return mod.GrowthBook(**kw)

    box = {}

    def step_fn(step):
        if "eval" in step:
            return box["gb"].eval_feature(step["eval"]).to_dict()
        if "is_on" in step:
            return [box["gb"].is_on(step["is_on"]), box["gb"].is_off(step["is_on"])]
        if "value" in step:
            return box["gb"].get_feature_value(step["value"], "FALLBACK")
        if "run" in step:
            return box["gb"].run(mod.Experiment(**copy.deepcopy(step["run"]))).to_dict()
        if "set_attributes" in step:
            state["attributes"] = step["set_attributes"]
            box["gb"].set_attributes(copy.deepcopy(step["set_attributes"]))
            return None
        if "set_features" in step:
            state["features"] = step["set_features"]
            box["gb"].set_features(copy.deepcopy(step["set_features"]))
            return None
        if "new_instance" in step:
            box["gb"] = make()
            return None
        raise ValueError("unknown step %r" % sorted(step))

    created = safe(lambda: box.__setitem__("gb", make()))
    results = []
    for step in scenario["steps"]:
        results.append(created if "error" in created else safe(lambda step=step: step_fn(step)))
    return {"steps": results, "sticky": None if service is None else _plain({"saves": saves, "docs": service.docs})}


def run_helper(mod, helper):
    return safe(lambda: getattr(mod, helper["fn"])(*copy.deepcopy(helper["args"])))
