"""The optional accelerator (growthbook_native/_speedups.c) and what both paths share.

`make python-tests` runs the whole suite twice: with the accelerator, and with
GROWTHBOOK_NATIVE_PURE=1 (the ctypes path). Tests of the C parts skip on the ctypes path; the
others hold on both."""

import copy
import ctypes
import gc
import json
import math
import os
import pickle
import random
import sys
import threading

import pytest

import growthbook_native
from growthbook_native import Experiment, GrowthBook, GrowthBookError, _lib
from growthbook_native import growthbook as gbmod

PURE = os.environ.get("GROWTHBOOK_NATIVE_PURE", "") not in ("", "0")
needs_speedups = pytest.mark.skipif(not growthbook_native._accelerated, reason="the ctypes path")


def _extension_built():
    here = os.path.dirname(growthbook_native.__file__)
    return any(name.startswith("_speedups.") and name.endswith(".so") for name in os.listdir(here))


def test_the_path_in_use_is_the_one_asked_for():
    if PURE:
        assert growthbook_native._accelerated is False
        assert GrowthBook.__mro__[1] is gbmod._PyCore
        return
    # make python-tests sets GROWTHBOOK_NATIVE_REQUIRE_ACCEL: there the build must have worked
    if os.environ.get("GROWTHBOOK_NATIVE_REQUIRE_ACCEL") == "1" or _extension_built():
        assert growthbook_native._accelerated is True, gbmod._speedups_error
        assert GrowthBook.__mro__[1] is gbmod._speedups.Core
    else:
        pytest.skip("the accelerator is not built here")


@needs_speedups
def test_the_accelerator_calls_the_library_ctypes_loaded():
    for name in ("gb_is_on", "gb_eval_result", "gb_set_attributes_json"):
        assert gbmod._speedups._address(name) == ctypes.cast(getattr(_lib.lib, name), ctypes.c_void_p).value


@needs_speedups
def test_bind_twice_is_refused():
    with pytest.raises(RuntimeError):
        gbmod._speedups.bind(_lib.lib._name, growthbook_native.FeatureResult, _lib.SOURCES, json.loads,
                             json.dumps, _lib.error, gbmod._merge_user)


# MARK: the JSON writer


def _random_string(rng):
    alphabet = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\x00', '\x1f', '\x7f', '~',
                '\x80', '\xe9', '\u2028', '\uffff', '\ud800', '\udfff', '\U0001f600', '\U0010ffff']
    return "".join(rng.choice(alphabet) if rng.random() < 0.6 else chr(rng.randrange(0x20, 0x7f))
                   for _ in range(rng.randrange(0, 12)))


def _random_number(rng):
    kind = rng.randrange(8)
    if kind == 0:
        return rng.randrange(-2 ** 200, 2 ** 200)  # beyond 64 bits
    if kind == 1:
        return rng.choice([0, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 63, -2 ** 63 - 1, 2 ** 64])
    if kind == 2:
        return rng.randrange(-1000, 1000)
    if kind == 3:
        return rng.choice([0.0, -0.0, 1e16, 1e-7, 1.5, 0.1, 1e308, 5e-324, 2.0 ** 53, 123456789.125])
    if kind == 4:
        return struct_double(rng)
    return rng.uniform(-1e6, 1e6)


def struct_double(rng):
    while True:
        d = ctypes.c_double.from_buffer_copy(rng.getrandbits(64).to_bytes(8, "little")).value
        if math.isfinite(d):
            return d


def _random_value(rng, depth=0):
    kind = rng.randrange(9 if depth < 5 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind in (1, 2):
        return _random_number(rng)
    if kind in (3, 4, 5):
        return _random_string(rng)
    if kind == 6:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    if kind == 7:
        return tuple(_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4)))
    return {_random_string(rng): _random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))}


def _dumps_checks():
    return [gbmod._dumps] if growthbook_native._accelerated else []


