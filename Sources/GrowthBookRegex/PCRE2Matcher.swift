import CPCRE2
import CThreadScope
import GrowthBookCore

/// Regex conditions through PCRE2, JIT-compiled and bounded. The engine compiles a pattern a
/// dialect translated (`RegexDialect`: the reference's syntax rewritten with every class and
/// anchor explicit), never the reference's text. A match that backtracks past the limits stops
/// with an error, which the condition treats as failed (as the reference treats a raised
/// exception), so a pathological pattern such as `(a+)+$` against a long near-miss costs
/// milliseconds instead of hanging the host; and every gb_ call has a budget of steps for all
/// its searches together (`RegexBudget`), so a thousand of them cost tens of milliseconds, not
/// seconds.
///
/// A JavaScript pattern that can tell a character outside the BMP from its two UTF-16 code
/// units also has a 16-bit program (`RegexTranslation.utf16Pattern`); a subject holding such a
/// character (a UTF-8 lead byte 0xF0-0xF4) is transcoded to UTF-16 on the stack and matched
/// with it. Every other search matches the UTF-8 bytes as they are.
public final class PCRE2Matcher: RegexMatcher, @unchecked Sendable {
    // Compiled code is read-only once built and safe to match from many threads.
    private let code: OpaquePointer
    private let code16: OpaquePointer?

    /// Backtracking steps and nesting depth one search may use at most.
    public static let matchLimit: UInt32 = 1_000_000
    public static let depthLimit: UInt32 = 10_000
    /// Group nesting a translated pattern may have: the translators refuse patterns nested
    /// deeper than `RegexDialect.maxDepth` and write at most a few groups per level.
    static let parensNestLimit: UInt32 = 1_000

    /// The step limits a search may be given: the smallest that covers its subject (see
    /// `RegexBudget`), each a match context shared by every search (read-only after creation;
    /// PCRE2 match contexts may be shared between threads).
    static let tiers: [UInt32] = [10_000, 100_000, matchLimit]
    nonisolated(unsafe) private static let contexts: [OpaquePointer?] = tiers.map { limit in
        guard let ctx = pcre2_match_context_create_8(nil) else { return nil }
        pcre2_set_match_limit_8(ctx, limit)
        pcre2_set_depth_limit_8(ctx, depthLimit)
        return ctx
    }
    nonisolated(unsafe) private static let contexts16: [OpaquePointer?] = tiers.map { limit in
        guard let ctx = pcre2_match_context_create_16(nil) else { return nil }
        pcre2_set_match_limit_16(ctx, limit)
        pcre2_set_depth_limit_16(ctx, depthLimit)
        return ctx
    }
    nonisolated(unsafe) private static let compileContext: OpaquePointer? = {
        let ctx = pcre2_compile_context_create_8(nil)
        if let ctx { pcre2_set_parens_nest_limit_8(ctx, parensNestLimit) }
        return ctx
    }()
    nonisolated(unsafe) private static let compileContext16: OpaquePointer? = {
        let ctx = pcre2_compile_context_create_16(nil)
        if let ctx { pcre2_set_parens_nest_limit_16(ctx, parensNestLimit) }
        return ctx
    }()

    /// Installs PCRE2 as the engine of every pattern compiled from now on.
    public static func install() {
        RegexEngine.install(Compiler())
    }

    struct Compiler: RegexCompiler {
        func compile(_ translation: RegexTranslation) -> (any RegexMatcher)? {
            PCRE2Matcher(translation)
        }
    }

    /// A pattern in PCRE2's own syntax (what a translation holds), in `dialect`'s flavour.
    public convenience init?(_ pattern: String, dialect: RegexDialect, ignoreCase: Bool = false) {
        guard let t = dialect.translate(pattern, ignoreCase: ignoreCase) else { return nil }
        self.init(t)
    }

