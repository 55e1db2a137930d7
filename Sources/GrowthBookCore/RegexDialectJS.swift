/// JavaScript's `RegExp` without flags (or with "i" for `$regexi`), as the JS SDK compiles
/// conditions (`new RegExp(pattern).test(value)`), translated to PCRE2.
///
/// The parser follows ECMA-262's pattern grammar without the u flag, with Annex B's web
/// compatibility syntax, as V8 implements it (node 20): identity escapes for any character but
/// `c` (and `k` once the pattern names a group), `\8` as "8", legacy octal escapes and the rule
/// that `\N` is a backreference only when the pattern has N groups, `\c` without a letter as a
/// backslash, `]`, `{` and `}` literal where they cannot close or quantify, `[]` and `[^]`,
/// quantified lookaheads, group names by ID_Start/ID_Continue (`JSRegexTables`), and its
/// errors. Patterns are UTF-16 code units: a character outside the BMP is two units, so `.`
/// matches half of it and `[😀]` either half.
///
/// What is written out: `.` `\d` `\w` `\s` (WhiteSpace and LineTerminator) `\b` `\B` with
/// JavaScript's ASCII definitions, `^` as `\A` and `$` as `\z`, "i" as the units whose
/// Canonicalize (simple upper case, never from non-ASCII to ASCII) is the literal's or a class
/// member's, a backreference inside its own group as nothing (V8), unset backreferences
/// matching the empty string (PCRE2_MATCH_UNSET_BACKREF), a lookbehind of variable but bounded
/// length as the union of its fixed lengths. Two programs when the pattern can tell a
/// character outside the BMP from its surrogates (`RegexTranslation.utf16Pattern`).
///
/// Not exact, as docs/semantics.md lists: a lookbehind without an upper bound on its length
/// (refused: PCRE2 10.42 has none), JavaScript resetting a repeated group's captures at each
/// iteration, lookbehinds matching backwards (their captures and backreferences), a
/// case-insensitive backreference (PCRE2's case folding), counts above 65535 on an atom that
/// captures or can match empty (refused).
enum RegexDialectJS {
    static func translate(_ pattern: String, ignoreCase: Bool) -> RegexTranslation? {
        do {
            var parser = try JSParser(Array(pattern.utf16))
            let ast = try parser.parse()
            let groups = parser.captureCount
            let ctx = JSEmitContext(ignoreCase: ignoreCase)
            // A character outside the BMP is two units to JavaScript: a second program when
            // the pattern can match one alone, or can match nothing at all between them, or
            // measures a lookbehind by the union of its lengths.
            let needs16 = ast.touchesSurrogates(ctx) || (ast.width.min == 0 && ast.hasAssertion) || ast.hasEmulatedLookbehind
            var utf8 = JSEmitter(units: needs16 ? .bmpOnly : .bmpCodePoints, context: ctx, groups: groups)
            let text8 = try utf8.program(ast)
            var text16: String?
            var compact16: String?
            if needs16 {
                var utf16 = JSEmitter(units: .utf16, context: ctx, groups: groups)
                let t = try utf16.program(ast)
                (text16, compact16) = utf16.finish(t)
            }
            let (inline8, compact8) = utf8.finish(text8)
            return RegexTranslation(
                pattern: inline8, compactPattern: compact8, utf16Pattern: text16, utf16CompactPattern: compact16,
                options: .unsetBackreferenceMatchesEmpty)
        } catch {
            return nil
        }
    }

    /// What in `pattern` the translation cannot make exact (empty for most patterns; nil when
    /// JavaScript rejects it): the JS fixture test names its exclusions by these.
    static func inexactFeatures(_ pattern: String, ignoreCase: Bool) -> Set<JSInexact>? {
        guard var parser = try? JSParser(Array(pattern.utf16)), let ast = try? parser.parse() else { return nil }
        var facts = JSFacts()
        ast.collect(&facts, inLookbehind: false)
        var found = Set<JSInexact>()
        if !facts.repeatedGroups.isDisjoint(with: facts.references) { found.insert(.backreferenceIntoRepeat) }
        if !facts.emptyRepeatGroups.isDisjoint(with: facts.references) { found.insert(.emptyIterationCapture) }
        if facts.referenceInLookbehind || !facts.lookbehindGroups.isDisjoint(with: facts.references) {
            found.insert(.lookbehindCapture)
        }
        if ignoreCase && !facts.references.isEmpty { found.insert(.caseInsensitiveBackreference) }
        if facts.unboundedLookbehind { found.insert(.unboundedLookbehind) }
        if facts.hugeCount { found.insert(.largeCount) }
        return found
    }
}

/// What `inexactFeatures` looks at.
struct JSFacts {
    var repeatedGroups = Set<Int>()
    var emptyRepeatGroups = Set<Int>()
    var lookbehindGroups = Set<Int>()
    var references = Set<Int>()
    var referenceInLookbehind = false
    var unboundedLookbehind = false
    var hugeCount = false
}

