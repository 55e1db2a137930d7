/// The regular-expression dialect a reference compiles `$regex`, `$regexi` and an inline
/// experiment's `url` pattern in, so the library can compile the same pattern text to the same
/// meaning (docs/semantics.md, row 27). The installed engine (PCRE2 in the C library) never
/// sees the reference's text: `translate(_:ignoreCase:)` parses it as the reference's parser
/// does and writes an equivalent PCRE2 pattern in which every literal, class and anchor is
/// explicit (`RegexPCRE2Writer`), or says that the reference rejects the pattern (its condition
/// is then false). Translation happens when features are compiled, never during an evaluation.
public enum RegexDialect: Sendable, Hashable {
    /// Python 3.11's `re` for str patterns (`re.compile(pattern)`, `search`), as growthbook
    /// 1.1.0 uses it: `RegexDialectPython`.
    case python
    /// ECMAScript's `RegExp` without flags (with "i" for `$regexi`), Annex B syntax, UTF-16
    /// code units, as the JS SDK uses it (`new RegExp(pattern).test(value)`):
    /// `RegexDialectJS`.
    case javascript

    /// The PCRE2 form of `pattern`, or nil when the reference fails to compile it (or it uses
    /// something the translation cannot express, listed in docs/semantics.md).
    public func translate(_ pattern: String, ignoreCase: Bool) -> RegexTranslation? {
        switch self {
        case .python: return RegexDialectPython.translate(pattern, ignoreCase: ignoreCase)
        case .javascript: return RegexDialectJS.translate(pattern, ignoreCase: ignoreCase)
        }
    }

    /// Nesting of groups (and classes, lookarounds) a translated pattern may have: the
    /// translators recurse once per level. Python compiles up to about 495 levels (then its
    /// recursion limit raises); the library refuses deeper patterns than this, as it refuses
    /// JSON nested deeper than `JSON.maxDepth`.
    public static let maxDepth = 128
}

/// A pattern translated for PCRE2: what to compile and how.
public struct RegexTranslation: Sendable, Hashable {
    /// For subjects as UTF-8 code points: compile with PCRE2_UTF (8-bit library), `options`
    /// added. For the JavaScript dialect it is exact for subjects with no character outside
    /// the BMP.
    public let pattern: String
    /// For the JavaScript dialect only, when the pattern can tell a character outside the BMP
    /// from its two UTF-16 code units (a `.`, a negated class, an astral literal in a class, a
    /// lone surrogate escape): the pattern for subjects transcoded to UTF-16 code units, to
    /// compile with the 16-bit library and no UTF (every code unit written as `\x{...}`, so
    /// the text is ASCII). Subjects with a character outside the BMP are matched with it.
    public let utf16Pattern: String?
    /// The same patterns with each large class written once and called where it is used
    /// (`RegexSetPool`), for when PCRE2 finds `pattern` (or `utf16Pattern`) too large to
    /// compile; nil when they have no large class.
    public let compactPattern: String?
    public let utf16CompactPattern: String?
    public let options: RegexOptions

    init(
        pattern: String, compactPattern: String? = nil, utf16Pattern: String? = nil, utf16CompactPattern: String? = nil,
        options: RegexOptions = []
    ) {
        self.pattern = pattern
        self.compactPattern = compactPattern
        self.utf16Pattern = utf16Pattern
        self.utf16CompactPattern = utf16CompactPattern
        self.options = options
    }
}

/// The PCRE2 options a translated pattern needs beyond the defaults (UTF for `pattern`, none
/// for `utf16Pattern`). Newline conventions, UCP and CASELESS never matter: the patterns
/// spell out every class and anchor (case-insensitive literals as classes of their case
/// variants; only a case-insensitive backreference is written `(?i:\g{N})`).
public struct RegexOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A backreference to a group that has not matched matches the empty string
    /// (PCRE2_MATCH_UNSET_BACKREF), as in JavaScript.
    public static let unsetBackreferenceMatchesEmpty = RegexOptions(rawValue: 1)
}

/// Why a translator stopped: the reference raises for the pattern, or the translation cannot
/// express it. Either way the condition is false.
struct RegexSyntaxError: Error {}