    public init?(_ translation: RegexTranslation) {
        // UTF: patterns and subjects are UTF-8. No UCP and no CASELESS: the translation spells
        // out every class (a case-insensitive literal as the class of its case variants).
        var options = UInt32(PCRE2_UTF)
        if translation.options.contains(.unsetBackreferenceMatchesEmpty) { options |= UInt32(PCRE2_MATCH_UNSET_BACKREF) }
        // The pattern with its classes in place, or the compact one when that is too large.
        guard let compiled = Self.compile8(translation.pattern, options) ?? translation.compactPattern.flatMap({ Self.compile8($0, options) })
        else { return nil }
        var compiled16: OpaquePointer?
        if let u16 = translation.utf16Pattern {
            // The 16-bit program has no UTF: every code unit is a value 0...0xFFFF (its text is
            // ASCII, units written as \x{...}).
            let options16 = options & ~UInt32(PCRE2_UTF)
            compiled16 = Self.compile16(u16, options16) ?? translation.utf16CompactPattern.flatMap { Self.compile16($0, options16) }
            guard let compiled16 else {
                pcre2_code_free_8(compiled)
                return nil
            }
            _ = pcre2_jit_compile_16(compiled16, UInt32(PCRE2_JIT_COMPLETE))
        }
        code = compiled
        code16 = compiled16
        // JIT where the platform has it; the interpreter (with the same limits) otherwise.
        _ = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE))
    }

    private static func compile8(_ pattern: String, _ options: UInt32) -> OpaquePointer? {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        var p = pattern
        return p.withUTF8 { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, options, &errorCode, &errorOffset, Self.compileContext)
        }
    }

    private static func compile16(_ pattern: String, _ options: UInt32) -> OpaquePointer? {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let units = Array(pattern.utf16)
        return units.withUnsafeBufferPointer { b in
            pcre2_compile_16(b.baseAddress, b.count, options, &errorCode, &errorOffset, Self.compileContext16)
        }
    }

    deinit {
        pcre2_code_free_8(code)
        if let code16 { pcre2_code_free_16(code16) }
    }

    public func search(_ text: String) -> Bool? {
        var t = text
        return t.withUTF8 { search(utf8: $0) }
    }

    /// PCRE2 matches UTF-8 bytes as they are (subjects come from valid UTF-8: documents are
    /// built from Strings); a subject with a character outside the BMP goes to the 16-bit
    /// program when there is one.
    public func search(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        if code16 != nil && Self.hasAstral(bytes) { return search16(bytes) }
        // The call's budget pays for the search's limit; without enough left, the search is
        // not made (the condition fails, as for a search that reached its limit).
        guard let tier = RegexBudget.take(forSubjectBytes: bytes.count), let context = Self.contexts[tier] else {
            return nil
        }
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else { return nil }
        defer { pcre2_match_data_free_8(matchData) }
        // A NULL subject pointer is only allowed for a zero length, which is what an empty
        // buffer may give.
        let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)
        let rc = pcre2_match_8(code, base, bytes.count, 0, 0, matchData, context)
        if rc >= 0 { return true }
        if rc == PCRE2_ERROR_NOMATCH { return false }
        return nil  // a limit reached, or another matching error
    }

    /// Whether UTF-8 `bytes` hold a character outside the BMP (a four-byte sequence).
    @inline(__always)
    static func hasAstral(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes where b >= 0xF0 { return true }
        return false
    }

    private func search16(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let code16 else { return nil }
        guard let tier = RegexBudget.take(forSubjectBytes: bytes.count), let context = Self.contexts16[tier] else {
            return nil
        }
        // UTF-16 needs at most one code unit per UTF-8 byte. On the stack for short subjects
        // (Swift's temporary allocation), no allocation kept.
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: Swift.max(bytes.count, 1)) { buffer in
            let n = Self.transcode(bytes, into: buffer)
            guard let matchData = pcre2_match_data_create_from_pattern_16(code16, nil) else { return nil }
            defer { pcre2_match_data_free_16(matchData) }
            let base = UnsafePointer(buffer.baseAddress) ?? UnsafePointer(bitPattern: 2)
            let rc = pcre2_match_16(code16, base, n, 0, 0, matchData, context)
            if rc >= 0 { return true }
            if rc == PCRE2_ERROR_NOMATCH { return false }
            return nil
        }
    }

    /// UTF-8 to UTF-16 (a malformed sequence, which documents never hold, as U+FFFD); the
    /// number of units written (never more than `bytes.count`).
    static func transcode(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt16>) -> Int {
        var i = 0
        var n = 0
        let count = bytes.count
        while i < count && n < out.count {
            let b0 = UInt32(bytes[i])
            var scalar: UInt32 = 0xFFFD
            var length = 1
            if b0 < 0x80 {
                scalar = b0
            } else if b0 >= 0xC2 && b0 < 0xE0 && i + 1 < count {
                scalar = (b0 & 0x1F) << 6 | (UInt32(bytes[i + 1]) & 0x3F)
                length = 2
            } else if b0 >= 0xE0 && b0 < 0xF0 && i + 2 < count {
                scalar = (b0 & 0x0F) << 12 | (UInt32(bytes[i + 1]) & 0x3F) << 6 | (UInt32(bytes[i + 2]) & 0x3F)
                length = 3
            } else if b0 >= 0xF0 && b0 < 0xF5 && i + 3 < count {
                scalar = (b0 & 0x07) << 18 | (UInt32(bytes[i + 1]) & 0x3F) << 12 | (UInt32(bytes[i + 2]) & 0x3F) << 6
                    | (UInt32(bytes[i + 3]) & 0x3F)
                length = 4
            }
            i += length
            if scalar > 0xFFFF && scalar <= 0x10FFFF {
                guard n + 1 < out.count else { break }
                let v = scalar - 0x10000
                out[n] = UInt16(truncatingIfNeeded: 0xD800 | (v >> 10))
                out[n + 1] = UInt16(truncatingIfNeeded: 0xDC00 | (v & 0x3FF))
                n += 2
            } else {
                out[n] = UInt16(truncatingIfNeeded: scalar <= 0xFFFF ? scalar : 0xFFFD)
                n += 1
            }
        }
        return n
    }
}

