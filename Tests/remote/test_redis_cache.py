"""The payload cache on Redis ("cache": {"redis": URL}): a fleet shares one fetched payload.

Each test starts its own redis-server (Tests/redis/redis_server.py) on loopback and talks to
the loopback API server of these tests; processes are real subprocesses loading through the
library, so "one request for ten processes" is counted by the API server itself.
"""

import json
import os
import subprocess
import sys
import time

import pytest

import gbc

sys.path.insert(0, os.path.join(gbc.REPO, "Tests", "redis"))
from redis_server import RedisServer  # noqa: E402

FEATURES = {"greeting": {"defaultValue": "hello"}}

# A process of the fleet: waits for the common start time, loads, prints the value.
WORKER = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import gbc
options = json.loads(sys.argv[2])
start = float(sys.argv[3])
h = gbc.create(options)
while time.time() < start:
    time.sleep(0.001)
gbc.load(h)
print(json.dumps(gbc.value(h, "greeting")))
gbc.free(h)
"""


@pytest.fixture
def redis():
    r = RedisServer()
    yield r
    r.close()


def options(server, client_key, redis_url, **extra):
    o = {"apiHost": server.url, "clientKey": client_key, "cache": {"redis": redis_url, "timeout": 1}}
    o.update(extra)
    return o


def run_fleet(count, opts, delay_start=0.5):
    start = time.time() + delay_start
    env = dict(os.environ, GB_LIBRARY=gbc.LIBRARY)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, os.path.dirname(gbc.__file__), json.dumps(opts),
                               repr(start)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(count)]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
        outputs.append(json.loads(out))
    return outputs


def test_ten_processes_against_a_cold_redis_make_one_request(server, client_key, redis):
    server.set_features(client_key, FEATURES)
    # The API answers slowly, so every process asks while the first fetch is in flight.
    server.set_delay(client_key, 0.3)
    values = run_fleet(10, options(server, client_key, redis.url))
    assert values == ["hello"] * 10
    assert server.request_count(client_key) == 1
    # The payload and its ETag are in Redis under a key made of the API host and client key.
    key = "growthbook:payload:%s::%s" % (server.url, client_key)
    assert json.loads(redis.command("HGET", key, "body")) == {"features": FEATURES}
    assert redis.command("HGET", key, "etag") == server.etag(client_key)
    assert redis.command("PTTL", key + ":fresh") > 0
    # A warm Redis: another process loads without asking the API.
    assert run_fleet(1, options(server, client_key, redis.url), delay_start=0) == ["hello"]
    assert server.request_count(client_key) == 1


def test_a_handle_reads_what_another_process_stored(server, client_key, redis, handles):
    server.set_features(client_key, FEATURES)
    run_fleet(1, options(server, client_key, redis.url), delay_start=0)
    assert server.request_count(client_key) == 1
    h = handles(options(server, client_key, redis.url))
    gbc.load(h)
    assert gbc.value(h, "greeting") == "hello"
    assert server.request_count(client_key) == 1


def test_an_expired_entry_is_refreshed_once_with_its_etag(server, client_key, redis, handles):
    server.set_features(client_key, FEATURES)
    opts = options(server, client_key, redis.url, cacheTTL=0.3)
    run_fleet(1, opts, delay_start=0)
    time.sleep(0.4)
    # Expired in Redis and unchanged at the API: one conditional request, answered 304.
    run_fleet(3, opts)
    assert server.request_count(client_key) == 2
    assert server.not_modified_count(client_key) == 1
    assert server.if_none_match_values(client_key)[-1] == server.etag(client_key)
    # Changed at the API: the next refresher stores the new payload for everyone.
    time.sleep(0.4)
    server.set_features(client_key, {"greeting": {"defaultValue": "bonjour"}})
    assert run_fleet(1, opts, delay_start=0) == ["bonjour"]
    h = handles(options(server, client_key, redis.url))
    gbc.load(h)
    assert gbc.value(h, "greeting") == "bonjour"
    assert server.request_count(client_key) == 3


def test_a_stale_entry_is_served_while_another_process_refreshes(server, client_key, redis, handles):
    server.set_features(client_key, FEATURES)
    opts = options(server, client_key, redis.url, cacheTTL=0.2)
    run_fleet(1, opts, delay_start=0)
    time.sleep(0.3)
    # Another process holds the refresh lock: this one serves the stale payload at once.
    key = "growthbook:payload:%s::%s" % (server.url, client_key)
    assert redis.command("SET", key + ":lock", "someone-else", "PX", "5000") == "OK"
    h = handles(opts)
    started = time.monotonic()
    gbc.load(h)
    assert time.monotonic() - started < 0.5
    assert gbc.value(h, "greeting") == "hello"
    assert server.request_count(client_key) == 1


def test_a_stopped_redis_falls_back_to_fetching_directly(server, client_key, redis, handles):
    server.set_features(client_key, FEATURES)
    redis.stop()
    h = handles(options(server, client_key, redis.url))
    messages = []
    gbc.set_log_callback(h, lambda level, message: messages.append((level, message)))
    gbc.load(h)
    assert gbc.value(h, "greeting") == "hello"
    assert server.request_count(client_key) == 1
    assert any(level == gbc.GB_LOG_WARNING and "Redis payload cache" in m and "directly" in m
               for level, m in messages), messages
    # Redis back: the next cold process stores the payload there again.
    redis.start()
    gbc.clear_cache()
    deadline = time.monotonic() + 10
    key = "growthbook:payload:%s::%s" % (server.url, client_key)
    while redis.command("EXISTS", key) == 0:
        assert time.monotonic() < deadline, "the payload never reached Redis after its restart"
        run_fleet(1, options(server, client_key, redis.url), delay_start=0)
        time.sleep(0.2)


def test_garbage_in_redis_is_not_used(server, client_key, redis, handles):
    server.set_features(client_key, FEATURES)
    key = "growthbook:payload:%s::%s" % (server.url, client_key)
    redis.command("HSET", key, "body", "{not json", "etag", "x")
    redis.command("SET", key + ":fresh", "1", "PX", "60000")
    h = handles(options(server, client_key, redis.url))
    gbc.load(h)
    assert gbc.value(h, "greeting") == "hello"
    assert server.request_count(client_key) == 1
    assert json.loads(redis.command("HGET", key, "body")) == {"features": FEATURES}


@pytest.mark.parametrize("cache, code", [
    ({"redis": "http://127.0.0.1:6379"}, "GB_ERR_INVALID_ARGUMENT"),
    ({"redis": "redis://127.0.0.1:99999"}, "GB_ERR_INVALID_ARGUMENT"),
    ({"redis": "redis://127.0.0.1:6379", "timeout": 0}, "GB_ERR_INVALID_ARGUMENT"),
    ({"redis": 5}, "GB_ERR_TYPE"),
    ("redis://127.0.0.1:6379", "GB_ERR_TYPE"),
])
def test_bad_cache_options_are_refused(cache, code):
    with pytest.raises(gbc.GBError) as e:
        gbc.create({"clientKey": "k", "cache": cache})
    assert e.value.code == getattr(gbc, code)
