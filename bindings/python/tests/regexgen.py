"""Patterns and subjects for the regex dialect differential (test_regex_dialect.py): every
construct of Python 3.11's `re` syntax the library translates (docs/semantics.md, row 27), in
hand-written cases and in random combinations, with subjects that tell the translations apart
(non-ASCII and non-BMP text, case variants, newlines, Unicode whitespace and digits).

Deterministic: generate(seed) gives the same cases on every run."""

import random

# Characters that differ between dialects, tables or case foldings.
SPECIAL_CHARS = [
    "a", "b", "c", "x", "A", "B", "X", "k", "K", "s", "S", "i", "I", "0", "1", "9", "_", "-", " ",
    "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000",
    "\u00e9", "\u00c9", "e\u0301", "\u00df", "\u1e9e", "\u0131", "\u0130", "\u017f", "\u212a",
    "\u00b5", "\u03bc", "\u039c", "\u03a3", "\u03c3", "\u03c2", "\u01c5", "\u01c4", "\u01c6",
    "\u0345", "\u03b9", "\u1fbe", "\u1fbf", "\u0661", "\u0966", "\uff11", "\u2460", "\u00b2", "\u2167",
    "\u0300", "\u0903", "\u203f", "\u30fb", "\u4e00", "\uac00", "\ufeff", "\u200d",
    "\U0001F600", "\U00010400", "\U00010428", "\U0001D7CE", "\U00020000", "\U0001E900", "\U0001E922",
    "$", ".", "*", "[", "]", "{", "}", "(", ")", "|", "\\", "^", "?", "+", "#", "/", ":",
]

SUBJECTS = [
    "", "a", "abc", "ABC", "aBc", "x_1", "a b", "a\n", "\n", "a\nb", "ab\n", "\na", "a\n\n", "aab", "aaa",
    "ba", "ab", "abab", "123", "a1b2", " ", "\t", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000",
    "\u00e9", "\u00c9", "caf\u00e9", "e\u0301", "\u00df", "SS", "ss", "\u1e9e", "\u0131", "\u0130", "i",
    "I", "\u017f", "s", "S", "\u212a", "k", "K", "\u00b5", "\u03bc", "\u039c", "\u03c3\u03c2\u03a3",
    "\u01c5", "\u0345", "\u03b9", "\u1fbe", "\u0661\u0662", "\u0966", "\uff11", "\u2460", "\u00b2",
    "\u2167", "\u0300", "a\u0300", "\u203f", "\u30fb", "\u4e00\u4e8c", "\uac00", "\ufeff",
    "\U0001F600", "a\U0001F600b", "\U0001F600\U0001F600", "\U00010400", "\U00010428", "\U0001D7CE",
    "\U00020000", "\U0001E900", "\U0001E922", "$", "a$", "a.b", "a*b", "[a]", "{1}", "a{,2}b", "a{2}",
    "]", "a]", "-", "a-z", "\\", "a\\b", "^", "?", "(a)", "#", "aA", "Aa", "abcabc", "xyz", "hello world",
    "user@example.com", "https://www.example.com/path?q=1", "2024-01-31", "A1", "_", "__",
]

NAMED = ["LATIN SMALL LETTER E WITH ACUTE", "latin small letter e with acute", "EM DASH",
         "GRINNING FACE", "BYTE ORDER MARK", "NO SUCH NAME", "LATIN CAPITAL LETTER GHA",
         "CJK UNIFIED IDEOGRAPH-4E00", "HANGUL SYLLABLE GA", "SPACE"]

