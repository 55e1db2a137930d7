/// Writes the PCRE2 patterns the dialect translators produce. Everything a translated pattern
/// matches is spelled out so that no PCRE2 option, build setting or Unicode version changes it:
/// each literal is escaped (ASCII letters and digits as themselves, other printable ASCII
/// after a backslash, everything else as `\x{...}`), each class is an explicit list of ranges,
/// anchors are `\A`, `\z` and lookarounds, never `^`, `$`, `\b`, `\w`, `\d`, `\s` or `.`
/// (their meanings depend on PCRE2's newline convention and UCP tables).
struct RegexPCRE2Writer {
    /// What the compiled pattern's subjects are made of.
    enum Units {
        /// Code points, the pattern compiled with PCRE2_UTF (8-bit library): surrogates
        /// cannot occur.
        case codePoints
        /// JavaScript's UTF-16 code units matched as code points (the 8-bit library in UTF mode):
        /// surrogates cannot occur, and a character outside the BMP is in no class (its two
        /// units are surrogates, which a pattern without its UTF-16 program never matches).
        case bmpCodePoints
        /// The same, for a pattern that has a UTF-16 program, which subjects with a character
        /// outside the BMP go to: astral code points cannot occur either.
        case bmpOnly
        /// UTF-16 code units, the 16-bit library without UTF: any unit 0...0xFFFF can occur.
        case utf16
    }

    let units: Units
    /// What no subject can hold, so a class may include it or not, whichever is shorter.
    private let impossible: CodePointSet
    private let possible: CodePointSet

    init(_ units: Units) {
        self.units = units
        switch units {
        case .codePoints, .bmpCodePoints: impossible = CodePointSet(0xD800, 0xDFFF)
        case .bmpOnly: impossible = CodePointSet(0xD800, 0xDFFF).union(CodePointSet(0x10000, CodePointSet.maxCodePoint))
        case .utf16: impossible = CodePointSet(0x10000, CodePointSet.maxCodePoint)
        }
        possible = impossible.complement()
    }

    /// A pattern that matches nothing.
    static let never = "(?!)"
    /// One unit of any value.
    static let anyUnit = "(?s:.)"

    /// A literal code point (or unit), as one atom.
    func literal(_ c: UInt32) -> String {
        if impossible.contains(c) { return Self.never }
        var s = ""
        Self.appendEscaped(c, to: &s)
        return s
    }

    /// A class matching exactly the members of `set` that can occur, as one atom.
    func set(_ set: CodePointSet) -> String {
        let wanted = set.intersection(possible)
        if wanted.isEmpty { return Self.never }
        if let c = wanted.single { return literal(c) }
        // The shorter of the class and its complement (the impossible units counted as
        // members of whichever side needs them less).
        let excluded = wanted.union(impossible).complement()
        if excluded.isEmpty { return Self.anyUnit }
        let positive = wanted.subtracting(impossible)
        var s = ""
        if excluded.rangeCount < positive.rangeCount {
            s += "[^"
            Self.appendRanges(excluded, to: &s)
        } else {
            s += "["
            Self.appendRanges(positive, to: &s)
        }
        s += "]"
        return s
    }

    /// The same class in a form usable inside a lookbehind as one unit (a class is always of
    /// length one); kept separate for clarity at the call sites.
    func unit(_ set: CodePointSet) -> String { self.set(set) }

    private static func appendRanges(_ set: CodePointSet, to s: inout String) {
        for (lo, hi) in set.ranges {
            appendEscaped(lo, to: &s)
            if hi != lo {
                if hi != lo &+ 1 { s += "-" }
                appendEscaped(hi, to: &s)
            }
        }
    }