@needs_speedups
def test_writer_matches_json_dumps_on_random_values():
    dumps = gbmod._speedups.dumps
    rng = random.Random(20251202)
    for _ in range(20000):
        v = _random_value(rng)
        assert dumps(v) == json.dumps(v).encode("utf-8"), repr(v)


def _same(a, b):
    """Equal and of the same types all the way down (1, 1.0 and True apart; order kept)."""
    return json.dumps(a) == json.dumps(b) and repr(a) == repr(b)


@needs_speedups
def test_reader_matches_json_loads_on_random_texts():
    loads = gbmod._speedups.loads
    rng = random.Random(20261202)
    for _ in range(20000):
        v = _random_value(rng)
        for text in (json.dumps(v), json.dumps(v, separators=(",", ":"))):
            assert _same(loads(text.encode("utf-8")), json.loads(text)), text
        try:
            raw = json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            continue
        assert _same(loads(raw), json.loads(raw)), raw


@needs_speedups
@pytest.mark.parametrize("text", [
    b"", b"[1,]", b"01", b"1.", b".5", b"1e", b"-", b"--1", b"NaN", b"-Infinity", b"[1] x", b'{"a" 1}',
    b'"\\x"', b'"\\ud800"', b'"\\udc00\\ud800"', b'"\xff"', b'"a\x01"', b"tru", b"[" * 600 + b"]" * 600,
    b"1e400", b"-0", b"123456789012345678901234567890123456789012345678901234567890123456789",
])
def test_reader_agrees_with_json_loads_on_odd_texts(text):
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError) as e:
        with pytest.raises(type(e)):
            gbmod._speedups.loads(text)
    else:
        assert _same(gbmod._speedups.loads(text), expected)