# Hand-written: the constructs the brief and docs/semantics.md name, each on its own.
CURATED = [
    # POSIX classes are not Python's: [[:alpha:] then "]"
    "[[:alpha:]]", "[[:alpha:]]+", "^[[:digit:]]$", "[[:^alpha:]]",
    # unknown ASCII-letter escapes raise
    "\\X", "\\K", "\\h", "\\Kb", "a\\z", "\\e", "\\G", "\\R", "\\p{L}", "\\P{L}", "\\o{101}", "\\x{e9}", "\\c",
    "\\g<1>", "(a)\\g1", "\\k<n>", "\\y", "\\E", "\\Q.\\E", "\\i", "\\j", "\\l", "\\L", "\\U", "\\u", "\\x",
    "\\x4", "\\u00e", "\\U0001F60",
    # anchors
    "a\\Z", "a$", "^a", "\\Aa", "a\\Z|b", "(?m)a$", "(?m)^b", "(?m)^$", "^$", "$", "\\A\\Z", "(?m)$\\n",
    "\\b", "\\B", "\\ba", "a\\b", "\\Bb", "\\b\\w+\\b", "(?a)\\bk", "\\b\u00e9", "\\B\u0300",
    # escapes
    "\\u00e9", "\\U0001F600", "\\U00110000", "\\x41", "\\x41\\x", "\\0", "\\012", "\\0123", "\\08", "\\1",
    "\\400", "\\377", "[\\377]", "[\\400]", "[\\8]", "\\a\\f\\v", "\\.", "\\-", "\\ ", "\\\u00e9",
    "\\N{LATIN SMALL LETTER E WITH ACUTE}", "\\N{EM DASH}", "\\N{NO SUCH}", "\\N", "\\N{}", "[\\N{EM DASH}]",
    # flags
    "(?u)\\w", "(?a)\\w", "(?a)\\d", "(?a)\\s", "(?L)\\w", "(?au)a", "(?a)(?u)a", "(?i)(?a)k", "a(?i)b",
    "(?i)", "(?x) a b # c", "(?x)a\\ b", "(?x)[ ]", "(?x)a{1, 2}", "(?x)( ?:a)", "(?-i:a)", "(?i-i:a)",
    "(?i:a)b", "(?-i)a", "(?t)a", "(?t)a*", "(?t:a)", "(?s).", "(?s:.)\\n", ".\\n", "(?x)#\\\n a",
    "(?a:\\w)\\w", "(?u:\\w)", "(?a-u:a)", "(?i:A(?-i:b))", "(?x:a b)c d", "(?ix) A b", "(?im)^A",
    # quantifiers
    "a{,2}b", "a{2,}", "a{2}", "a{,}", "a{}", "a{2,1}", "a{1,2", "a{a}", "{2}", "a{ 2}", "x{65536}",
    "x{65535}", "x{70000,}", "x{0,70000}", "x{4294967295}", "x{4294967294}", "a**", "a*?", "a+?", "a??",
    "a*+", "a++b", "a?+", "(?<=[a-z])*+b", "x(?<=[0-9])*+x", "(?:ab?c)*+$", "(?:a|ab)++c", "(?>a|ab)c", "a{1,2}+", "a{1,2}?", "(?:a)*", "(?:)*", "()*", "(a|)*b", "(?=a)*", "\\b*", "^*",
    # groups
    "(?P<name>a)(?P=name)", "(?P<n>a)|(?P=n)", "(?P=n)(?P<n>a)", "(?P<n>(?P=n))", "(?P<1>a)",
    "(?P<\u00e9>a)(?P=\u00e9)", "(?P<a b>x)", "(?P<n>a)(?P<n>b)", "(?<n>a)", "(?P>n)", "(?P", "(?#x)a",
    "(?#x", "a(?#x)*", "(?>a+)a", "(?>a|ab)c", "(a)\\1", "(a)\\2", "\\1(a)", "(a\\1)", "(a)(b)\\2\\1",
    "(a)(?:\\1)+", "(?:(a)|b)+\\1", "(a)|\\1", "((a)|b)+\\2",
    # conditionals
    "(?(1)a|b)", "(a)?(?(1)b|c)", "(?P<n>a)?(?(n)b|c)", "(?(2)a|b)(x)(y)", "(a)(?(1)b|c|d)", "(?( 1 )a|b)(x)",
    "(a)(?(-1)b)", "(a)(?(0)b)", "(a)(?(01)b)", "(a)(?(\u0661)b)", "(?(x)a)", "(a)(?(1)b)c",
    # lookbehind: fixed width only
    "(?<=a)b", "(?<!a)b", "(?<=a|bc)d", "(?<=ab|cd)e", "(?<=a+)b", "(?<=a{2})b", "(?<=\\b)a",
    "(a)(?<=\\1)", "(?<=(a))b", "(?<=(?(1)a|b))", "(a)?(?<=(?(1)a|b))c", "(?<=(?P<x>a)(?P=x))",
    "(?<=\\d\\w)x", "(?<=.)\\n", "(?i)(?<=A)b", "(?<=a$)", "(?<=\\Z)",
    # classes
    "[]a]", "[^]a]", "[a-]", "[-a]", "[a-c-e]", "[\\d-z]", "[a-\\d]", "[z-a]", "[\\b]", "[\\B]", "[\\A]",
    "[\\w\\s]", "[^\\W\\d]", "[\\D]", "[^\\D]", "[\\x41-\\x43]", "[\\u00e0-\\u00ff]", "[a", "[]", "[^]",
    "[\\]]", "[[]", "[a-a]", "[\U0001F600]", "[^\U0001F600]", "[\U0001F600-\U0001F64F]", "[\\U0001F600a]",
    "[\\0]", "[\\1]", "[\\01]", "[\\7-9]", "[--a]", "[a&&b]", "[a||b]", "[a--b]", "[a~~b]", "[\\s\\S]",
    # IGNORECASE
    "(?i)\u00c9", "(?i)\u00df", "(?i)SS", "(?i)\u1e9e", "(?i)[\u00df]", "(?i)k", "(?i)K", "(?i)\u212a",
    "(?i)s", "(?i)\u017f", "(?i)i", "(?i)I", "(?i)\u0131", "(?i)\u0130", "(?i)[i]x", "(?i)[ik]x",
    "(?i)[a-z]", "(?i)[^a-z]", "(?i)[K-L]", "(?i)[\u0130]x", "(?i)\u03c3", "(?i)\u03a3", "(?i)\u03c2",
    "(?i)\u00b5", "(?i)\u0345", "(?i)\u03b9", "(?i)\u1fbe", "(?i)\u01c5", "(?i)\u01c4", "(?i)[\u01c5]x",
    "(?i)\U00010400", "(?i)\U00010428", "(?i)[\U00010400a]", "(?i)[\U00010428a]", "(?i)\U00010400|x",
    "(?i)[\U00010400-\U0001040f]", "(?i)[\U00010428-\U0001042f]", "(?i)[\\U0001E900-\\U0001E921]",
    "(?i)[\\w]", "(?i)\\W", "(?i)[^\\W]", "(?i)(a)\\1", "(?i)(\u00e9)\\1", "(?i)(k)\\1", "(?i)[\\d]",
    "(?i)(\u017f)\\1", "(?i)(\u03c3)\\1", "(?i)(\u0130)\\1", "(?i)(i)\\1", "(?ia)(\u00e9)\\1", "(?ia)(k)\\1",
    "(?i:(\u03b8)\\1)", "(?i)(?-i:(s)\\1)", "(s)(?i:\\1)", "(?i)(?P<n>\u1e9b)(?P=n)",
    "(?ia)k", "(?ia)\u212a", "(?ia)[k]x", "(?ia)[a-z]", "(?ia)\u00e9", "(?ia)[\u00e9]x", "(?i)[^k]",
    "(?i)[^\u0131]", "(?i:[A-Z])", "(?i)[\u0370-\u03ff]", "(?i)[\u1f80-\u1faf]", "(?i)\u1f88",
    # dot and non-BMP
    "^.$", "^..$", "^.{2}$", ".", "^[^a]$", "\U0001F600", "^\U0001F600$", "\U0001F600+", "[^\\w]",
    # nesting: the library's bound is 128 levels (RegexDialect.maxDepth); Python's ~495
    "(" * 100 + "a" + ")" * 100, "(?:" * 128 + "a" + ")" * 128, "(?:" * 129 + "a" + ")" * 129, "(" * 200 + ")" * 200,
    "(?=" * 60 + "a" + ")" * 60, "[" + "(" * 50 + "]",
    # counts PCRE2 cannot take on a capturing group
    "(a){70000}", "(a){0,70000}", "(?:a){70000}", "(?:ab){3,70000}b", "a{65536,70000}?b",
    # errors
    "(", ")", "a)", "(a", "*a", "+", "?", "a|*", "a||b", "|", "", "\\", "a\\", "[\\", "(?", "(?z)", "(?<a)",
    "(?<", "(?P<", "(?P<n", "(?P=", "(?P=n", "(?(", "(?(1", "(?(1)", "(?(1)a|b|c)", "(?i", "(?i:", "(?-",
    "(?-:", "(?i-:a)", "(?ii)", "a{1}{2}", "a?*", "(?x)a ?", "(?x)\\ ?",
]


