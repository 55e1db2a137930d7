"""The ABI's numbers are the header's: include/growthbook.h is parsed, and its GB_* enum members
and integer macros compared, both ways, with growthbook_native._abi (the binding's copy) and with
the raw-value enums of the library's Swift C layer (Sources/GrowthBookC), whose values the
library returns (Tests/c/test_abi_constants.c checks those through the library itself)."""

import json
import logging
import os
import re

import pytest

from growthbook_native import GrowthBook, _abi, _lib

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HEADER = os.path.join(REPO, "include", "growthbook.h")
SWIFT_C_LAYER = os.path.join(REPO, "Sources", "GrowthBookC")


def _strip_comments(text):
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", " ", text, flags=re.S))


def header_constants():
    """{name: int or str} for every GB_* enum member and integer or string #define of the
    header (but GB_VERSION)."""
    with open(HEADER) as f:
        text = _strip_comments(f.read())
    constants = {}

    def add(name, value, where):
        try:
            number = int(value, 0)
        except ValueError:
            raise AssertionError("%s: %s = %r is not an integer literal this test can read" % (where, name, value))
        assert name not in constants, "%s defined twice in the header" % name
        constants[name] = number

    for body in re.findall(r"\benum\b[^{;]*\{([^}]*)\}", text):
        for member in body.split(","):
            member = member.strip()
            if not member:
                continue
            m = re.fullmatch(r"(\w+)\s*=\s*(.+)", member, flags=re.S)
            assert m, "enum member without an explicit value: %r (the ABI's numbers are written out)" % member
            if m.group(1).startswith("GB_"):
                add(m.group(1), m.group(2).strip(), "enum")
    for name, value in re.findall(r"^\s*#\s*define\s+(GB_\w+)[ \t]+([^\n]+)", text, flags=re.M):
        value = value.strip()
        if value.startswith('"'):
            if name != "GB_VERSION":  # the library's version, not an ABI constant
                m = re.match(r'"([^"\\]*)"', value)
                assert m, "%s: %r is not a plain string literal this test can read" % (name, value)
                assert name not in constants, "%s defined twice in the header" % name
                constants[name] = m.group(1)
            continue
        add(name, value, "#define")
    return constants


def test_header_parsed():
    constants = header_constants()
    # Every group the header defines is found (a parser that finds nothing would prove nothing).
    for name in ("GB_ABI_VERSION", "GB_OK", "GB_ERR_INTERNAL", "GB_LOG_ERROR", "GB_VALUE_OBJECT",
                 "GB_SOURCE_CYCLIC_PREREQUISITE", "GB_SUMMARY_ON", "GB_SEMANTICS_JS"):
        assert name in constants


def test_python_constants_are_the_headers():
    header = header_constants()
    python = {name: getattr(_abi, name) for name in dir(_abi) if name.startswith("GB_")}
    missing = sorted(set(header) - set(python))
    extra = sorted(set(python) - set(header))
    different = sorted("%s: header %r, _abi %r" % (n, header[n], python[n])
                       for n in set(header) & set(python) if header[n] != python[n])
    assert not missing, "in include/growthbook.h, not in growthbook_native/_abi.py: %s" % missing
    assert not extra, "in growthbook_native/_abi.py, not in include/growthbook.h: %s" % extra
    assert not different, "values differ: %s" % different


def test_lib_reexports_the_constants():
    for name in dir(_abi):
        if name.startswith("GB_"):
            assert getattr(_lib, name) == getattr(_abi, name), name


def test_log_levels_are_pythons():
    # The binding hands the library's levels to logging.Logger.log as they are.
    assert (_abi.GB_LOG_DEBUG, _abi.GB_LOG_INFO, _abi.GB_LOG_WARNING, _abi.GB_LOG_ERROR) == (
        logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR)