def test_feature_values_come_back_as_json_loads_reads_them():
    """Values of every shape through the library and back, on the path in use."""
    rng = random.Random(99)
    values = []
    while len(values) < 400:
        v = _random_value(rng)
        try:  # the library refuses lone surrogates (not UTF-8)
            json.dumps(v, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            continue
        values.append(v)
    features = {"f%d" % i: {"defaultValue": v} for i, v in enumerate(values)}
    gb = GrowthBook(features=features)
    for i, v in enumerate(values):
        expected = json.loads(json.dumps(v))
        assert _same(gb.get_feature_value("f%d" % i, "fallback") if expected is not None else
                     gb.eval_feature("f%d" % i).value, expected), repr(v)
    gb.destroy()


@needs_speedups
def test_attributes_built_without_json_equal_their_json():
    """_speedups.attributes_build (gb_attributes_builder) gives the attributes the JSON path
    gives; values it does not take (None returned) go through JSON."""
    set_attributes = _lib.lib.gb_set_attributes
    set_attributes.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    set_attributes.restype = ctypes.c_int
    get_attributes = _lib.lib.gb_get_attributes_json
    get_attributes.argtypes = [ctypes.c_void_p]
    get_attributes.restype = ctypes.c_void_p
    h = _lib.gb_create(b'{"semantics":"python-1.1.0"}')
    rng = random.Random(7)
    built = 0
    try:
        for _ in range(3000):
            d = {_random_string(rng): _random_value(rng) for _ in range(rng.randrange(0, 6))}
            p = gbmod._speedups.attributes_build(d)
            try:
                text = json.dumps(d, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: the builder leaves it to JSON
                assert p is None, repr(d)
                continue
            if p is None:  # JSON can carry it, so the builder must have taken it
                pytest.fail("not built: %r" % (d,))
            built += 1
            assert isinstance(p, gbmod._speedups.Attributes) and p.value
            assert set_attributes(h, p) == 0  # (through its _as_parameter_)
            del p  # frees it: the handle keeps its own reference
            got = json.loads(_lib.take_string(get_attributes(h)))
            assert _same(got, json.loads(text)), repr(d)
    finally:
        _lib.gb_free(h)
    assert built > 1000  # (the others hold a lone surrogate)


@needs_speedups
@pytest.mark.parametrize("value", [
    {1: "int key"}, {"a": float("nan")}, {"a": object()},
    {"a": [float("inf")]}, {"a": 10 ** 400}, "not a dict", ["a"],
])
def test_attributes_the_builder_leaves_to_json(value):
    assert gbmod._speedups.attributes_build(value) is None


@needs_speedups
def test_attributes_the_builder_refuses_as_json_does():
    with pytest.raises(ValueError):  # past sys.get_int_max_str_digits, as json.dumps raises
        gbmod._speedups.attributes_build({"a": 10 ** 5000})
    with pytest.raises(ValueError):
        json.dumps({"a": 10 ** 5000})
    # the thread's builder was left clean: the next attributes build
    p = gbmod._speedups.attributes_build({"b": 1})
    assert p is not None and p.value


class _IntSub(int):
    pass


class _DictSub(dict):
    pass


@needs_speedups
@pytest.mark.parametrize("value", [
    {1: "int key"}, {None: 1, True: 2, 1.5: 3}, {"a": float("nan")}, [float("inf"), -float("inf")],
    _IntSub(5), [_IntSub(7)], _DictSub(a=1), {"a": _DictSub(b=[1])}, "",
    {"": ""}, [[]], [{}], {"k": ()}, 10 ** 400, -(10 ** 400), "\ud83d", "x\udc00y",
])
def test_writer_falls_back_or_matches_for_the_rest(value):
    assert gbmod._speedups.dumps(value) == json.dumps(value).encode("utf-8")


@needs_speedups
def test_writer_raises_as_json_dumps_does():
    dumps = gbmod._speedups.dumps
    for bad in [{"a": object()}, [set()], {"a": b"bytes"}]:
        with pytest.raises(TypeError):
            json.dumps(bad)
        with pytest.raises(TypeError):
            dumps(bad)
    if hasattr(sys, "get_int_max_str_digits"):
        with pytest.raises(ValueError):
            dumps(10 ** 5000)


@needs_speedups
def test_writer_depth_is_bounded():
    dumps = gbmod._speedups.dumps
    v = []
    for _ in range(480):
        v = [v]
    assert dumps(v) == json.dumps(v).encode()
    deep = []
    for _ in range(100000):
        deep = [deep]
    with pytest.raises(ValueError):
        dumps(deep)
    d = {}
    d["self"] = d
    with pytest.raises(ValueError):
        dumps(d)
    lst = []
    lst.append(lst)
    with pytest.raises(ValueError):
        dumps({"a": lst})


def test_attributes_go_through_the_writer_unchanged():
    attrs = {"id": "é\U0001f600", "n": 2 ** 70, "f": 0.1, "t": (1, [2]), "b": True, "z": None}
    gb = GrowthBook(attributes=attrs, features={
        "big": {"defaultValue": 0, "rules": [{"condition": {"n": 2 ** 70}, "force": 1}]},
        "id": {"defaultValue": 0, "rules": [{"condition": {"id": "é\U0001f600"}, "force": 1}]}})
    assert gb.get_feature_value("big", None) == 1
    assert gb.get_feature_value("id", None) == 1
    gb.destroy()


def test_deep_attributes_raise_and_keep_the_old_ones():
    gb = GrowthBook(attributes={"id": "1"}, features={"f": {"defaultValue": 1}})
    deep = {}
    for _ in range(5000):
        deep = {"a": deep}
    with pytest.raises((ValueError, RecursionError, GrowthBookError)):
        gb.set_attributes(deep)
    assert gb.get_attributes() == {"id": "1"}
    assert gb.is_on("f") is True
    gb.destroy()


# MARK: the methods


FEATURES = {
    "t": {"defaultValue": True},
    "n": {"defaultValue": None},
    "i": {"defaultValue": 7},
    "big": {"defaultValue": 123456789012345678901234567890},
    "neg": {"defaultValue": -98765432109876543210},
    "d": {"defaultValue": 2.5},
    "s": {"defaultValue": "héllo"},
    "empty": {"defaultValue": ""},
    "a": {"defaultValue": [1, {"x": None}]},
    "o": {"defaultValue": {"k": [True]}},
    "force": {"defaultValue": 0, "rules": [{"id": "r1", "condition": {"country": "US"}, "force": 3}]},
    "exp": {"defaultValue": "c", "rules": [{"id": "r2", "key": "e", "variations": ["v0", "v1"]}]},
}


def test_values_of_every_type():
    gb = GrowthBook(attributes={"id": "1", "country": "US"}, features=FEATURES)
    expected = {"t": True, "n": None, "i": 7, "big": 123456789012345678901234567890,
                "neg": -98765432109876543210, "d": 2.5, "s": "héllo", "empty": "", "a": [1, {"x": None}],
                "o": {"k": [True]}, "force": 3, "missing": None}
    for key, value in expected.items():
        assert gb.get_feature_value(key, "fb") == (value if value is not None else "fb")
        r = gb.eval_feature(key)
        assert r.value == value and type(r.value) is type(value)
        assert r.on is bool(value) and r.off is not bool(value)
        assert gb.is_on(key) is bool(value) and gb.is_off(key) is not bool(value)
    r = gb.eval_feature("force")
    assert (r.source, r.ruleId, r.experiment, r.experimentResult) == ("force", "r1", None, None)
    r = gb.eval_feature("exp")
    assert r.source == "experiment" and r.ruleId == "r2"
    assert r.experiment.key == "e" and r.experimentResult.value == r.value
    assert gb.eval_feature("missing").source == "unknownFeature"
    gb.destroy()


def test_keyword_arguments_and_errors():
    gb = GrowthBook(features=FEATURES)
    assert gb.is_on(key="t") is True
    assert gb.isOff(key="t") is False
    assert gb.get_feature_value(key="i", fallback=None) == 7
    assert gb.get_feature_value("n", fallback=5) == 5
    assert gb.eval_feature(key="s").value == "héllo"
    for bad in (1, None, b"t"):
        with pytest.raises(TypeError, match="feature key must be a str"):
            gb.is_on(bad)
        with pytest.raises(TypeError, match="feature key must be a str"):
            gb.eval_feature(bad)
    with pytest.raises(TypeError):
        gb.is_on()
    with pytest.raises(TypeError):
        gb.is_on("t", "u")
    with pytest.raises(TypeError):
        gb.get_feature_value("t")
    with pytest.raises(TypeError):
        gb.is_on(name="t")
    with pytest.raises(UnicodeEncodeError):
        gb.is_on("\ud800")
    gb.destroy()


def test_copy_and_pickle_are_refused():
    gb = GrowthBook(features=FEATURES)
    for f in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="cannot be copied or pickled"):
            f(gb)
    assert gb.is_on("t")
    gb.destroy()


def test_destroyed_then_used_again():
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    assert gb.eval_feature("t").value is True
    gb.destroy()
    assert gb.eval_feature("t").value is None
    assert gb.get_feature_value("t", 5) == 5
    gb.destroy()
    gb.set_attributes({"country": "US"})
    gb.set_features(FEATURES)
    assert gb.get_feature_value("force", None) == 3
    gb.destroy()


def test_evaluation_inside_a_tracking_callback():
    """A callback that evaluates on the same thread while the outer evaluation's result is
    still in its buffer: both results are right."""
    inner = []

    def track(experiment, result):
        inner.append((gb.eval_feature("s").value, gb.get_feature_value("a", None)))

    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES, on_experiment_viewed=track)
    r = gb.eval_feature("exp")
    assert inner == [("héllo", [1, {"x": None}])]
    assert r.source == "experiment" and r.value in ("v0", "v1") and r.experimentResult.value == r.value
    gb.destroy()


