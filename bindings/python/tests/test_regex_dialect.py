"""The Python regex dialect against Python's own `re` (docs/semantics.md, row 27).

growthbook 1.1.0 evaluates {"s": {"$regex": p}} as bool(re.compile(p).search(s)), False on any
exception. regexgen.py generates a few thousand patterns (every construct of the dialect, by
hand and at random, and random noise for the error paths) with subjects chosen to tell
translations apart; the library's python-1.1.0 profile must give the same answer for every
pair, except those EXCLUDED names (each with its reason: what the translation cannot make
exact). The oracle is `re` of a Python 3.11 (the reference runs on Debian bookworm's python3):
$GROWTHBOOK_REGEX_ORACLE_PYTHON, else /usr/bin/python3 if it is 3.11, else this interpreter if it
is; the test is skipped without one.

    python3 bindings/python/tests/test_regex_dialect.py [--show N]   # the report, without pytest
"""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import regexgen  # noqa: E402

ORACLE = r"""
import json, re, sys, warnings
from re import _compiler, _constants, _parser
warnings.simplefilter("ignore")


def general_possessive(items):
    # Whether sre compiles a POSSESSIVE_REPEAT of a subpattern that is not one character (the
    # opcode CPython 3.11.0-3.11.4 got wrong; 3.11.5 compiles possessive repeats as atomic
    # groups instead).
    for op, av in items:
        if op is _constants.POSSESSIVE_REPEAT and not _compiler._simple(av[2]):
            return True
        for a in (av if isinstance(av, (tuple, list)) else [av]):
            if isinstance(a, _parser.SubPattern) and general_possessive(a.data):
                return True
            if isinstance(a, list) and any(isinstance(x, _parser.SubPattern) and general_possessive(x.data) for x in a):
                return True
    return False


def ci_backref(items, flags):
    # Whether a backreference is compared case-insensitively (sre's GROUPREF_(UNI_)IGNORE).
    for op, av in items:
        if op is _constants.GROUPREF and flags & re.IGNORECASE:
            return True
        if op is _constants.SUBPATTERN:
            f = _compiler._combine_flags(flags, av[1], av[2])
            if ci_backref(av[3].data, f):
                return True
            continue
        for a in (av if isinstance(av, (tuple, list)) else [av]):
            if isinstance(a, _parser.SubPattern) and ci_backref(a.data, flags):
                return True
            if isinstance(a, list) and any(isinstance(x, _parser.SubPattern) and ci_backref(x.data, flags) for x in a):
                return True
    return False


cases = json.load(sys.stdin)
old = sys.version_info < (3, 11, 5)
out, possessive, cibackref = [], [], []
for p, subjects in cases:
    try:
        r = re.compile(p)
    except Exception:          # re.error, OverflowError, ValueError, RecursionError: False
        out.append([False] * len(subjects))
        possessive.append(False)
        cibackref.append(False)
        continue
    parsed = _parser.parse(p)
    possessive.append(old and general_possessive(parsed.data))
    cibackref.append(ci_backref(parsed.data, parsed.state.flags))
    row = []
    for s in subjects:
        try:
            row.append(bool(r.search(s)))
        except Exception:
            row.append(False)
    out.append(row)
json.dump({"version": sys.version.split()[0], "results": out, "possessive": possessive, "cibackref": cibackref},
          sys.stdout)
"""