    static func appendEscaped(_ c: UInt32, to s: inout String) {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
            s.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: c)))
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E:
            s += "\\"
            s.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: c)))
        default:
            s += "\\x{"
            s += String(c, radix: 16)
            s += "}"
        }
    }

    /// `{min,max}` (max nil: unbounded) for counts PCRE2 takes (up to 65535), and the lazy or
    /// possessive suffix. Callers split larger counts first.
    static func quantifier(min: UInt32, max: UInt32?, lazy: Bool, possessive: Bool) -> String {
        var q: String
        switch (min, max) {
        case (0, nil): q = "*"
        case (1, nil): q = "+"
        case (0, 1): q = "?"
        case (_, nil): q = "{\(min),}"
        case (_, let m?) where m == min: q = "{\(min)}"
        case (_, let m?): q = "{\(min),\(m)}"
        }
        if lazy { q += "?" } else if possessive { q += "+" }
        return q
    }

    /// PCRE2's largest count in a `{}` quantifier.
    static let maxCount: UInt32 = 65535
}

/// The large classes of one translated pattern (Python's `\w` is 734 ranges, some 11 KB of
/// text and 4.6 KB compiled, and `\b` needs it four times). PCRE2's compiled patterns are
/// limited to 64 K code units (LINK_SIZE 2), so besides the pattern with every class written in
/// place (which PCRE2 optimizes best) the translation offers a compact one, where each large
/// class is written once, in a `(?(DEFINE)...)` group at the end, and called where it is used
/// (`(?&gbN)`: a subroutine call, matching one character as the class does; the group numbers
/// of the pattern's own groups do not change, the defined ones come after them). The engine
/// compiles the first, and the second when the first is too large.
struct RegexSetPool {
    private var texts: [String] = []
    private var ids: [String: Int] = [:]

    /// Classes at least this long (bytes of pattern text) go into the pool.
    static let threshold = 256

    /// A placeholder for `text` when it is large, else `text`. Placeholders are outside ASCII,
    /// which translated patterns otherwise never contain.
    mutating func piece(_ text: String) -> String {
        guard text.utf8.count >= Self.threshold else { return text }
        let id: Int
        if let known = ids[text] {
            id = known
        } else {
            id = texts.count
            texts.append(text)
            ids[text] = id
        }
        return "\u{E000}\(id)\u{E001}"
    }

    /// Longer than this, the pattern with its classes in place cannot compile (PCRE2's
    /// limit is 64 K code units compiled, and the text is longer than what it compiles to),
    /// so it is not written: only the compact one is.
    static let inlineLimit = 200_000

    /// The pattern with every class in place, and the compact one (nil when no class is large;
    /// the first is the compact one when in place it would pass `inlineLimit`).
    func finish(_ pattern: String) -> (inline: String, compact: String?) {
        guard !texts.isEmpty else { return (pattern, nil) }
        var inlineLength = 0
        var id: Int?
        for c in pattern.unicodeScalars {
            switch c.value {
            case 0xE000: id = 0
            case 0xE001:
                let i = id ?? 0
                inlineLength &+= i < texts.count ? texts[i].utf8.count : 0
                id = nil
            default:
                if let i = id { id = i &* 10 &+ Int(c.value &- 0x30) } else { inlineLength &+= 1 }
            }
        }
        let writeInline = inlineLength <= Self.inlineLimit
        var inline = ""
        var compact = ""
        id = nil
        for c in pattern.unicodeScalars {
            switch c.value {
            case 0xE000:
                id = 0
            case 0xE001:
                let i = id ?? 0
                if writeInline && i < texts.count { inline += texts[i] }
                compact += "(?&gb\(i))"
                id = nil
            default:
                if let i = id {
                    id = i &* 10 &+ Int(c.value &- 0x30)
                } else {
                    if writeInline { inline.unicodeScalars.append(c) }
                    compact.unicodeScalars.append(c)
                }
            }
        }
        compact += "(?(DEFINE)"
        for (i, t) in texts.enumerated() { compact += "(?<gb\(i)>" + t + ")" }
        compact += ")"
        return writeInline ? (inline, compact) : (compact, nil)
    }
}