def test_destroy_inside_a_tracking_callback():
    def track(experiment, result):
        gb.destroy()
        gc.collect()

    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES, on_experiment_viewed=track)
    r = gb.eval_feature("exp")  # the handle lives until the call returns
    assert r.value in ("v0", "v1")
    assert gb.eval_feature("exp").value is None
    gb.destroy()


# MARK: attributes edited in place (the fingerprint)


def test_in_place_edits_of_the_deprecated_user():
    user = {"id": "u", "country": "US"}
    gb = GrowthBook(user=user, features=FEATURES)
    assert gb.get_feature_value("force", None) == 3
    user["country"] = "FR"
    assert gb.get_feature_value("force", None) == 0
    gb.destroy()


def test_in_place_edits_deep_and_in_tuples():
    feats = {"f": {"defaultValue": 0, "rules": [{"condition": {"t": {"$elemMatch": {"x": 2}}}, "force": 1}]},
             "g": {"defaultValue": 0, "rules": [{"condition": {"l": {"$size": 3}}, "force": 1}]}}
    inner = {"x": 1}
    attrs = {"t": (0, inner), "l": [[1], [2]]}
    gb = GrowthBook(attributes=attrs, features=feats)
    assert gb.get_feature_value("f", None) == 0
    inner["x"] = 2  # inside a tuple
    assert gb.get_feature_value("f", None) == 1
    assert gb.get_feature_value("g", None) == 0
    attrs["l"].append([3])
    assert gb.get_feature_value("g", None) == 1
    attrs["l"][0] = [9]  # same length, another child
    assert gb.get_feature_value("g", None) == 1
    gb.destroy()