# What the translation cannot make exact: (name, reason, predicate(pattern, subject, oracle
# facts about the pattern)). Each predicate is as narrow as the cause. Never add an entry to
# make a run pass: fix the translator instead wherever it can be fixed.
def nesting(p):
    """How deep groups nest in p (escapes and classes skipped; enough for the generated cases)."""
    depth = best = 0
    i, in_class = 0, False
    while i < len(p):
        c = p[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if p[i + 1:i + 2] == "]":
                i += 1
        elif c == "(":
            depth += 1
            best = max(best, depth)
        elif c == ")":
            depth -= 1
        i += 1
    return best


def counted_capture(p):
    """A capturing group repeated more than 65535 times (the library refuses it)."""
    import re as _re
    return any(int(n) > 65535 for n in _re.findall(r"\)\{(?:\d*,)?(\d+)\}", p)) and "(" in p.replace("(?:", "")


EXCLUDED = [
    # The translators recurse once per level, so the library bounds nesting at 128 levels
    # (RegexDialect.maxDepth, as JSON.maxDepth) and refuses deeper patterns; Python compiles
    # them until its recursion limit (about 495 levels, depending on the caller's stack).
    ("nesting deeper than 128 levels",
     "the library refuses patterns nested deeper than RegexDialect.maxDepth",
     lambda p, s, facts: nesting(p) > 128),
    # PCRE2 counts at most 65535 repeats; a larger count is written with the repeated text
    # copied into nested groups, which a capturing group cannot be (its number would change).
    ("count above 65535 on a capturing group",
     "PCRE2's largest count is 65535 and a capturing group cannot be copied",
     lambda p, s, facts: counted_capture(p)),
    # CPython 3.11.0-3.11.4 (Debian bookworm's 3.11.2 among them) resume after a failed
    # iteration of a possessive repeat where the iteration's own backtracking last left sre's
    # position, not where the iteration started (gh-100061, gh-106052; fixed in 3.11.5, which
    # compiles X*+ as (?>X*)): '(?<=[a-z])*+b' does not find 'b' in '}b', 'x(?<=[0-9])*+x'
    # matches 'x' alone. The library follows the language (X*+ is (?>X*)), as 3.11.5+ does;
    # the oracle marks the patterns whose compiled form has that opcode, on those versions only.
    ("possessive repeat of a subpattern, CPython < 3.11.5",
     "sre's POSSESSIVE_REPEAT restores the position wrongly after a failed iteration (gh-100061)",
     lambda p, s, facts: facts["possessive"]),
    # A backreference under IGNORECASE compares the captured text character by character:
    # sre by lower() (so '\u017f' is not 's', '\u03c2' not '\u03c3', and under (?a) '\u00e9'
    # not '\u00c9'), PCRE2 by its Unicode case sets. No class can stand for text captured at
    # match time, so the translation uses PCRE2's caseless backreference; on ASCII subjects the
    # two agree (in both modes), on others they may not.
    ("case-insensitive backreference, non-ASCII subject",
     "PCRE2 compares a caseless backreference by Unicode case sets, sre by lower()",
     lambda p, s, facts: facts["cibackref"] and not s.isascii()),
]


def oracle_python():
    override = os.environ.get("GROWTHBOOK_REGEX_ORACLE_PYTHON")
    if override:
        return override
    for py in ("/usr/bin/python3", sys.executable):
        try:
            v = subprocess.run([py, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
                               capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if v.stdout.strip() == "True":
            return py
    return None


def run_oracle(py, cases):
    r = subprocess.run([py, "-c", ORACLE], input=json.dumps(cases), capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("oracle failed: %s" % r.stderr[-2000:])
    return json.loads(r.stdout)


def library_results(cases):
    import growthbook_native

    out = []
    for p, subjects in cases:
        cond = {"s": {"$regex": p}}
        out.append([growthbook_native.evalCondition({"s": s}, cond, semantics="python-1.1.0") for s in subjects])
    return out


def excluded_by(p, s, facts):
    for name, _, pred in EXCLUDED:
        if pred(p, s, facts):
            return name
    return None


def compare(cases, oracle, got):
    """(pairs compared, mismatches [(pattern, subject, expected, got)], excluded counts by name)"""
    mismatches, excluded, total = [], {}, 0
    for (p, subjects), exp_row, possessive, cibackref, got_row in zip(
            cases, oracle["results"], oracle["possessive"], oracle["cibackref"], got):
        facts = {"possessive": possessive, "cibackref": cibackref}
        for s, e, g in zip(subjects, exp_row, got_row):
            total += 1
            if e == g:
                continue
            name = excluded_by(p, s, facts)
            if name:
                excluded[name] = excluded.get(name, 0) + 1
            else:
                mismatches.append((p, s, e, g))
    return total, mismatches, excluded


@pytest.fixture(scope="module")
def differential():
    py = oracle_python()
    if not py:
        pytest.skip("no Python 3.11 for the oracle (set GROWTHBOOK_REGEX_ORACLE_PYTHON)")
    cases = regexgen.generate()
    oracle = run_oracle(py, cases)
    return cases, oracle, library_results(cases)


def test_python_dialect_matches_re(differential, request):
    cases, oracle, got = differential
    total, mismatches, excluded = compare(cases, oracle, got)
    summary = "[regex-dialect] python %s: %d patterns, %d pairs, %d mismatches, excluded %s" % (
        oracle["version"], len(cases), total, len(mismatches), excluded or "none")
    request.config._growthbook_regex_dialect = [summary]  # printed at the end (conftest.py)
    print(summary)
    assert not mismatches, "\n".join("%r on %r: re %s, library %s" % m for m in mismatches[:40])


def test_exclusions_name_real_cases(differential):
    """Every exclusion still applies to some generated pair where the results differ: an entry
    whose cause is fixed must go."""
    cases, oracle, got = differential
    _, _, excluded = compare(cases, oracle, got)
    stale = [name for name, _, _ in EXCLUDED if name not in excluded
             and not (name.endswith("CPython < 3.11.5") and not any(oracle["possessive"]))]
    assert not stale, "exclusions that no longer exclude anything: %s" % stale


def main(argv):
    show = int(argv[argv.index("--show") + 1]) if "--show" in argv else 30
    py = oracle_python()
    if not py:
        print("no Python 3.11 oracle")
        return 2
    cases = regexgen.generate()
    oracle = run_oracle(py, cases)
    total, mismatches, excluded = compare(cases, oracle, library_results(cases))
    print("python %s: %d patterns, %d pairs, %d mismatches, excluded %s" % (
        oracle["version"], len(cases), total, len(mismatches), excluded))
    by_pattern = {}
    for p, s, e, g in mismatches:
        by_pattern.setdefault(p, []).append((s, e, g))
    print("%d patterns mismatch" % len(by_pattern))
    for p, rows in list(by_pattern.items())[:show]:
        print("  %r: %s" % (p, ", ".join("%r re=%s lib=%s" % r for r in rows[:4])))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(HERE)))
    sys.exit(main(sys.argv))
