import GrowthBookCore
import GrowthBookRegex
import Testing

/// Translated patterns matched by PCRE2, the library's engine. Python expectations come from
/// Python 3.11's `re` (bool(re.search(pattern, subject)), False when it raises); JavaScript's
/// from node's `RegExp(...).test` (and the full recorded table in Tests/fixtures/regex-js.json,
/// RegexJSFixtureTests).
@Suite struct RegexDialectMatchTests {
    @Test(arguments: [
        ("[[:alpha:]]", "abc", false), ("[[:alpha:]]", "a]", true),
        ("\\X", "X", false), ("a\\Z", "a\n", false), ("a$", "a\n", true), ("a\\Z", "a", true),
        ("\\u00e9", "é", true), ("\\U0001F600", "😀", true), ("\\N{LATIN SMALL LETTER E WITH ACUTE}", "é", true),
        ("(?u)\\w", "é", true), ("(?a)\\w", "é", false), ("(?L)\\w", "a", false),
        ("^\\s$", "\u{1C}", true), ("^\\w$", "\u{300}", false), ("^\\w$", "²", true), ("^\\w$", "‿", false),
        ("^\\d$", "١", true), ("^\\d$", "²", false), ("\\bb", "a b", true), ("\\bé", "aé", false),
        ("a{,2}b", "aab", true), ("a{,2}b", "a{,2}b", true), ("a{x}", "a{x}", true),
        ("a++b", "aab", true), ("(?>a+)a", "aaa", false), ("(?P<n>a)(?P=n)", "aa", true), ("(?#x)a", "a", true),
        ("\\1(a)", "a", false), ("\\012", "\n", true), ("(a)\\1", "aa", true), ("[\\b]", "\u{8}", true),
        ("(?x) a b", "ab", true), ("(?i)ß", "ẞ", true), ("(?i)ß", "SS", false), ("(?i)k", "K", true),
        ("(?i)[𐐀a]", "𐐀", false), ("(?i)𐐀", "𐐨", true), ("(?<=a|bc)d", "ad", false), ("(?<=ab|cd)e", "cde", true),
        ("(a)?(?(1)b|c)", "c", true), ("(a)?(?(1)b|c)", "ab", true), ("^.$", "😀", true), ("\\B", "", false),
        ("(?m)^$", "a\n", true), ("(?s)a.b", "a\nb", true), ("a.b", "a\nb", false), ("(?i)(k)\\1", "kK", true),
        ("x{70000,}", "x", false), ("(?<=(){,})", "", true), ("()*+\\?|\\1", "", false),
        // \b written four times over: compiled in the compact form
        ("\\bfoo\\b|\\bbar\\b|\\bbaz\\b", "a baz", true), ("(?:\\w\\d){20}", String(repeating: "a1", count: 20), true),
    ] as [(String, String, Bool)])
    func python(_ pattern: String, _ subject: String, _ expected: Bool) throws {
        let m = PCRE2Matcher(pattern, dialect: .python)
        #expect((m?.search(subject) ?? false) == expected, "\(pattern) on \(subject)")
    }

    /// Every expectation from node 20's RegExp.
    @Test(arguments: [
        ("^.$", "😀", false), ("^..$", "😀", true), ("😀+", "😀", true), ("^[😀]$", "😀", false), ("[😀]", "😀", true),
        ("^\\uD83D\\uDE00$", "😀", true), ("^[^a]{2}$", "😀", true), ("(?<=..)x", "😀x", true), ("(?<=.)x", "😀x", true),
        ("(?<=a+)b", "aab", true), ("(?<=.*@)example", "user@example.com", true), ("(?<=a|bc)d", "bcd", true),
        ("(?<=(?:a|bc){2})d", "abcd", true), ("\\B", "", true), ("\\b", "", false), ("a$", "a\n", false),
        ("\\8", "8", true), ("\\400", " 0", true), ("[\\400]", "0", true), ("\\u{41}", String(repeating: "u", count: 41), true),
        ("[^]", "\n", true), ("[]", "", false), ("(a\\1)+$", "aaa", true), ("\\k<n>(?<n>a)", "a", true),
        ("(a)|\\1b", "b", true), ("\\1(a)", "a", true), ("\\s", "\u{FEFF}", true), ("\\s", "\u{180E}", false),
        ("\\d", "١", false), ("\\w", "é", false), ("(?<![ab])(?![ab])", "ba😀b", true), ("a{99999999999}", "a", false),
    ] as [(String, String, Bool)])
    func javascript(_ pattern: String, _ subject: String, _ expected: Bool) throws {
        let m = PCRE2Matcher(pattern, dialect: .javascript)
        #expect((m?.search(subject) ?? false) == expected, "\(pattern) on \(subject)")
    }

    @Test(arguments: [
        ("ſ", "S", false), ("σ", "ς", true), ("[a-z]", "\u{212A}", false), ("[^a]", "A", false), ("\\W", "ſ", true),
        ("ß", "ẞ", false), ("(a)\\1", "aA", true),
    ] as [(String, String, Bool)])
    func javascriptIgnoreCase(_ pattern: String, _ subject: String, _ expected: Bool) throws {
        let m = PCRE2Matcher(pattern, dialect: .javascript, ignoreCase: true)
        #expect((m?.search(subject) ?? false) == expected, "\(pattern) on \(subject)")
    }

    @Test func compactFormCompiles() throws {
        let t = try #require(RegexDialect.python.translate("(?:\\w\\d){20}|x", ignoreCase: false))
        #expect(t.compactPattern != nil)
        let m = try #require(PCRE2Matcher(t))
        #expect(m.search("x") == true)
    }
}