def _literal(rnd):
    c = rnd.choice(SPECIAL_CHARS)
    if c in "$.*[]{}()|\\^?+":
        return "\\" + c if rnd.random() < 0.7 else c
    return c


ESCAPES = ["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "\\A", "\\Z", "\\n", "\\t", "\\x41", "\\x61",
           "\\u00e9", "\\u00c9", "\\U0001F600", "\\U00010400", "\\0", "\\012", "\\.", "\\-", "\\ ", "\\X", "\\z",
           "\\h", "\\\u00e9", "\\\\", "\\1", "\\2", "\\f", "\\a"]
CLASS_ITEMS = ["a", "b", "z", "A", "Z", "0", "9", "_", "-", "a-z", "A-Z", "0-9", "\\d", "\\w", "\\s", "\\D",
               "\\W", "\\S", "\\b", "\\n", "\\x41-\\x5a", "\u00e0-\u00ff", "\u00e9", "\u00c9", "\u0130", "\u0131",
               "i", "k", "K", "\u212a", "s", "\u017f", "\u00df", "\u03a3", "\u03c3", "\u0370-\u03ff",
               "\U0001F600", "\U00010400", "\U00010428", "\U00010400-\U0001044f", "\U0001F600-\U0001F64F",
               "\\U00010428", ".", "$", "^", "[", "\\]", "(", "|", " ", "\u3000", "\\\\", "a-", "-a"]
