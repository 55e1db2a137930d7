#!/usr/bin/env python3
"""Writes Sources/GrowthBookCore/RegexTablesPython.swift: the character data of Python 3.11's
`re` (str patterns) that the Python regex dialect translates into explicit PCRE2 classes, so
that matching does not depend on PCRE2's (or Swift's) Unicode version.

Every table is read from the running interpreter's own `re`, `_sre` and `str` (run it with the
reference's Python, Debian bookworm's python3 3.11; the file records which version wrote it):

  word, digit, space      the code points `\\w`, `\\d`, `\\s` match (re.match on each one)
  lower, upper            sre's case mappings (_sre.unicode_tolower; the first code point of
                          str.upper(), which is what sre_upper_unicode gives)
  extraCases              re._casefix._EXTRA_CASES (IGNORECASE's extra equivalences)
  identifierStart/Continue  str.isidentifier() of one code point, first and later (group names)
  decimalRuns             the first code point of each run of ten decimal digits 0-9 (int())
  unnamed, cjkUnified     what \\N{...} needs beside Swift's own character names (which are
                          Unicode's, immutable once assigned): the assigned code points
                          unicodedata has no name for, the ideographs it names by rule
  nameAliases             the aliases unicodedata.lookup() accepts (NameAliases.txt): the
                          candidates from Perl's Unicode 14 name list (Debian's perl-modules,
                          unicore/Name.pl), each kept only if lookup() gives that character

    python3 scripts/gen_regex_tables_python.py > Sources/GrowthBookCore/RegexTablesPython.swift
"""
import re
import sys
import unicodedata

import _sre
from re import _casefix

MAX = 0x110000


def ranges(pred):
    out, start = [], None
    for c in range(MAX):
        if pred(c):
            if start is None:
                start = c
        elif start is not None:
            out.append((start, c - 1))
            start = None
    if start is not None:
        out.append((start, MAX - 1))
    return out


def _has_name(c):
    try:
        unicodedata.name(chr(c))
        return True
    except ValueError:
        return False


def _aliases(path="/usr/share/perl/5.36/unicore/Name.pl"):
    """(alias, code point): Perl's name list (names and aliases, Unicode 14), minus the primary
    names, each checked with unicodedata.lookup()."""
    text = open(path, encoding="ascii").read()
    assert "Version 14.0.0" in text, "Name.pl is not Unicode 14.0.0"
    body = text.split("return <<'END';\n", 1)[1].split("\nEND\n", 1)[0]
    out = set()
    for entry in body.split("\n\n"):
        lines = entry.strip().split("\n")
        if len(lines) != 2 or " " in lines[0]:
            continue  # named sequences
        c, name = int(lines[0], 16), lines[1]
        if unicodedata.name(chr(c), None) == name:
            continue
        try:
            if unicodedata.lookup(name) == chr(c):
                out.add((name, c))
        except KeyError:
            pass
    return sorted(out, key=lambda a: (a[1], a[0]))


