"""growthbook_native for a newcomer: evaluate the bundled example features for a few users.

Run from the repository root after `pip install ./bindings/python`:
    python3 examples/python/demo.py
"""

import json
from pathlib import Path

from growthbook_native import Experiment, GrowthBook

features = json.loads((Path(__file__).resolve().parent.parent / "features.json").read_text())


def on_experiment_viewed(experiment, result):
    print("    [tracking] viewed %s: variation %s (%r)" % (experiment.key, result.variationId, result.value))


users = [
    {"id": "user-1001", "country": "US", "age": 34, "email": "jane@gmail.com", "appVersion": "2.6.1"},
    {"id": "user-1002", "country": "CA", "age": 19, "email": "sam@example.com", "appVersion": "2.4.0"},
    {"id": "user-1003", "country": "FR", "age": 45, "email": "luc@example.fr", "appVersion": "1.9.12"},
]

for attributes in users:
    gb = GrowthBook(attributes=attributes, features=features, on_experiment_viewed=on_experiment_viewed)
    print(attributes["id"], attributes["country"])
    for key in features:
        result = gb.eval_feature(key)
        extra = ""
        if result.experimentResult is not None:
            extra = " (experiment %s, variation %d)" % (result.experiment.key, result.experimentResult.variationId)
        print("  %-18s %-28s %s%s" % (key, json.dumps(result.value), result.source, extra))
    print("  is_on('checkout-enabled') ->", gb.is_on("checkout-enabled"))
    inline = gb.run(Experiment(key="inline-test", variations=["A", "B"]))
    print("  inline experiment ->", inline.value, "in experiment:", inline.inExperiment)
    gb.destroy()