/// What the JavaScript translation approximates (docs/semantics.md, row 27).
enum JSInexact: String, Hashable, CaseIterable, Sendable {
    /// A backreference to a group inside a repeated atom: JavaScript clears the atom's captures
    /// at each iteration, PCRE2 keeps the last value set.
    case backreferenceIntoRepeat
    /// A backreference or a group in a lookbehind: JavaScript matches lookbehinds backwards.
    case lookbehindCapture
    /// A case-insensitive backreference: PCRE2's case folding, not Canonicalize.
    case caseInsensitiveBackreference
    /// A lookbehind whose length has no upper bound, even once what it starts with is cut to
    /// its minimum (or more than 256 lengths): refused (PCRE2 10.42 cannot express it).
    case unboundedLookbehind
    /// A count above 65535 on an atom with groups or one that can match empty: refused.
    case largeCount
    /// An empty iteration of a repeat with captures inside (JavaScript rejects an empty
    /// iteration once the minimum is reached, undoing its captures).
    case emptyIterationCapture
}

// MARK: - Syntax tree

/// A term of a JavaScript pattern.
indirect enum JSNode {
    /// Code units: a class (invert: `[^...]`), `.`, an escape, or one literal unit (`literal`).
    case units(CodePointSet, invert: Bool, literal: Bool)
    case start, end, boundary, nonBoundary
    case look(behind: Bool, negative: Bool, JSDisjunction)
    /// A group, capturing (its number, from 1) or not.
    case group(Int?, JSDisjunction)
    /// A backreference to a group by number; nil: inside the group it names (matches empty).
    case backreference(Int?)
    case quantified(JSNode, min: UInt64, max: UInt64?, greedy: Bool)
}

/// Alternatives, each a sequence of terms.
struct JSDisjunction {
    var alternatives: [[JSNode]]
}

/// V8's RegExpTree::kInfinity: a count at least this large is unbounded (max) or unreachable (min).
let jsInfinity: UInt64 = 2_147_483_647

struct JSWidth {
    var min: UInt64
    var max: UInt64?  // nil: unbounded

    static func + (a: JSWidth, b: JSWidth) -> JSWidth {
        JSWidth(min: Swift.min(a.min &+ b.min, jsInfinity), max: a.max.flatMap { x in b.max.map { Swift.min(x &+ $0, jsInfinity) } })
    }
}

extension JSDisjunction {
    var width: JSWidth {
        var w: JSWidth?
        for alt in alternatives {
            var s = JSWidth(min: 0, max: 0)
            for n in alt { s = s + n.width }
            if let v = w {
                w = JSWidth(min: Swift.min(v.min, s.min), max: v.max.flatMap { x in s.max.map { Swift.max(x, $0) } })
            } else {
                w = s
            }
        }
        return w ?? JSWidth(min: 0, max: 0)
    }

    var hasAssertion: Bool { alternatives.contains { $0.contains { $0.hasAssertion } } }
    /// Whether a lookbehind inside is written as the union of its lengths (`JSEmitter`).
    var hasEmulatedLookbehind: Bool { alternatives.contains { $0.contains { $0.hasEmulatedLookbehind } } }
    var hasGroups: Bool { alternatives.contains { $0.contains { $0.hasGroups } } }

    func touchesSurrogates(_ ctx: JSEmitContext) -> Bool {
        alternatives.contains { $0.contains { $0.touchesSurrogates(ctx) } }
    }

    func collect(_ f: inout JSFacts, inLookbehind: Bool) {
        for alt in alternatives { for n in alt { n.collect(&f, inLookbehind: inLookbehind) } }
    }

    /// The capturing groups inside.
    func groupNumbers(_ out: inout Set<Int>) {
        for alt in alternatives { for n in alt { n.groupNumbers(&out) } }
    }

    var hasBackreference: Bool { alternatives.contains { $0.contains { $0.hasBackreference } } }
}

extension JSDisjunction {
    /// The same lookbehind body with what it starts with repeated without bound cut to its
    /// minimum: the body matches some text ending here exactly when the reduced one does (its
    /// last copies do), so `(?<=.*@)` is `(?<=@)` and `(?<=a+)b` is `(?<=a)b`. Only where that
    /// changes no capture: the repeated atom has no groups, and a capturing group or an
    /// assertion ends the reduction (an assertion depends on where the text starts).
    func reducedForLookbehind() -> JSDisjunction {
        JSDisjunction(alternatives: alternatives.map(Self.reduceLeading))
    }

    private static func reduceLeading(_ terms: [JSNode]) -> [JSNode] {
        var rest = terms[...]
        while let first = rest.first {
            switch first {
            case .quantified(let atom, let mn, nil, _) where !atom.hasGroups:
                rest = rest.dropFirst()
                if mn > 0 { return [.quantified(atom, min: mn, max: mn, greedy: true)] + rest }
            case .group(nil, let d):
                return [.group(nil, d.reducedForLookbehind())] + rest.dropFirst()
            default:
                return Array(rest)
            }
        }
        return []
    }
}

extension JSNode {
    var width: JSWidth {
        switch self {
        case .units: return JSWidth(min: 1, max: 1)
        case .start, .end, .boundary, .nonBoundary, .look: return JSWidth(min: 0, max: 0)
        case .group(_, let d): return d.width
        case .backreference(let g): return g == nil ? JSWidth(min: 0, max: 0) : JSWidth(min: 0, max: nil)
        case .quantified(let n, let mn, let mx, _):
            let w = n.width
            let lo = w.min == 0 || mn == 0 ? 0 : (w.min.multipliedReportingOverflow(by: mn).overflow ? jsInfinity : Swift.min(w.min &* mn, jsInfinity))
            var hi: UInt64?
            if let wm = w.max, let m = mx {
                hi = wm == 0 || m == 0 ? 0 : (wm.multipliedReportingOverflow(by: m).overflow ? nil : wm &* m)
            } else if w.max == 0 || mx == 0 {
                hi = 0
            }
            return JSWidth(min: lo, max: hi)
        }
    }