def test_unchanged_attributes_record_nothing_new():
    attrs = {"id": "1", "country": "US", "age": 30, "browser": "x", "beta": True}
    gb = GrowthBook(attributes=attrs, features=FEATURES)
    assert gb._fp_changed() is False
    attrs["age"] = 31
    assert gb._fp_changed() is True
    gb.is_on("t")
    assert gb._fp_changed() is False
    gb.set_attributes(dict(attrs))  # equal: not sent again, still recorded as the new dict
    assert gb._fp_changed() is False
    gb.destroy()


def test_an_in_place_edit_the_library_refuses_raises():
    attrs = {"id": "1"}
    gb = GrowthBook(attributes=attrs, features=FEATURES)
    attrs["bad"] = object()
    with pytest.raises(TypeError):
        gb.is_on("t")
    del attrs["bad"]
    assert gb.is_on("t") is True
    gb.destroy()


def test_fingerprint_holds_what_it_compares():
    """The recorded children are held: a value freed and another allocated at its address
    cannot pass for it."""
    attrs = {"id": "1", "country": "U" + "K"}
    gb = GrowthBook(attributes=attrs, features={
        "uk": {"defaultValue": False, "rules": [{"condition": {"country": "UK"}, "force": True}]}})
    assert gb.is_on("uk") is True
    for _ in range(1000):
        attrs["country"] = "".join(["U", "S"])
        assert gb.is_on("uk") is False
        attrs["country"] = "".join(["U", "K"])
        assert gb.is_on("uk") is True
    gb.destroy()


# MARK: threads


def test_threads_hammer_the_calls_while_others_destroy_and_set():
    feats = {"f": {"defaultValue": 1, "rules": [{"condition": {"country": "US"}, "force": 2}]},
             "e": {"defaultValue": 0, "rules": [{"key": "e", "variations": [10, 11]}]}}
    tracked = []
    gb = GrowthBook(attributes={"id": "1", "country": "US"}, features=feats,
                    on_experiment_viewed=lambda experiment, result: tracked.append(result.variationId))
    stop = threading.Event()
    errors = []

    def reader():
        try:
            while not stop.is_set():
                assert gb.get_feature_value("f", None) in (1, 2, None)
                assert gb.eval_feature("e").value in (0, 10, 11, None)
                assert gb.is_on("f") in (True, False)
                assert gb.isOff("e") in (True, False)
                gb.eval_feature("missing")
        except GrowthBookError:
            pass  # a call racing destroy() may be refused, never crash
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    def writer(n):
        try:
            for i in range(150):
                if i % 7 == n:
                    gb.destroy()
                gb.set_attributes({"id": str(i), "country": "US" if i % 2 else "FR"})
                gb.set_features(feats)
                attrs = gb.get_attributes()
                attrs["country"] = "CA"  # an in-place edit racing the readers
        except GrowthBookError:
            pass
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(120)
    stop.set()
    for t in readers:
        t.join(60)
    assert not any(t.is_alive() for t in readers + writers)
    assert errors == []
    gb.destroy()


