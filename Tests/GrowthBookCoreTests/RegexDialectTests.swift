@testable import GrowthBookCore
import Testing

/// The dialect translators (RegexDialect): what each writes for PCRE2, and which patterns the
/// reference rejects. Every expectation about Python was checked against Python 3.11's `re`
/// (bindings/python/tests/test_regex_dialect.py compares thousands more); about JavaScript,
/// against node's RegExp (Tests/fixtures/regex-js.json).
@Suite struct RegexDialectTests {
    /// Python patterns and their exact translation (nil: `re.compile` raises).
    @Test(arguments: [
        // literals: letters and digits as they are, other ASCII escaped, the rest as \x{...}
        ("abc", "abc"),
        ("a.b", "a[^\\x{a}]b"),
        ("é", "\\x{e9}"),
        ("\\u00e9\\x41\\U0001F600", "\\x{e9}A\\x{1f600}"),
        ("\\N{EM DASH}", "\\x{2014}"),
        ("\\N{em dash}", "\\x{2014}"),
        ("\\N{NO SUCH NAME}", nil),
        ("\\0\\012\\101", "\\x{0}\\x{a}A"),
        ("a\\-\\ ", "a\\-\\x{20}"),
        // anchors, as sre defines them
        ("^a$", "\\Aa(?=\\n?\\z)"),
        ("(?m)^a$", "(?<![^\\n])a(?![^\\n])"),
        ("\\Aa\\Z", "\\Aa\\z"),
        // POSIX classes are not Python's: [[:alph] then "]"
        ("[[:alpha:]]", "[\\:\\[ahlp]\\]"),
        // unknown ASCII-letter escapes raise
        ("\\X", nil), ("\\K", nil), ("\\h", nil), ("\\z", nil), ("\\p{L}", nil), ("[\\A]", nil),
        // quantifiers
        ("a{,2}b", "a{0,2}b"),
        ("a{,}", "a*"),
        ("a{}", "a\\{\\}"),
        ("a{x}", "a\\{x\\}"),
        ("a{2,1}", nil),
        ("a++", "(?>a+)"),
        ("(?:ab)*?", "(?:ab)*?"),
        ("a**", nil), ("*a", nil), ("\\b*", nil),
        // groups
        ("(?P<n>a)(?P=n)", "(a)\\g{1}"),
        ("(?P=n)(?P<n>a)", nil),
        ("(a\\1)", nil),
        ("(?>a|ab)c", "(?>a(?:|b))c"),  // sre factors the common prefix out
        ("(?#comment)a", "a"),
        ("(?(1)a|b)(x)", "(?(1)a|b)(x)"),
        ("(?(2)a|b)(x)", nil),
        ("(?<=ab|cd)e", "(?<=(?:ab|cd))e"),
        ("(?<=a|bc)d", nil),
        ("(?<=a+)b", nil),
        // flags
        ("(?x) a b # comment", "ab"),
        ("a(?i)b", nil),
        ("(?L)a", nil),
        ("(?a)(?u)a", nil),
        ("(?a)\\d", "[0-9]"),
        ("(?t)a*", nil),
        // IGNORECASE: the characters whose sre lower case is the literal's (and _EXTRA_CASES)
        ("(?i)k", "[Kk\\x{212a}]"),
        ("(?i)s", "[Ss\\x{17f}]"),
        ("(?ia)k", "[Kk]"),
        ("(?i)\\U00010400", "[\\x{10400}\\x{10428}]"),
        // ...and a non-BMP literal in a class is compared with the lowered character as given
        ("(?i)[\\U00010400a]", "[Aa]"),
        // classes; a branch of single characters is a class
        ("[]a]", "[\\]a]"),
        ("[a-]", "[\\-a]"),
        ("[\\d-z]", nil),
        ("[z-a]", nil),
        ("[\\b]", "\\x{8}"),
        ("a|b", "[ab]"),
    ] as [(String, String?)])
    func pythonTranslation(_ pattern: String, _ expected: String?) {
        #expect(RegexDialect.python.translate(pattern, ignoreCase: false)?.pattern == expected, "\(pattern)")
    }

    /// JavaScript patterns (no flags) and their translation for UTF-8 subjects (nil: `new
    /// RegExp` throws, or the translation refuses it).
    @Test(arguments: [
        ("abc", "abc"),
        ("^.$", "\\A[^\\x{a}\\x{d}\\x{2028}\\x{2029}]\\z"),
        // Annex B: identity escapes, \c without a letter, \8, octal, braces that quantify nothing
        ("\\X", "X"), ("\\cA", "\\x{1}"), ("\\c1", "\\\\c1"), ("\\8", "8"), ("\\400", "\\x{20}0"),
        ("[\\b]", "\\x{8}"), ("\\u{41}", "u{41}"), ("x{,5}", "x\\{\\,5\\}"), ("]", "\\]"),
        ("{1}", nil), ("a{2}{3}", nil), ("a{2,1}", nil), ("[z-a]", nil), ("a**", nil),
        // backreferences: to a later group, inside their own group (empty), by name
        ("(a)\\1", "(a)\\g{1}"), ("\\1(a)", "\\g{1}(a)"), ("(a\\1)", "(a(?:))"), ("(a)\\1+", "(a)(?:\\g{1})+"),
        ("\\k<n>(?<n>a)", "\\g{1}(a)"), ("(?<n>a)\\k<m>", nil), ("(?<n>a)(?<n>b)", nil), ("(?<n>a)\\k", nil), ("\\k", "k"),
        // no inline flags, no quantified lookbehind
        ("(?i:a)", nil), ("(?i)a", nil), ("(?<=a)*b", nil),
        // a lookbehind starting with an unbounded repeat: its last copy
        ("(?<=.*@)x", "(?<=\\@)x"), ("(?<=^a*)b", nil),
        // a class of both halves of a character outside the BMP: never, on UTF-8 subjects
        ("[😀]", "(?!)"),
    ] as [(String, String?)])
    func javascriptTranslation(_ pattern: String, _ expected: String?) {
        #expect(RegexDialect.javascript.translate(pattern, ignoreCase: false)?.pattern == expected, "\(pattern)")
    }