    var hasAssertion: Bool {
        switch self {
        case .start, .end, .boundary, .nonBoundary, .look: return true
        case .group(_, let d): return d.hasAssertion
        case .quantified(let n, _, _, _): return n.hasAssertion
        default: return false
        }
    }

    var hasEmulatedLookbehind: Bool {
        switch self {
        case .look(let behind, _, let d):
            if behind && !d.reducedForLookbehind().alternatives.allSatisfy({ JSEmitter.pcreFixed($0) }) { return true }
            return d.hasEmulatedLookbehind
        case .group(_, let d): return d.hasEmulatedLookbehind
        case .quantified(let n, _, _, _): return n.hasEmulatedLookbehind
        default: return false
        }
    }

    var hasGroups: Bool {
        switch self {
        case .group(let g, let d): return g != nil || d.hasGroups
        case .look(_, _, let d): return d.hasGroups
        case .quantified(let n, _, _, _): return n.hasGroups
        default: return false
        }
    }

    var hasBackreference: Bool {
        switch self {
        case .backreference(let g): return g != nil
        case .group(_, let d), .look(_, _, let d): return d.hasBackreference
        case .quantified(let n, _, _, _): return n.hasBackreference
        default: return false
        }
    }

    func touchesSurrogates(_ ctx: JSEmitContext) -> Bool {
        switch self {
        case .units(let set, let invert, _):
            return !ctx.matched(set, invert: invert).intersection(CodePointSet(0xD800, 0xDFFF)).isEmpty
        case .group(_, let d), .look(_, _, let d): return d.touchesSurrogates(ctx)
        case .quantified(let n, _, _, _): return n.touchesSurrogates(ctx)
        case .backreference(let g): return g != nil
        default: return false
        }
    }

    func groupNumbers(_ out: inout Set<Int>) {
        switch self {
        case .group(let g, let d):
            if let g { out.insert(g) }
            d.groupNumbers(&out)
        case .look(_, _, let d): d.groupNumbers(&out)
        case .quantified(let n, _, _, _): n.groupNumbers(&out)
        default: break
        }
    }

    func collect(_ f: inout JSFacts, inLookbehind: Bool) {
        switch self {
        case .backreference(let g):
            guard let g else { return }
            f.references.insert(g)
            if inLookbehind { f.referenceInLookbehind = true }
        case .group(let g, let d):
            if let g, inLookbehind { f.lookbehindGroups.insert(g) }
            d.collect(&f, inLookbehind: inLookbehind)
        case .look(let behind, _, let d):
            if behind {
                let r = d.reducedForLookbehind()
                let w = r.width
                let fixed = r.alternatives.allSatisfy { JSEmitter.pcreFixed($0) }
                if !fixed && (w.max.map { $0 - w.min > 255 } ?? true) { f.unboundedLookbehind = true }
            }
            d.collect(&f, inLookbehind: inLookbehind || behind)
        case .quantified(let n, let mn, let mx, _):
            var inner = Set<Int>()
            n.groupNumbers(&inner)
            if (mx ?? 2) > 1 { f.repeatedGroups.formUnion(inner) }
            if n.width.min == 0 { f.emptyRepeatGroups.formUnion(inner) }
            if mn > UInt64(RegexPCRE2Writer.maxCount) || (mx ?? 0) > UInt64(RegexPCRE2Writer.maxCount) {
                if !inner.isEmpty || n.width.min == 0 { f.hugeCount = true }
            }
            n.collect(&f, inLookbehind: inLookbehind)
        default:
            break
        }
    }
}

// MARK: - Parser (V8's RegExpParser without the u flag)

struct JSParser {
    private let s: [UInt16]
    private var i = 0
    private var depth = 0
    /// Groups opened so far, and in the whole pattern (V8's ScanForCaptures).
    private var capturesStarted = 0
    private(set) var captureCount = 0
    private var hasNamedCaptures = false
    private var names: [[UInt32]: Int] = [:]
    /// Named backreferences waiting for their group: (name, the open groups around them).
    private var pendingNamed: [(name: [UInt32], open: Set<Int>)] = []
    /// The groups being parsed (a backreference inside its own group matches empty).
    private var openGroups: Set<Int> = []

    init(_ pattern: [UInt16]) throws(RegexSyntaxError) {
        s = pattern
        scanForCaptures()
    }

    private var current: UInt32? { i < s.count ? UInt32(s[i]) : nil }
    private func at(_ k: Int) -> UInt32? { i + k < s.count ? UInt32(s[i + k]) : nil }
    private func isChar(_ c: UInt32, _ k: Int = 0) -> Bool { at(k) == c }