def main():
    W, D, S = re.compile(r"\w"), re.compile(r"\d"), re.compile(r"\s")
    word = ranges(lambda c: W.match(chr(c)) is not None)
    digit = ranges(lambda c: D.match(chr(c)) is not None)
    space = ranges(lambda c: S.match(chr(c)) is not None)
    lower = [(c, _sre.unicode_tolower(c)) for c in range(MAX) if _sre.unicode_tolower(c) != c]
    upper = [(c, ord(chr(c).upper()[0])) for c in range(MAX) if ord(chr(c).upper()[0]) != c]
    lower_d, upper_d = dict(lower), dict(upper)
    # The translator derives iscased from the two maps, and counts on lowering keeping \w, \d
    # and \s membership (a class's categories are tested on the lowered character).
    for c in range(MAX):
        assert _sre.unicode_iscased(c) == (c in lower_d or c in upper_d), hex(c)
        lc = chr(lower_d.get(c, c))
        for p in (W, D, S):
            assert (p.match(chr(c)) is None) == (p.match(lc) is None), hex(c)
    # \d is the decimal digits, in runs of ten from 0: int() reads a digit as its place in its run.
    runs = []
    for lo, hi in digit:
        assert (hi - lo + 1) % 10 == 0, hex(lo)
        for start in range(lo, hi + 1, 10):
            for k in range(10):
                assert unicodedata.decimal(chr(start + k)) == k and chr(start + k).isdecimal()
            runs.append(start)
    assert all(not chr(c).isdecimal() for c in range(MAX) if D.match(chr(c)) is None)
    ident_start = ranges(lambda c: chr(c).isidentifier())
    ident_cont = ranges(lambda c: ("a" + chr(c)).isidentifier())
    unnamed = ranges(lambda c: unicodedata.category(chr(c)) != "Cn" and not _has_name(c))
    cjk = ranges(lambda c: unicodedata.name(chr(c), "").startswith("CJK UNIFIED IDEOGRAPH-"))
    aliases = _aliases()
    extra = []
    for k in sorted(_casefix._EXTRA_CASES):
        v = _casefix._EXTRA_CASES[k]
        extra += [k, len(v)] + list(v)

    def flat(name, doc, pairs):
        values = [x for p in pairs for x in p]
        lines = ["    /// " + d for d in doc]
        lines.append("    static let %s: [UInt32] = [" % name)
        row = []
        for v in values:
            row.append("0x%X" % v)
            if len(row) == 12:
                lines.append("        " + ", ".join(row) + ",")
                row = []
        if row:
            lines.append("        " + ", ".join(row) + ",")
        lines.append("    ]")
        return "\n".join(lines)

    out = sys.stdout
    out.write("// Generated by scripts/gen_regex_tables_python.py from Python %s's re (Unicode %s).\n"
              % (sys.version.split()[0], unicodedata.unidata_version))
    out.write("// Do not edit; run the script again with the reference's Python instead.\n\n")
    out.write("/// The character data of Python 3.11's `re` for str patterns (`RegexDialectPython`).\n")
    out.write("enum PythonRegexTables {\n")
    out.write("    static let unicodeVersion = \"%s\"\n\n" % unicodedata.unidata_version)
    parts = [
        flat("word", ["`\\w` (str.isalnum() or \"_\"): closed ranges, lo and hi in turn."], word),
        flat("digit", ["`\\d` (str.isdecimal())."], digit),
        flat("space", ["`\\s` (str.isspace())."], space),
        flat("lower", ["sre's lower-case mapping where it changes a code point: code point, lower, in turn,",
                       "sorted."], lower),
        flat("upper", ["sre's upper-case mapping (the first code point of str.upper()) where it changes one."],
             upper),
        flat("extraCases", ["re._casefix._EXTRA_CASES: a lower-case code point, the number of extras, the",
                            "extras; sorted."], [tuple(extra)]),
        flat("identifierStart", ["Code points str.isidentifier() accepts first."], ident_start),
        flat("identifierContinue", ["Code points str.isidentifier() accepts after the first."], ident_cont),
        flat("decimalRuns", ["The first code point (digit zero) of each run of ten decimal digits."],
             [tuple(runs)]),
    ]
    parts.append(flat("unnamed", ["Assigned code points unicodedata has no name for (controls, private use, Tangut",
                                  "ideographs...)."], unnamed))
    parts.append(flat("cjkUnified", ["The code points named CJK UNIFIED IDEOGRAPH-XXXX (unicodedata's is_unified_ideograph)."],
                      cjk))
    lines = ["    /// The name aliases unicodedata.lookup() accepts, upper case, and their code points.",
             "    static let nameAliases: [(String, UInt32)] = ["]
    for name, c in aliases:
        lines.append('        ("%s", 0x%X),' % (name, c))
    lines.append("    ]")
    parts.append("\n".join(lines))
    out.write("\n\n".join(parts))
    out.write("\n}\n")


if __name__ == "__main__":
    main()
