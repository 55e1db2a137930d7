"""growthbook_native's multi-user client (growthbook 4.x's GrowthBookClient): one client for the
whole process, a UserContext per request.

Run from the repository root after `pip install ./bindings/python`:
    python3 examples/python/client.py

A server gives Options(api_host=..., client_key=...) and awaits initialize() instead of
set_features(); the bundled examples/features.json stands in for that here.
"""

import asyncio
import json
from pathlib import Path

from growthbook_native import GrowthBookClient, GrowthBookClientSync, Options, UserContext

features = json.loads((Path(__file__).resolve().parent.parent / "features.json").read_text())


def on_experiment_viewed(*, experiment, result, user_context):
    print("    [tracking] %s viewed %s: variation %s" % (user_context.attributes["id"], experiment.key,
                                                          result.variationId))


users = [
    {"id": "user-1001", "country": "US", "age": 34, "email": "jane@gmail.com", "appVersion": "2.6.1"},
    {"id": "user-1002", "country": "CA", "age": 19, "email": "sam@example.com", "appVersion": "2.4.0"},
    {"id": "user-1003", "country": "FR", "age": 45, "email": "luc@example.fr", "appVersion": "1.9.12"},
]


async def main():
    # with api_host and client_key: `async with GrowthBookClient(options) as client:` loads them
    client = GrowthBookClient(Options(on_experiment_viewed=on_experiment_viewed))
    await client.set_features(features)
    for attributes in users:  # one request each
        user = UserContext(attributes=attributes)
        print(attributes["id"], attributes["country"])
        for key in features:
            result = await client.eval_feature(key, user)
            print("  %-20s = %-28r (%s)" % (key, result.value, result.source))
    await client.close()


asyncio.run(main())

# The same calls, synchronous (WSGI code, threads):
client = GrowthBookClientSync(Options())
client.set_features(features)
user = UserContext(attributes=users[0], forced_variations={})
print("sync:", users[0]["id"], "welcome-message =", client.get_feature_value("welcome-message", "?", user))
client.close()