    /// ScanForCaptures: the number of capturing groups and whether any is named.
    private mutating func scanForCaptures() {
        var j = 0
        var count = 0
        func ch(_ k: Int) -> UInt16? { k < s.count ? s[k] : nil }
        while j < s.count {
            let n = s[j]
            j += 1
            switch n {
            case 0x5C: j += 1
            case 0x5B:
                while let c = ch(j) {
                    j += 1
                    if c == 0x5C { j += 1 } else if c == 0x5D { break }
                }
            case 0x28:
                if ch(j) == 0x3F {
                    j += 1
                    guard ch(j) == 0x3C else { break }
                    j += 1
                    if ch(j) == 0x3D || ch(j) == 0x21 { break }
                    hasNamedCaptures = true
                }
                count += 1
            default:
                break
            }
        }
        captureCount = count
    }

    mutating func parse() throws(RegexSyntaxError) -> JSDisjunction {
        let d = try disjunction()
        if i < s.count { throw RegexSyntaxError() }  // Unmatched ')'
        // Named backreferences must name a group of the pattern.
        return try resolve(d)
    }

    private mutating func disjunction() throws(RegexSyntaxError) -> JSDisjunction {
        depth += 1
        defer { depth -= 1 }
        if depth > RegexDialect.maxDepth + 1 { throw RegexSyntaxError() }
        var alts: [[JSNode]] = [try alternative()]
        while isChar(0x7C) {
            i += 1
            alts.append(try alternative())
        }
        return JSDisjunction(alternatives: alts)
    }

    private mutating func alternative() throws(RegexSyntaxError) -> [JSNode] {
        var terms: [JSNode] = []
        while let c = current, c != 0x7C, c != 0x29 {
            // An atom or an assertion (assertions other than lookaheads take no quantifier).
            var atom: JSNode
            var quantifiable = true
            switch c {
            case 0x5E: i += 1; terms.append(.start); continue
            case 0x24: i += 1; terms.append(.end); continue
            case 0x2E:
                i += 1
                atom = .units(JSSets.lineTerminators, invert: true, literal: false)
            case 0x28:
                let (node, q) = try group()
                atom = node
                quantifiable = q
            case 0x5B:
                atom = try characterClass()
            case 0x5C:
                guard let next = at(1) else { throw RegexSyntaxError() }  // \ at end of pattern
                if next == 0x62 { i += 2; terms.append(.boundary); continue }
                if next == 0x42 { i += 2; terms.append(.nonBoundary); continue }
                atom = try atomEscape()
            case 0x2A, 0x2B, 0x3F:
                throw RegexSyntaxError()  // Nothing to repeat
            case 0x7B:
                if intervalQuantifier() != nil { throw RegexSyntaxError() }  // Nothing to repeat
                i += 1
                atom = .units(CodePointSet(c), invert: false, literal: true)
            default:
                i += 1
                atom = .units(CodePointSet(c), invert: false, literal: true)
            }
            // Quantifier
            var mn: UInt64
            var mx: UInt64?
            switch current {
            case 0x2A: mn = 0; mx = nil; i += 1
            case 0x2B: mn = 1; mx = nil; i += 1
            case 0x3F: mn = 0; mx = 1; i += 1
            case 0x7B:
                guard let (lo, hi) = intervalQuantifier() else {
                    terms.append(atom)
                    continue
                }
                if let h = hi, h < lo { throw RegexSyntaxError() }  // numbers out of order
                // intervalQuantifier moved past it
                mn = lo
                mx = hi
            default:
                terms.append(atom)
                continue
            }
            var greedy = true
            if isChar(0x3F) {
                greedy = false
                i += 1
            }
            if !quantifiable { throw RegexSyntaxError() }  // Invalid quantifier (a lookbehind)
            terms.append(.quantified(atom, min: mn, max: mx, greedy: greedy))
        }
        return terms
    }

    /// `{n}`, `{n,}`, `{n,m}` at the current `{`: (min, max; nil max: unbounded), moving past it;
    /// nil (not moving) when the text is not one.
    private mutating func intervalQuantifier() -> (UInt64, UInt64?)? {
        let start = i
        i += 1
        func digits() -> UInt64? {
            guard let c = current, c >= 0x30 && c <= 0x39 else { return nil }
            var v: UInt64 = 0
            while let c = current, c >= 0x30 && c <= 0x39 {
                v = Swift.min(v * 10 + UInt64(c - 0x30), jsInfinity)
                i += 1
            }
            return v
        }
        guard let lo = digits() else { i = start; return nil }
        var hi: UInt64? = lo
        if isChar(0x7D) {
            i += 1
        } else if isChar(0x2C) {
            i += 1
            if isChar(0x7D) {
                hi = nil
                i += 1
            } else {
                guard let h = digits(), isChar(0x7D) else { i = start; return nil }
                hi = h >= jsInfinity ? nil : h
                i += 1
            }
        } else {
            i = start
            return nil
        }
        return (lo, hi)
    }