/// The backtracking steps the searches of one gb_ call may use together, so that no payload
/// makes one call run for long however many regex conditions (or prerequisites naming them) it
/// evaluates. Deterministic: a search is charged the step limit it is given, whatever it used,
/// and that limit is the smallest tier covering 64 steps per subject byte (plus 16 bytes'
/// worth), ample for patterns that do not backtrack pathologically. When the budget cannot pay
/// for the smallest tier, the search is refused and the condition fails; the C layer logs a
/// warning once for the call. The budget lives in a C thread-local (CThreadScope), full when a
/// thread starts and refilled to `GB_REGEX_BUDGET_STEPS` when an outermost gb_ call ends (the
/// next call starts full). Swift code that searches through this engine outside the C layer
/// calls `refill()` per evaluation itself.
public enum RegexBudget {
    public static var steps: UInt64 { GB_REGEX_BUDGET_STEPS }

    /// Refills this thread's budget (an outermost call ended).
    @inline(__always)
    public static func refill() { gb_set_regex_budget(GB_REGEX_BUDGET_STEPS) }

    /// Whether a search of this thread's current call was refused or cut short for the budget.
    @inline(__always)
    public static var wasExhausted: Bool { gb_regex_budget() & GB_REGEX_BUDGET_EXHAUSTED != 0 }

    /// Charges a search of a subject of `n` bytes: the index of its tier in
    /// `PCRE2Matcher.tiers`, or nil (and the budget marked exhausted) when none is affordable.
    static func take(forSubjectBytes n: Int) -> Int? {
        let state = gb_regex_budget()
        var exhausted = state & GB_REGEX_BUDGET_EXHAUSTED
        let left = state & ~GB_REGEX_BUDGET_EXHAUSTED
        let tiers = PCRE2Matcher.tiers
        let need = UInt64(Swift.min(n, 1 << 40) &+ 16) &* 64
        let wanted = tiers.firstIndex { UInt64($0) >= need } ?? (tiers.count - 1)
        // Less left than that: the largest tier the rest pays for (a shorter search, but one).
        var tier = wanted
        while tier > 0 && UInt64(tiers[tier]) > left { tier -= 1 }
        let cost = UInt64(tiers[tier])
        if tier < wanted || cost > left { exhausted = GB_REGEX_BUDGET_EXHAUSTED }
        guard cost <= left else {
            gb_set_regex_budget(left | exhausted)
            return nil
        }
        gb_set_regex_budget((left &- cost) | exhausted)
        return tier
    }
}
