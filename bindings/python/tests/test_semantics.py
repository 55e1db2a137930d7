"""The `semantics` constructor option reaches gb_create's options JSON (and is left out when
not given, so the library's default applies)."""

import json

import pytest

import growthbook_native
from growthbook_native import GrowthBook, _lib


@pytest.fixture
def created(monkeypatch):
    seen = []
    real = _lib.gb_create

    def spy(options):
        seen.append(json.loads(options.decode("utf-8")))
        return real(options)

    monkeypatch.setattr(_lib, "gb_create", spy)
    return seen


@pytest.mark.parametrize("semantics", ["js", "python-1.1.0"])
def test_semantics_is_sent(created, semantics):
    gb = GrowthBook(attributes={"id": "1"}, features={"f": {"defaultValue": 1}}, semantics=semantics)
    assert created[-1]["semantics"] == semantics
    assert gb.semantics == semantics
    assert gb.get_feature_value("f", None) == 1


def test_the_binding_defaults_to_python_1_1_0(created):
    # growthbook_native stands in for growthbook 1.1.0, so its default is 1.1.0's rules (the C
    # library's own default is "js").
    gb = GrowthBook(attributes={"id": "1"})
    assert created[-1]["semantics"] == "python-1.1.0"
    assert gb.semantics == "python-1.1.0"
    # 1.1.0 decides by $or alone; JS ANDs every key
    assert growthbook_native.evalCondition({"a": 1, "b": 3}, {"$or": [{"a": 1}], "b": 2}) is True
    assert growthbook_native.evalCondition({"a": 1, "b": 3}, {"$or": [{"a": 1}], "b": 2}, semantics="js") is False


def test_semantics_must_be_a_string():
    with pytest.raises(TypeError):
        GrowthBook(semantics=1)


def test_semantics_is_the_last_argument():
    # 1.1.0's positional arguments keep their places.
    import inspect

    params = list(inspect.signature(growthbook_native.GrowthBook.__init__).parameters)
    assert params[-1] == "semantics"