def test_sources_named_as_the_library_names_them():
    # eval_feature names the source from the summary's GB_SOURCE_* code; gb_eval_feature_json
    # names it itself.
    features = {
        "gated": {"defaultValue": 1, "rules": [
            {"parentConditions": [{"id": "off", "condition": {"value": True}, "gate": True}], "force": 2}]},
        "off": {"defaultValue": False},
        "forced": {"defaultValue": 0, "rules": [{"force": 1}]},
        "exp": {"defaultValue": 0, "rules": [{"key": "e", "variations": [0, 1]}]},
        "a": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "b", "condition": {"value": 1}}], "force": 2}]},
        "b": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "a", "condition": {"value": 1}}], "force": 2}]},
    }
    gb = GrowthBook(attributes={"id": "1"}, features=features)
    seen = set()
    for key in ("unknown", "off", "forced", "exp", "gated", "a"):
        native = json.loads(_lib.take_string(_lib.gb_eval_feature_json(gb._handle(), key.encode())))["source"]
        assert gb.eval_feature(key).source == native, key
        seen.add(native)
    assert seen == set(_lib.SOURCES)
    gb.destroy()


# The Swift enums mirroring the header: (file, Swift declaration, header prefix, case -> name
# exceptions). A case name maps to the prefix plus its camelCase in upper snake case.
SWIFT_ENUMS = [
    ("ErrorCode.swift", "enum ErrorCode", "GB_ERR_", {"ok": "GB_OK", "internalError": "GB_ERR_INTERNAL"}),
    ("ValueType.swift", "enum ValueType", "GB_VALUE_", {}),
    ("SourceCode.swift", "enum SourceCode", "GB_SOURCE_", {}),
    ("LogLevelCode.swift", "enum LogLevelCode", "GB_LOG_", {}),
    ("EvalSummary.swift", "enum EvalSummary", "GB_SUMMARY_", {}),
]


def _upper_snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip("`")).upper()


def swift_constants(path, declaration):
    """{case or static let name: int} of the Swift declaration in `path`."""
    with open(path) as f:
        text = _strip_comments(f.read())
    start = text.index(declaration)
    body = text[text.index("{", start):]
    values = {}
    for name, value in re.findall(r"^\s*case\s+(`?\w+`?)\s*=\s*(-?(?:0x[0-9A-Fa-f]+|\d+))\s*$", body, flags=re.M):
        values[name.strip("`")] = int(value, 0)
    for name, value in re.findall(r"^\s*static\s+let\s+(\w+)\s*:\s*Int32\s*=\s*(-?(?:0x[0-9A-Fa-f]+|\d+))\s*$",
                                  body, flags=re.M):
        values[name] = int(value, 0)
    return values


@pytest.mark.skipif(not os.path.isdir(SWIFT_C_LAYER), reason="the library's Swift sources are not here")
@pytest.mark.parametrize("file,declaration,prefix,exceptions", SWIFT_ENUMS, ids=[e[1] for e in SWIFT_ENUMS])
def test_swift_enums_are_the_headers(file, declaration, prefix, exceptions):
    header = header_constants()
    swift = {exceptions.get(name, prefix + _upper_snake(name)): value
             for name, value in swift_constants(os.path.join(SWIFT_C_LAYER, file), declaration).items()}
    group = {n: v for n, v in header.items() if n.startswith(prefix) or n in exceptions.values()}
    assert swift, "no cases found in %s" % file
    assert swift == group, "%s (%s) differs from include/growthbook.h:\n swift  %s\n header %s" % (
        declaration, file, sorted(swift.items()), sorted(group.items()))


def test_semantics_names_are_the_librarys():
    """Every GB_SEMANTICS_* name is one gb_create accepts (and another is refused)."""
    names = [v for k, v in header_constants().items() if k.startswith("GB_SEMANTICS_")]
    assert sorted(names) == ["js", "python-1.1.0"]
    for name in names:
        GrowthBook(semantics=name).destroy()
    with pytest.raises(Exception):
        GrowthBook(semantics="python")
