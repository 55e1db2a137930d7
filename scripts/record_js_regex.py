#!/usr/bin/env python3
"""Records what JavaScript's RegExp answers for a few thousand patterns and subjects into
Tests/fixtures/regex-js.json, the table the JavaScript regex dialect is tested against in CI
(Tests/GrowthBookRegexTests/RegexJSFixtureTests.swift; node is not needed there).

For each pattern p and subject s it records new RegExp(p).test(s) and new RegExp(p, "i").test(s)
(what the JS SDK evaluates for $regex and $regexi), and whether new RegExp(p) throws. The
patterns cover the dialect's syntax (Annex B escapes, octal and backreference rules, classes,
quantifiers and braces, groups, names, lookarounds of fixed and variable length, case
folding, code units outside the BMP) by hand, at random and as random noise; the subjects
include non-ASCII and non-BMP text, newlines and case variants. Deterministic: the same node
gives the same file.

    python3 scripts/record_js_regex.py [--node node] [--out Tests/fixtures/regex-js.json]
"""

import argparse
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

SPECIAL = [
    "a", "b", "c", "x", "A", "B", "X", "k", "K", "s", "S", "i", "I", "0", "1", "9", "_", "-", " ", "\n", "\r",
    "\t", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u1680", "\u180e", "\u2028", "\u2029", "\u3000", "\ufeff",
    "\u00e9", "\u00c9", "\u00df", "\u1e9e", "\u0131", "\u0130", "\u017f", "\u212a", "\u00b5", "\u03bc", "\u039c",
    "\u03a3", "\u03c3", "\u03c2", "\u01c5", "\u01c4", "\u01c6", "\u0345", "\u03b9", "\u1fbe", "\u0661", "\uff21",
    "\uff41", "\u0300", "\u4e00", "\U0001F600", "\U00010400", "\U00010428", "\U0001D7CE", "\U00020000",
    "$", ".", "*", "[", "]", "{", "}", "(", ")", "|", "\\", "^", "?", "+", "/", ":", ",", "<", ">",
]

SUBJECTS = [
    "", "a", "abc", "ABC", "aBc", "x_1", "a b", "a\n", "\n", "a\nb", "ab\n", "\r\n", "aab", "aaa", "ba", "ab",
    "abab", "123", "a1b2", " ", "\t", "\xa0", "\u2028", "\u3000", "\ufeff", "\u180e", "\x1c", "\u00e9",
    "\u00c9", "caf\u00e9", "\u00df", "SS", "\u1e9e", "\u0131", "\u0130", "iI", "\u017f", "sS", "\u212a", "kK",
    "\u03c3\u03c2\u03a3", "\u00b5\u03bc", "\U0001F600", "a\U0001F600b", "\U0001F600\U0001F600", "\U00010400",
    "\U00010428", "$", "a$", "a.b", "{1}", "a{,5}", "x{,5}", "]", "-", "\\", "\\c", "^", "(a)", "k", "u" * 41,
    "\x01", "\x08", "\x1f", " 0", "\x00", "\x008", "8", "user@example.com", "https://www.example.com/path?q=1",
]