QUANTIFIERS = ["*", "+", "?", "{2}", "{1,2}", "{,2}", "{2,}", "{0}", "{,}", "*?", "+?", "??", "{1,2}?", "*+",
               "++", "?+", "{1,2}+", "{,1}+", "{3}"]
FLAGS = ["i", "m", "s", "x", "a", "u", "im", "is", "ia", "ms", "ix", "L", "t", "au"]


def _class(rnd):
    n = rnd.randint(1, 4)
    return "[" + ("^" if rnd.random() < 0.3 else "") + "".join(rnd.choice(CLASS_ITEMS) for _ in range(n)) + "]"


class _Gen:
    def __init__(self, rnd):
        self.rnd = rnd
        self.groups = 0
        self.names = []

    def atom(self, depth):
        r = self.rnd.random()
        if depth <= 0 or r < 0.35:
            return _literal(self.rnd)
        if r < 0.5:
            return self.rnd.choice(ESCAPES)
        if r < 0.62:
            return _class(self.rnd)
        if r < 0.67:
            return self.rnd.choice([".", "^", "$"])
        if r < 0.72 and self.groups:
            g = self.rnd.randint(1, self.groups)
            return self.rnd.choice(["\\%d" % g, "(?(%d)%s|%s)" % (g, self.seq(depth - 1), self.seq(depth - 1)),
                                    "(?(%d)%s)" % (g, self.seq(depth - 1))]
                                   + (["(?P=%s)" % self.rnd.choice(self.names)] if self.names else []))
        body = self.alt(depth - 1)
        kind = self.rnd.choice(["(", "(", "(?:", "(?P<", "(?>", "(?=", "(?!", "(?<=", "(?<!", "(?flags:", "(?-flags:"])
        if kind == "(":
            self.groups += 1
            return "(" + body + ")"
        if kind == "(?P<":
            self.groups += 1
            name = "n%d" % self.groups
            self.names.append(name)
            return "(?P<%s>%s)" % (name, body)
        if kind == "(?flags:":
            return "(?%s:%s)" % (self.rnd.choice(FLAGS), body)
        if kind == "(?-flags:":
            return "(?%s-%s:%s)" % (self.rnd.choice(["", "a", "u", "s"]), self.rnd.choice(["i", "m", "s", "x", "im"]),
                                    body)
        if kind in ("(?<=", "(?<!"):
            # mostly fixed width, sometimes not
            body = self.rnd.choice([body, _literal(self.rnd), _class(self.rnd) + _literal(self.rnd),
                                    "a|b", "ab|cd", "a|bc", "\\w{2}", "(a)", "a+"])
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