    /// After "(": the group, and whether a quantifier may follow.
    private mutating func group() throws(RegexSyntaxError) -> (JSNode, Bool) {
        i += 1
        if isChar(0x3F) {
            switch at(1) {
            case 0x3A:
                i += 2
                let d = try disjunction()
                try close()
                return (.group(nil, d), true)
            case 0x3D, 0x21:
                let negative = at(1) == 0x21
                i += 2
                let d = try disjunction()
                try close()
                return (.look(behind: false, negative: negative, d), true)
            case 0x3C:
                if at(2) == 0x3D || at(2) == 0x21 {
                    let negative = at(2) == 0x21
                    i += 3
                    let d = try disjunction()
                    try close()
                    return (.look(behind: true, negative: negative, d), false)
                }
                i += 2
                let name = try groupName()
                capturesStarted += 1
                let n = capturesStarted
                if names[name] != nil { throw RegexSyntaxError() }  // Duplicate capture group name
                names[name] = n
                openGroups.insert(n)
                let d = try disjunction()
                openGroups.remove(n)
                try close()
                return (.group(n, d), true)
            default:
                throw RegexSyntaxError()  // Invalid group
            }
        }
        capturesStarted += 1
        let n = capturesStarted
        openGroups.insert(n)
        let d = try disjunction()
        openGroups.remove(n)
        try close()
        return (.group(n, d), true)
    }

    private mutating func close() throws(RegexSyntaxError) {
        guard isChar(0x29) else { throw RegexSyntaxError() }  // Unterminated group
        i += 1
    }

    /// A group name up to ">" (after "<"): identifier code points, `\u` escapes allowed.
    private mutating func groupName() throws(RegexSyntaxError) -> [UInt32] {
        var name: [UInt32] = []
        while true {
            guard var c = codePoint() else { throw RegexSyntaxError() }
            if c == 0x5C {
                guard isChar(0x75) else { throw RegexSyntaxError() }
                i += 1
                guard let v = unicodeEscapeInName() else { throw RegexSyntaxError() }
                c = v
            } else if c == 0x3E && !name.isEmpty {
                return name
            }
            let ok = name.isEmpty ? JSSets.groupNameStart.contains(c) : JSSets.groupNamePart.contains(c)
            if !ok || c == 0x5C { throw RegexSyntaxError() }  // Invalid capture group name
            name.append(c)
        }
    }