CURATED = [
    # Annex B escapes
    "\\X", "\\K", "\\h", "\\z", "\\Z", "\\A", "\\a", "\\e", "\\p{L}", "\\P{L}", "\\q", "\\y", "\\-", "\\/", "\\ ",
    "\\c", "\\cA", "\\cj", "\\c1", "\\c_", "\\c\\", "[\\c]", "[\\c_]", "[\\c1]", "[\\cA]", "\\x41", "\\x4", "\\x",
    "\\u0041", "\\u004", "\\u", "\\u{41}", "\\u{1F600}", "\\uD83D", "\\uD83D\\uDE00", "^\\uD83D", "\\uDE00$",
    "\\0", "\\00", "\\01", "\\012", "\\08", "\\8", "\\9", "\\18", "\\377", "\\400", "\\777", "[\\0]", "[\\08]",
    "[\\1]", "[\\8]", "[\\377]", "[\\400]", "(a)\\1", "(a)\\2", "\\1(a)", "(a\\1)", "(a\\1)+$", "(a)(b)\\12",
    "(a)\\10", "(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)\\10", "\\k", "\\k<n>", "(?<n>a)\\k<n>", "\\k<n>(?<n>a)",
    "(?<n>a)\\k", "(?<n>a)\\k<m>", "(?<n>a)[\\k]", "[\\k]", "(?<n>a\\k<n>)+$", "(?<n>a)(?<n>b)", "(?<a>x)(?<b>y)\\k<b>",
    # classes
    "[]", "[^]", "[]a]", "[^]a]", "[a-]", "[-a]", "[a-c-e]", "[\\d-z]", "[a-\\d]", "[\\d-\\w]", "[z-a]", "[\\b]",
    "[\\B]", "[\\-]", "[\\]]", "[^\\]]", "[--0]", "[\\w\\s]", "[^\\W\\d]", "[\\s\\S]", "[a", "[\\", "[😀]",
    "^[😀]$", "[^😀]", "[\\uD83D-\\uDBFF]", "[\\uD800-\\uDFFF]", "[^\\uD800-\\uDFFF]", "[\\u00e0-\\u00ff]",
    # braces and quantifiers
    "]", "}", "{", "{1", "{1}", "{,1}", "a{,5}", "x{,5}", "a{}", "a{1", "a{1,", "a{1,2", "a{2,1}", "a{2}{3}",
    "x?{1}", "a**", "x*?+", "(?:x)?+", "a??", "a{1,}?", "a+?", "x{0}", "a{99999999999}", "a{0,99999999999}",
    "a{70000}", "(?:){99999999999}", "(?:a|){3}b", "a|*", "*", "+a", "?",
    # anchors and assertions
    "^$", "^a$", "a$", "$a", "^", "$", "\\b", "\\B", "\\ba", "a\\b", "\\B\\B", "^*", "$+", "\\b+", "(?=a)*a",
    "(?=a){2}", "(?!a)+", "(?=a)?b", "(?<=a)*b", "(?<=a)?", "(?<!a)\\B", "(?<![ab])(?![ab])",
    # groups and lookarounds
    "(?:a)", "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", "(?<=a|bc)d", "(?<=ab|c)d", "(?<=(?:a|bc){2})d",
    "(?<=a+)b", "(?<=^a*)b", "(?<=a{1,3})b", "(?<=a{0,2})b", "(?<=\\b)a", "(?<=\\1(a))b", "(?<=(a)\\1)b",
    "(?<=[😀])", "(?<=.)x", "(?<=..)x", "(?<=.{1,2})x", "(?i:a)", "(?i)a", "(?", "(?<", "(?<a", "(?<a.b>x)",
    "(?<$>x)", "(?<_>x)", "(?<1>x)", "(?<\\u0061>x)\\k<a>", "(?<\\u{61}>x)", "(?<\u00e9>x)", "(?<\U0001D465>x)",
    "(?<\\ud835\\udc65>x)", "(?<a\\u200c>x)", "(", ")", "a)", "(a", "(?:", "|", "||", "a|", "",
    # captures reset per iteration, empty checks
    "(?:(a)|b)+\\1$", "(?:(a)|(b))+\\1\\2", "(a)|\\1b", "(a)?\\1b", "(?=(a))*\\1b", "((a)|b)+\\2", "(a*)*b",
    "(a|)*b", "(?:a|()){2}\\1",
    # case folding with "i" (the recorder also runs every pattern with "i")
    "\u017f", "\u212a", "k", "K", "\u00df", "\u1e9e", "\u0131", "\u0130", "\u03c3", "\u03c2", "\u03a3", "[^a]",
    "\\W", "\\w", "[a-z]", "[^a-z]", "[\u00e0-\u00ff]", "[K-L]", "\u01c5", "\u0345", "\u00b5", "\\u212a",
    "(a)\\1", "(\u00e9)\\1", "(k)\\1", "(\u017f)\\1", "\U00010400", "[\U00010400]",
    # dot and code units outside the BMP
    ".", "^.$", "^..$", "^...$", "😀", "😀+", "^😀+$", "😀{2}", "^\\uD83D\\uDE00$", ".\\uDE00", "^[^a]$",
    "^[^a]{2}$", "^\\S$", "^\\W{2}$", "^\\D\\D$", "(?<=\\uD83D)\\uDE00", "\\uD83D(?=\\uDE00)",
]