def random_pattern(rnd):
    g = _Gen(rnd)
    p = g.alt(rnd.randint(1, 3))
    if rnd.random() < 0.2:
        p = "(?%s)" % rnd.choice(FLAGS) + p
    return p


NOISE = "()[]{}*+?|^$.\\-,:=!<>P#iamsx0123a_\u00e9\U0001F600"


def noise_pattern(rnd):
    return "".join(rnd.choice(NOISE) for _ in range(rnd.randint(1, 8)))


def subjects_for(rnd, pattern, count):
    """Random subjects built from the pattern's own characters and the special ones."""
    chars = [c for c in pattern if c not in "\\"] + SPECIAL_CHARS
    out = []
    for _ in range(count):
        n = rnd.randint(0, 6)
        s = "".join(rnd.choice(chars) for _ in range(n))
        if rnd.random() < 0.3:
            s = s.swapcase()
        out.append(s)
    return out


def random_code_points(rnd, count):
    out = []
    while len(out) < count:
        c = rnd.choice([rnd.randint(0, 0x7F), rnd.randint(0x80, 0x2FFF), rnd.randint(0x3000, 0xFFFF),
                        rnd.randint(0x10000, 0x10FFFF), rnd.randint(0x10000, 0x1FFFF)])
        if not 0xD800 <= c <= 0xDFFF:
            out.append(chr(c))
    return out


# Single-character patterns checked against many code points: the tables and case folding.
TABLE_PATTERNS = ["^\\w$", "^\\d$", "^\\s$", "^\\W$", "(?i)^[a-z\u00e0-\u00ff]$", "\\b", "(?i)^\u03c3$",
                  "(?i)^[\u0100-\u017f]$", "(?i)^[\U00010400-\U0001044f]$", "(?i)^[^\u0400-\u04ff]$",
                  "^[\\w\\s]$", "(?a)^\\w$", "(?i)^\\w$"]


def generate(seed=1729, random_count=2200, noise_count=500):
    """[(pattern, [subjects])]"""
    rnd = random.Random(seed)
    cases = []
    for p in CURATED:
        cases.append((p, SUBJECTS + subjects_for(rnd, p, 6)))
    for name in NAMED:
        p = "\\N{%s}" % name
        cases.append((p, SUBJECTS + subjects_for(rnd, p, 2)))
    for _ in range(random_count):
        p = random_pattern(rnd)
        cases.append((p, rnd.sample(SUBJECTS, 12) + subjects_for(rnd, p, 8)))
    for _ in range(noise_count):
        p = noise_pattern(rnd)
        cases.append((p, rnd.sample(SUBJECTS, 6) + subjects_for(rnd, p, 4)))
    for p in TABLE_PATTERNS:
        cases.append((p, random_code_points(rnd, 1500)))
    for c in SPECIAL_CHARS:
        # each special character as a literal and class member, case-insensitively too
        for p in (c, "(?i)" + c, "(?i)[%s]x" % c, "[^%s]" % c, "(?i)[^%s]" % c):
            if c in "$.*[]{}()|\\^?+":
                continue
            cases.append((p, SUBJECTS + [c, c + "x", c.upper(), c.lower(), c.swapcase()]))
    return cases