    /// The next code point, a surrogate pair combined (names read code points even without u).
    private mutating func codePoint() -> UInt32? {
        guard let c = current else { return nil }
        i += 1
        if c >= 0xD800 && c <= 0xDBFF, let d = current, d >= 0xDC00 && d <= 0xDFFF {
            i += 1
            return 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00)
        }
        return c
    }

    /// After "\u" in a name: `XXXX` (a surrogate pair of escapes combined) or `{X...}`.
    private mutating func unicodeEscapeInName() -> UInt32? {
        if isChar(0x7B) {
            i += 1
            var v: UInt32 = 0
            var n = 0
            while let c = current, let h = JSParser.hexValue(c) {
                v = v &* 16 &+ h
                if v > 0x10FFFF { return nil }
                n += 1
                i += 1
            }
            guard n > 0, isChar(0x7D) else { return nil }
            i += 1
            return v
        }
        guard let v = hex(4) else { return nil }
        if v >= 0xD800 && v <= 0xDBFF, isChar(0x5C), isChar(0x75, 1) {
            let save = i
            i += 2
            if let w = hex(4), w >= 0xDC00 && w <= 0xDFFF {
                return 0x10000 + ((v - 0xD800) << 10) + (w - 0xDC00)
            }
            i = save
        }
        return v
    }

    static func hexValue(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// `n` hex digits, moving past them; nil (not moving) otherwise.
    private mutating func hex(_ n: Int) -> UInt32? {
        var v: UInt32 = 0
        for k in 0..<n {
            guard let c = at(k), let h = JSParser.hexValue(c) else { return nil }
            v = v * 16 + h
        }
        i += n
        return v
    }

    /// At "\" outside a class (not \b or \B).
    private mutating func atomEscape() throws(RegexSyntaxError) -> JSNode {
        guard let next = at(1) else { throw RegexSyntaxError() }
        switch next {
        case 0x31...0x39:
            // A backreference when the pattern has that many groups.
            let start = i
            i += 1
            var value = 0
            while let c = current, c >= 0x30 && c <= 0x39 {
                value = value * 10 + Int(c - 0x30)
                i += 1
                if value > 65536 { break }
            }
            if value <= captureCount && value <= 65536 {
                return .backreference(openGroups.contains(value) ? nil : value)
            }
            i = start
            if next == 0x38 || next == 0x39 {
                i += 2
                return .units(CodePointSet(next), invert: false, literal: true)
            }
            i += 1
            return .units(CodePointSet(octal()), invert: false, literal: true)
        case 0x30:
            i += 1
            return .units(CodePointSet(octal()), invert: false, literal: true)
        case 0x64, 0x44, 0x73, 0x53, 0x77, 0x57:
            i += 2
            return JSSets.escapeClass(next)
        case 0x6B where hasNamedCaptures:
            i += 2
            guard isChar(0x3C) else { throw RegexSyntaxError() }  // Invalid named reference
            i += 1
            let name = try groupName()
            pendingNamed.append((name, openGroups))
            // resolved once every group is known
            return .backreference(-pendingNamed.count)
        default:
            let c = try characterEscape(inClass: false)
            return .units(CodePointSet(c), invert: false, literal: true)
        }
    }

    /// ParseOctalLiteral at a digit 0-7: up to three digits, below 256.
    private mutating func octal() -> UInt32 {
        guard let d0 = current, d0 >= 0x30 && d0 <= 0x37 else { return 0 }
        var v = d0 - 0x30
        i += 1
        if let d1 = current, d1 >= 0x30 && d1 <= 0x37 {
            v = v * 8 + (d1 - 0x30)
            i += 1
            if v < 32, let d2 = current, d2 >= 0x30 && d2 <= 0x37 {
                v = v * 8 + (d2 - 0x30)
                i += 1
            }
        }
        return v
    }

    /// ParseCharacterEscape at "\": the unit it stands for.
    private mutating func characterEscape(inClass: Bool) throws(RegexSyntaxError) -> UInt32 {
        i += 1  // past "\"
        guard let c = current else { throw RegexSyntaxError() }
        switch c {
        case 0x66: i += 1; return 0x0C
        case 0x6E: i += 1; return 0x0A
        case 0x72: i += 1; return 0x0D
        case 0x74: i += 1; return 0x09
        case 0x76: i += 1; return 0x0B
        case 0x63:  // c
            if let l = at(1) {
                let letter = l & ~0x20
                if letter >= 0x41 && letter <= 0x5A {
                    i += 2
                    return l & 0x1F
                }
                if inClass && ((l >= 0x30 && l <= 0x39) || l == 0x5F) {
                    i += 2
                    return l & 0x1F
                }
            }
            return 0x5C  // a backslash; "c" is read next
        case 0x30:
            if let n = at(1), n >= 0x30 && n <= 0x39 { return octal() }
            i += 1
            return 0
        case 0x31...0x37:
            return octal()
        case 0x78:  // x
            i += 1
            return hex(2) ?? 0x78
        case 0x75:  // u
            i += 1
            return hex(4) ?? 0x75
        default:
            if c == 0x6B && hasNamedCaptures { throw RegexSyntaxError() }  // Invalid escape
            i += 1
            return c
        }
    }

    /// After "[".
    private mutating func characterClass() throws(RegexSyntaxError) -> JSNode {
        i += 1
        let negated = isChar(0x5E)
        if negated { i += 1 }
        var set = CodePointSet.empty
        var flat: [UInt32] = []
        while let c = current, c != 0x5D {
            let a1 = try classAtom()
            if isChar(0x2D) {
                i += 1
                guard let n = current else { break }  // unterminated, reported below
                if n == 0x5D {
                    if case .unit(let u) = a1 { flat += [u, u] } else if case .set(let x) = a1 { set = set.union(x) }
                    flat += [0x2D, 0x2D]
                    break
                }
                let a2 = try classAtom()
                switch (a1, a2) {
                case (.unit(let lo), .unit(let hi)):
                    if lo > hi { throw RegexSyntaxError() }  // Range out of order
                    flat += [lo, hi]
                default:
                    // An escaped class at either end: the "-" is literal (Annex B)
                    for a in [a1, a2] {
                        switch a {
                        case .unit(let u): flat += [u, u]
                        case .set(let x): set = set.union(x)
                        }
                    }
                    flat += [0x2D, 0x2D]
                }
            } else {
                switch a1 {
                case .unit(let u): flat += [u, u]
                case .set(let x): set = set.union(x)
                }
            }
            _ = c
        }
        guard isChar(0x5D) else { throw RegexSyntaxError() }  // Unterminated character class
        i += 1
        return .units(set.union(CodePointSet(ranges: flat)), invert: negated, literal: false)
    }

    private enum ClassAtom {
        case unit(UInt32)
        case set(CodePointSet)
    }

    private mutating func classAtom() throws(RegexSyntaxError) -> ClassAtom {
        guard let c = current else { throw RegexSyntaxError() }
        guard c == 0x5C else {
            i += 1
            return .unit(c)
        }
        guard let next = at(1) else { throw RegexSyntaxError() }  // \ at end of pattern
        switch next {
        case 0x62:
            i += 2
            return .unit(0x08)
        case 0x64, 0x44, 0x73, 0x53, 0x77, 0x57:
            i += 2
            if case .units(let set, let invert, _) = JSSets.escapeClass(next) {
                return .set(invert ? set.complement(upTo: 0xFFFF) : set)
            }
            return .set(.empty)
        default:
            return .unit(try characterEscape(inClass: true))
        }
    }

    /// Named backreferences get their group numbers (a name no group has is an error).
    private func resolve(_ d: JSDisjunction) throws(RegexSyntaxError) -> JSDisjunction {
        var out = JSDisjunction(alternatives: [])
        for alt in d.alternatives {
            var terms: [JSNode] = []
            for n in alt { terms.append(try resolve(n)) }
            out.alternatives.append(terms)
        }
        return out
    }

    private func resolve(_ n: JSNode) throws(RegexSyntaxError) -> JSNode {
        switch n {
        case .backreference(let g?) where g < 0:
            let k = -g - 1
            guard k < pendingNamed.count, let target = names[pendingNamed[k].name] else { throw RegexSyntaxError() }
            return .backreference(pendingNamed[k].open.contains(target) ? nil : target)
        case .group(let g, let d): return .group(g, try resolve(d))
        case .look(let b, let neg, let d): return .look(behind: b, negative: neg, try resolve(d))
        case .quantified(let a, let mn, let mx, let g): return .quantified(try resolve(a), min: mn, max: mx, greedy: g)
        default: return n
        }
    }
}

// MARK: - Character data