# Patterns with the subjects that show what the translation approximates (each exclusion of
# RegexJSFixtureTests has its examples here).
CURATED_WITH_SUBJECTS = [
    ("(?<=(a|aa))b\\1", ["aab", "aaba", "ab"]),          # a lookbehind's captures, matched backwards
    ("(?<=\\1(a))b", ["aab", "ab"]), ("(?<=(a)\\1)b", ["aab", "ab"]),
    ("^(a??)*\\1$", ["a", "aa", ""]),                       # an empty iteration's captures undone
    ("(?:(a)|b)+\\1$", ["ab", "aba"]),                      # captures cleared at each iteration
    ("(\u017f)\\1", ["\u017fs", "\u017fS", "\u017f\u017f"]),  # caseless backreferences
    ("(\u212a)\\1", ["\u212ak", "\u212aK"]), ("(\u00e9)\\1", ["\u00e9\u00c9"]),
    ("(?:a|){70000}", ["", "a"]),  # a count over 65535 on what can be empty
    ("(?<=^a*)b", ["aab", "cab"]), ("(?<=a.*b)c", ["axbc", "bc"]),  # lookbehinds bounded by nothing
    ("(?<=.*@)example", ["user@example.com", "example"]), ("(?<=\\w+)b", ["ab", " b"]),
]


def _lit(rnd):
    c = rnd.choice(SPECIAL)
    if c in "$.*[]{}()|\\^?+/":
        return "\\" + c if rnd.random() < 0.7 else c
    return c


ESCAPES = ["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "\\n", "\\t", "\\x41", "\\u00e9", "\\uD83D",
           "\\uDE00", "\\0", "\\012", "\\cA", "\\c", "\\.", "\\-", "\\X", "\\k", "\\1", "\\2", "\\8", "\\u{41}",
           "\\x4", "\\/", "\\f", "\\v"]
CLASS_ITEMS = ["a", "b", "z", "A", "Z", "0", "9", "_", "-", "a-z", "A-Z", "0-9", "\\d", "\\w", "\\s", "\\D",
               "\\W", "\\S", "\\b", "\\B", "\\n", "\\x41-\\x5a", "\u00e0-\u00ff", "\u00e9", "\u0130", "\u0131", "k",
               "K", "\u212a", "\u017f", "\u00df", "\u03a3", "\u03c3", "😀", "\U00010400", "\\uD83D", "\\uD800-\\uDFFF",
               ".", "$", "^", "[", "\\]", "(", "|", " ", "\\\\", "a-", "-a", "\\c", "\\c1", "\\0", "\\8", "\\-"]
QUANTIFIERS = ["*", "+", "?", "{2}", "{1,2}", "{,2}", "{2,}", "{0}", "*?", "+?", "??", "{1,2}?", "{3}", "{1,", "{"]


def _class(rnd):
    n = rnd.randint(0, 4)
    return "[" + ("^" if rnd.random() < 0.3 else "") + "".join(rnd.choice(CLASS_ITEMS) for _ in range(n)) + "]"


class _Gen:
    def __init__(self, rnd):
        self.rnd, self.groups, self.names = rnd, 0, []

    def atom(self, depth):
        r = self.rnd.random()
        if depth <= 0 or r < 0.35:
            return _lit(self.rnd)
        if r < 0.5:
            return self.rnd.choice(ESCAPES)
        if r < 0.62:
            return _class(self.rnd)
        if r < 0.67:
            return self.rnd.choice([".", "^", "$"])
        if r < 0.72 and self.groups:
            refs = ["\\%d" % self.rnd.randint(1, self.groups)]
            if self.names:
                refs.append("\\k<%s>" % self.rnd.choice(self.names))
            return self.rnd.choice(refs)
        body = self.alt(depth - 1)
        kind = self.rnd.choice(["(", "(", "(?:", "(?<", "(?=", "(?!", "(?<=", "(?<!"])
        if kind == "(":
            self.groups += 1
            return "(" + body + ")"
        if kind == "(?<":
            self.groups += 1
            name = "n%d" % self.groups
            self.names.append(name)
            return "(?<%s>%s)" % (name, body)
        if kind in ("(?<=", "(?<!"):
            body = self.rnd.choice([body, _lit(self.rnd), _class(self.rnd) + _lit(self.rnd), "a|bc", "a{1,3}",
                                    "a+", "\\w{2}", ".", "(?:ab|c)"])
        return kind + body + ")"

    def piece(self, depth):
        a = self.atom(depth)
        if self.rnd.random() < 0.3:
            a += self.rnd.choice(QUANTIFIERS)
        return a

    def seq(self, depth):
        return "".join(self.piece(depth) for _ in range(self.rnd.randint(1, 4)))

    def alt(self, depth):
        s = self.seq(depth)
        while self.rnd.random() < 0.25:
            s += "|" + self.seq(depth)
        return s