def test_many_threads_each_with_a_buffer():
    gb = GrowthBook(attributes={"id": "1"}, features=FEATURES)
    out = []

    def work():
        out.append([gb.eval_feature(k).value for k in ("s", "a", "big", "exp")])

    threads = [threading.Thread(target=work) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(out) == 32 and all(o == out[0] for o in out)
    gb.destroy()


def test_run_after_in_place_edit_and_experiment_objects():
    attrs = {"id": "1", "country": "US"}
    gb = GrowthBook(attributes=attrs)
    exp = Experiment(key="k", variations=["a", "b"], condition={"country": "CA"})
    assert gb.run(exp).inExperiment is False
    attrs["country"] = "CA"
    assert gb.run(exp).inExperiment is True
    gb.destroy()


@pytest.mark.parametrize("versions", [True, False])
def test_python_fingerprint_with_and_without_dict_versions(monkeypatch, versions):
    """The ctypes path's walk (growthbook._fp_nodes/_fp_changed), with dict versions read
    through ctypes where CPython has them and by identities otherwise."""
    if not versions:
        monkeypatch.setattr(gbmod, "_dict_version", None)
    elif gbmod._dict_version is None:
        pytest.skip("no dict versions on this Python")
    inner = {"plan": "free"}
    attrs = {"id": "1", "org": inner, "tags": ["a"], "t": ({"x": 1},)}
    edits = [
        lambda: attrs.__setitem__("id", "2"),
        lambda: inner.__setitem__("plan", "pro"),
        lambda: attrs["tags"].append("b"),
        lambda: attrs["tags"].__setitem__(0, "z"),
        lambda: attrs["t"][0].__setitem__("x", 2),
        lambda: attrs.__setitem__("new", 1),
        lambda: attrs.pop("new"),
        lambda: attrs.__setitem__("org", {"plan": "pro"}),
    ]
    for edit in edits:
        fp = gbmod._fp_nodes(attrs, [])
        assert gbmod._fp_changed(fp) is False
        edit()
        assert gbmod._fp_changed(fp) is True, edit
    fp = gbmod._fp_nodes(attrs, [])
    attrs["id"] = attrs["id"]  # the very same value again: nothing changed
    assert gbmod._fp_changed(fp) is False


def test_fingerprint_tells_edits_in_place_on_either_path():
    from growthbook_native.growthbook import Fingerprint, _PyFingerprint

    for make in {Fingerprint, _PyFingerprint}:
        tags = ["a"]
        attrs = {"id": 1, "tags": tags, "t": ({"x": 1},)}
        other = {}
        fp = make(attrs, other)
        assert not fp.changed()
        attrs["id"] = 1  # the same object again
        assert not fp.changed()
        attrs["id"] = True  # equal (1 == True), not the same
        assert fp.changed()
        fp = make(attrs, other)
        tags.append("b")
        assert fp.changed()
        fp = make(attrs, other)
        attrs["t"][0]["x"] = 2  # a dict inside a tuple
        assert fp.changed()
        fp = make(attrs, other)
        other["k"] = 1  # a second root
        assert fp.changed()
        deep = []
        for _ in range(600):
            deep = [deep]
        with pytest.raises(ValueError):
            make({"d": deep})