enum JSSets {
    /// LineTerminator: what `.` does not match.
    static let lineTerminators = CodePointSet(ranges: [0x0A, 0x0A, 0x0D, 0x0D, 0x2028, 0x2029])
    static let digit = CodePointSet(0x30, 0x39)
    static let word = CodePointSet(ranges: [0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A])
    /// WhiteSpace and LineTerminator.
    static let space = CodePointSet(ranges: [
        0x09, 0x0D, 0x20, 0x20, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x202F,
        0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF,
    ])
    static let canonicalize = CodePointMapping(table: JSRegexTables.canonicalize)
    static let groupNameStart = CodePointSet(table: JSRegexTables.groupNameStart)
    static let groupNamePart = CodePointSet(table: JSRegexTables.groupNamePart)

    static func escapeClass(_ c: UInt32) -> JSNode {
        switch c {
        case 0x64: return .units(digit, invert: false, literal: false)
        case 0x44: return .units(digit, invert: true, literal: false)
        case 0x73: return .units(space, invert: false, literal: false)
        case 0x53: return .units(space, invert: true, literal: false)
        case 0x77: return .units(word, invert: false, literal: false)
        default: return .units(word, invert: true, literal: false)
        }
    }
}

struct JSEmitContext {
    var ignoreCase: Bool

    /// The code units a units node matches: with "i", those whose Canonicalize is one of the
    /// members' (CharacterSetMatcher), inverted after.
    func matched(_ set: CodePointSet, invert: Bool) -> CodePointSet {
        var s = set.intersection(CodePointSet(0, 0xFFFF))
        if ignoreCase { s = s.image(JSSets.canonicalize).preimage(JSSets.canonicalize) }
        return invert ? s.complement(upTo: 0xFFFF) : s
    }
}

// MARK: - Emitter

struct JSEmitter {
    private let writer: RegexPCRE2Writer
    let context: JSEmitContext
    private var pool = RegexSetPool()
    /// PCRE2 group numbers: the pattern's groups in order, with the helper groups a variable
    /// lookbehind adds between them.
    private var pcreNumber: [Int: Int] = [:]
    private var nextGroup = 0
    /// Subroutines (DEFINE) for variable lookbehinds: their bodies, written after the
    /// pattern (so that groups in them are numbered after its own, as PCRE2 numbers them).
    private var defines: [JSDisjunction] = []

    init(units: RegexPCRE2Writer.Units, context: JSEmitContext, groups: Int) {
        writer = RegexPCRE2Writer(units)
        self.context = context
    }

    /// The whole pattern (backreference numbers as placeholders until `finish`).
    mutating func program(_ d: JSDisjunction) throws(RegexSyntaxError) -> String {
        var s = try emit(d)
        if !defines.isEmpty {
            s += "(?(DEFINE)"
            var k = 0
            while k < defines.count {  // a body may add more
                s += "(?<gbl\(k)>" + (try emit(defines[k])) + ")"
                k += 1
            }
            s += ")"
        }
        return s
    }

    /// Backreference placeholders replaced by PCRE2 group numbers; then the large classes.
    func finish(_ text: String) -> (String, String?) {
        var out = ""
        var ref: Int?
        for c in text.unicodeScalars {
            switch c.value {
            case 0xE002: ref = 0
            case 0xE003:
                out += "\\g{\(pcreNumber[ref ?? 0] ?? 0)}"
                ref = nil
            default:
                if let r = ref { ref = r &* 10 &+ Int(c.value &- 0x30) } else { out.unicodeScalars.append(c) }
            }
        }
        return pool.finish(out)
    }

    /// A class's text (a pool placeholder when large), written once per distinct set.
    private var setTexts: [CodePointSet: String] = [:]

    private mutating func setText(_ set: CodePointSet) -> String {
        if let t = setTexts[set] { return t }
        let t = pool.piece(writer.set(set))
        setTexts[set] = t
        return t
    }

    private mutating func emit(_ d: JSDisjunction) throws(RegexSyntaxError) -> String {
        if d.alternatives.count == 1 { return try emit(d.alternatives[0]) }
        var s = "(?:"
        for (k, alt) in d.alternatives.enumerated() {
            if k > 0 { s += "|" }
            s += try emit(alt)
        }
        return s + ")"
    }

    private mutating func emit(_ terms: [JSNode]) throws(RegexSyntaxError) -> String {
        var s = ""
        for t in terms { s += try emit(t).text }
        return s
    }

    private struct Piece {
        var text: String
        var atom: Bool
    }