NOISE = "()[]{}*+?|^$.\\-,:=!<>k0123acuxBb_\u00e9\U0001F600"


def _subjects_for(rnd, pattern, count):
    chars = [c for c in pattern if c != "\\"] + SPECIAL
    out = []
    for _ in range(count):
        s = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 6)))
        if rnd.random() < 0.3:
            s = s.swapcase()
        out.append(s)
    return out


def generate(seed=20240731, random_count=2000, noise_count=400):
    rnd = random.Random(seed)
    patterns = list(CURATED)
    for _ in range(random_count):
        patterns.append(_Gen(rnd).alt(rnd.randint(1, 3)))
    for _ in range(noise_count):
        patterns.append("".join(rnd.choice(NOISE) for _ in range(rnd.randint(1, 8))))
    for c in SPECIAL:
        if c not in "$.*[]{}()|\\^?+":
            patterns += [c, "[%s]x" % c, "[^%s]" % c]
    seen, cases = set(), []
    for p, subjects in CURATED_WITH_SUBJECTS:
        seen.add(p)
        cases.append({"p": p, "s": subjects + _subjects_for(rnd, p, 4)})
    for p in patterns:
        if p in seen:
            continue
        seen.add(p)
        cases.append({"p": p, "s": _subjects_for(rnd, p, 8)})
    return cases


EVALUATE = r"""
const vm = require('vm');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
// Each case in a context with a time limit: a pattern that backtracks for long is left out.
const evaluate = `(() => {
  const test = (p, f, s) => { try { return new RegExp(p, f).test(s); } catch (e) { return null; } };
  let error = false;
  try { new RegExp(c.p); } catch (e) { error = true; }
  const subjects = shared.concat(c.s);
  const bits = (f) => subjects.map((s) => (test(c.p, f, s) ? '1' : '0')).join('');
  return { p: c.p, s: c.s, error, r: bits(''), ri: bits('i') };
})()`;
const out = [];
for (const c of input.cases) {
  try {
    out.push(vm.runInNewContext(evaluate, { c, shared: input.subjects }, { timeout: 2000 }));
  } catch (e) {
    process.stderr.write('left out (' + e.message + '): ' + JSON.stringify(c.p) + '\\n');
  }
}
process.stdout.write(JSON.stringify({ node: process.version, v8: process.versions.v8, icu: process.versions.icu,
  unicode: process.versions.unicode, subjects: input.subjects, cases: out }));
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--node", default="node")
    ap.add_argument("--out", default=os.path.join(REPO, "Tests", "fixtures", "regex-js.json"))
    ap.add_argument("--seed", type=int, default=20240731, help="another seed: a different random set (not the fixture)")
    ap.add_argument("--random", type=int, default=2000)
    ap.add_argument("--noise", type=int, default=400)
    args = ap.parse_args()
    payload = json.dumps({"subjects": SUBJECTS, "cases": generate(args.seed, args.random, args.noise)})
    r = subprocess.run([args.node, "-e", EVALUATE], input=payload, capture_output=True, text=True, check=True)
    sys.stderr.write(r.stderr)
    recorded = json.loads(r.stdout)
    recorded = {"generator": "scripts/record_js_regex.py",
                "meaning": "r[i] and ri[i]: new RegExp(p).test(subject i) and new RegExp(p, 'i').test(subject i), "
                           "the subjects being the shared list then the case's own s; error: new RegExp(p) throws",
                **recorded}
    with open(args.out, "w", encoding="utf-8") as f:
        # one case a line, so that a new recording diffs by case
        f.write("{\n")
        for k in ("generator", "meaning", "node", "v8", "icu", "unicode", "subjects"):
            f.write("%s: %s,\n" % (json.dumps(k), json.dumps(recorded[k], ensure_ascii=True)))
        f.write('"cases": [\n')
        for i, c in enumerate(recorded["cases"]):
            f.write(json.dumps(c, ensure_ascii=True, separators=(",", ":")) + ("," if i + 1 < len(recorded["cases"]) else "") + "\n")
        f.write("]\n}\n")
    print("recorded %d patterns x %d+ subjects with node %s to %s" % (
        len(recorded["cases"]), len(SUBJECTS), recorded["node"], args.out))


if __name__ == "__main__":
    sys.exit(main())