    /// The UTF-16 program: written when a pattern can tell a character outside the BMP from its
    /// code units, in code units.
    @Test func javascriptUTF16Program() throws {
        #expect(RegexDialect.javascript.translate("abc", ignoreCase: false)?.utf16Pattern == nil)
        #expect(RegexDialect.javascript.translate("[😀]", ignoreCase: false)?.utf16Pattern == "[\\x{d83d}\\x{de00}]")
        #expect(RegexDialect.javascript.translate("^.$", ignoreCase: false)?.utf16Pattern != nil)
        // a zero-width match may fall between the two units
        #expect(RegexDialect.javascript.translate("(?![ab])", ignoreCase: false)?.utf16Pattern != nil)
        let t = try #require(RegexDialect.javascript.translate("(?<=a{1,3})b", ignoreCase: false))
        #expect(t.pattern.hasSuffix("(?(DEFINE)(?<gbl0>a{1,3}))"))
        #expect(t.utf16Pattern != nil)
        #expect(t.options == .unsetBackreferenceMatchesEmpty)
    }

    /// "i": the units whose Canonicalize (simple upper case, never non-ASCII to ASCII) matches.
    @Test func javascriptIgnoreCase() {
        #expect(RegexDialect.javascript.translate("k", ignoreCase: true)?.pattern == "[Kk]")
        #expect(RegexDialect.javascript.translate("σ", ignoreCase: true)?.pattern == "[\\x{3a3}\\x{3c2}\\x{3c3}]")
        #expect(RegexDialect.javascript.translate("ſ", ignoreCase: true)?.pattern == "\\x{17f}")
        #expect(RegexDialect.javascript.translate("[^a]", ignoreCase: true)?.pattern == "[^Aa]")
    }

    /// Python's `\w`, `\d`, `\s` and `\b` are its own tables, written out.
    @Test func pythonCategoriesAreTables() throws {
        let w = try #require(RegexDialect.python.translate("\\w", ignoreCase: false)).pattern
        #expect(w.hasPrefix("[0-9A-Z\\_a-z\\x{aa}"))
        #expect(!w.contains("\\w") && !w.contains("\\p"))
        let s = try #require(RegexDialect.python.translate("\\s", ignoreCase: false)).pattern
        // str.isspace(): \x1c-\x1f are spaces
        #expect(s == "[\\x{9}-\\x{d}\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]")
        let b = try #require(RegexDialect.python.translate("\\b", ignoreCase: false))
        // \w four times: too large written in place, so a compact form calls it
        #expect(b.compactPattern?.contains("(?(DEFINE)(?<gb0>[0-9A-Z") == true)
    }

    /// `$regexi` adds IGNORECASE as re.compile(pattern, re.I) would.
    @Test func pythonIgnoreCaseOption() {
        #expect(RegexDialect.python.translate("k", ignoreCase: true)?.pattern == "[Kk\\x{212a}]")
    }

    /// The parser's recursion is bounded: nesting past RegexDialect.maxDepth is refused, never a
    /// crash; at the bound it translates.
    @Test func nestingIsBounded() {
        let ok = String(repeating: "(", count: RegexDialect.maxDepth) + "a" + String(repeating: ")", count: RegexDialect.maxDepth)
        #expect(RegexDialect.python.translate(ok, ignoreCase: false) != nil)
        let deep = String(repeating: "(", count: 100_000) + String(repeating: ")", count: 100_000)
        #expect(RegexDialect.python.translate(deep, ignoreCase: false) == nil)
        #expect(RegexDialect.javascript.translate(deep, ignoreCase: false) == nil)
        let classes = String(repeating: "[", count: 100_000)
        #expect(RegexDialect.python.translate(classes, ignoreCase: false) == nil)
        #expect(RegexDialect.javascript.translate(String(repeating: "(?=", count: 100_000), ignoreCase: false) == nil)
    }

    /// A short pattern never becomes a huge one: a large class is written once per pattern
    /// (in the compact form), and the form with classes in place is dropped past its limit.
    @Test func translationSizeIsBounded() throws {
        let b = try #require(RegexDialect.python.translate(String(repeating: "\\b", count: 3000), ignoreCase: false))
        #expect(b.pattern.utf8.count < 200_000)
        #expect(b.compactPattern == nil)
        let w = try #require(RegexDialect.python.translate("(?i)" + String(repeating: "[a-zé]\\w", count: 3000), ignoreCase: false))
        #expect(w.pattern.utf8.count < 200_000)
    }

    /// Counts beyond PCRE2's 65535 are written with nested repeats.
    @Test func largeCounts() {
        #expect(RegexDialect.python.translate("x{70000}", ignoreCase: false)?.pattern == "x{4465}(?:x{65535}){1}x{0,0}")
        #expect(RegexDialect.python.translate("x{0,70000}", ignoreCase: false)?.pattern == "(?:x{65535}x{0,4465}|x{0,65534})")
        let t = RegexDialect.python.translate("x{70000,}", ignoreCase: false)?.pattern
        #expect(t == "x{4465}(?:x{65535}){1}x*")
        #expect(RegexDialect.python.translate("(x){70000}", ignoreCase: false) == nil)
        #expect(RegexDialect.python.translate("x{4294967295}", ignoreCase: false) == nil)
    }
}