    private mutating func emit(_ n: JSNode) throws(RegexSyntaxError) -> Piece {
        switch n {
        case .units(let set, let invert, _):
            let text = setText(context.matched(set, invert: invert))
            return Piece(text: text, atom: text != RegexPCRE2Writer.never)
        case .start: return Piece(text: "\\A", atom: false)
        case .end: return Piece(text: "\\z", atom: false)
        case .boundary, .nonBoundary:
            let w = setText(JSSets.word)
            let text = n.isBoundary
                ? "(?:(?<=\(w))(?!\(w))|(?<!\(w))(?=\(w)))" : "(?:(?<=\(w))(?=\(w))|(?<!\(w))(?!\(w)))"
            return Piece(text: text, atom: false)
        case .look(let behind, let negative, let d):
            if behind { return Piece(text: try lookbehind(d, negative: negative), atom: false) }
            return Piece(text: (negative ? "(?!" : "(?=") + (try emit(d)) + ")", atom: false)
        case .group(let g, let d):
            if let g {
                nextGroup += 1
                pcreNumber[g] = nextGroup
                return Piece(text: "(" + (try emit(d)) + ")", atom: true)
            }
            return Piece(text: "(?:" + (try emit(d)) + ")", atom: true)
        case .backreference(let g):
            guard let g else { return Piece(text: "(?:)", atom: true) }
            let ref = "\u{E002}\(g)\u{E003}"
            // Not an atom: PCRE2 10.42 fails a quantified unset backreference with a minimum
            // (\g{1}+) even when unset ones match empty; (?:\g{1})+ is right.
            return Piece(text: context.ignoreCase ? "(?i:" + ref + ")" : ref, atom: false)
        case .quantified(let a, let mn, let mx, let greedy):
            var item = try emit(a)
            if !item.atom { item.text = "(?:" + item.text + ")" }
            return Piece(text: try repeated(item.text, a, min: mn, max: mx, greedy: greedy), atom: false)
        }
    }

    /// `atom` repeated: PCRE2's counts (up to 65535) as they are; larger ones as nested repeats
    /// of copies (refused for an atom with groups, or one that can match empty); a minimum
    /// V8 counts as infinite never matches.
    private func repeated(_ atom: String, _ node: JSNode, min: UInt64, max: UInt64?, greedy: Bool) throws(RegexSyntaxError) -> String {
        let limit = UInt64(RegexPCRE2Writer.maxCount)
        if min <= limit && (max ?? 0) <= limit {
            return atom + RegexPCRE2Writer.quantifier(min: UInt32(min), max: max.map { UInt32($0) }, lazy: !greedy, possessive: false)
        }
        let w = node.width
        if w.max == 0 { return atom }  // an empty atom, e.g. (?:){99999999999}
        guard !node.hasGroups, w.min > 0 else { throw RegexSyntaxError() }
        if min >= jsInfinity { return RegexPCRE2Writer.never }
        var s = ""
        var rest = min
        var unit = atom
        while rest > 0 {
            let r = rest % limit
            if r > 0 { s += unit + "{\(r)}" }
            rest /= limit
            unit = "(?:" + unit + "{\(limit)})"
        }
        guard let max else { return s + atom + (greedy ? "*" : "*?") }
        func upTo(_ k: UInt64, _ level: Int) throws(RegexSyntaxError) -> String {
            if k <= limit { return atom + "{0,\(k)}" + (greedy ? "" : "?") }
            if level >= 16 { throw RegexSyntaxError() }
            let more = atom + "{\(limit)}" + (try upTo(k - limit, level + 1))
            let fewer = atom + "{0,\(limit - 1)}" + (greedy ? "" : "?")
            return greedy ? "(?:" + more + "|" + fewer + ")" : "(?:" + fewer + "|" + more + ")"
        }
        return s + (try upTo(max - min, 0))
    }

    /// A lookbehind: as it is when PCRE2 can measure it (one length per top-level
    /// alternative, no quantifier whose bounds differ, no backreference); otherwise, for a
    /// bounded length lo...hi, the union over each length k of "k units back, the body matches
    /// up to here": the rest of the subject is captured where the lookbehind is, and the body
    /// (a subroutine, written once) must be followed by exactly that rest.
    private mutating func lookbehind(_ body: JSDisjunction, negative: Bool) throws(RegexSyntaxError) -> String {
        let open = negative ? "(?<!" : "(?<="
        let d = body.reducedForLookbehind()
        if d.alternatives.allSatisfy({ Self.pcreFixed($0) }) {
            var s = open
            for (k, alt) in d.alternatives.enumerated() {
                if k > 0 { s += "|" }
                s += try emit(alt)
            }
            return s + ")"
        }
        let w = d.width
        guard let hi = w.max, hi - w.min <= 255, hi <= UInt64(RegexPCRE2Writer.maxCount) else { throw RegexSyntaxError() }
        nextGroup += 1
        let rest = nextGroup
        let name = "gbl\(defines.count)"
        defines.append(d)
        var s = "(?=(" + RegexPCRE2Writer.anyUnit + "*+))" + open
        for k in w.min...hi {
            if k > w.min { s += "|" }
            s += "(?=(?&\(name))\\g{\(rest)}\\z)" + RegexPCRE2Writer.anyUnit + "{\(k)}"
        }
        return s + ")"
    }

    /// Whether PCRE2 measures the sequence as one fixed length.
    static func pcreFixed(_ terms: [JSNode]) -> Bool { terms.allSatisfy(pcreFixed) }

    private static func pcreFixed(_ n: JSNode) -> Bool {
        switch n {
        case .units, .start, .end, .boundary, .nonBoundary, .look: return true
        case .backreference(let g): return g == nil
        case .group(_, let d):
            guard d.alternatives.allSatisfy(pcreFixed) else { return false }
            let lengths = Set(d.alternatives.map { JSDisjunction(alternatives: [$0]).width.min })
            return lengths.count == 1
        case .quantified(let a, let mn, let mx, _):
            return mx == mn && pcreFixed(a) && a.width.max == a.width.min && a.width.min > 0
        }
    }
}

extension JSNode {
    fileprivate var isBoundary: Bool {
        if case .boundary = self { return true }
        return false
    }
}
