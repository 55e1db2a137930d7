import CPCRE2
import CThreadScope
import GrowthBookCore

/// Regex conditions through PCRE2: Perl/Python syntax, JIT-compiled, and bounded. A match that
/// backtracks past the limits stops with an error, which the condition treats as failed (as the
/// reference treats a raised exception), so a pathological pattern such as `(a+)+$` against a
/// long near-miss costs milliseconds instead of hanging the host; and every gb_ call has a
/// budget of steps for all its searches together (`RegexBudget`), so a thousand of them cost
/// tens of milliseconds, not seconds.
public final class PCRE2Matcher: RegexMatcher, @unchecked Sendable {
    // Compiled code is read-only once built and safe to match from many threads.
    private let code: OpaquePointer

    /// Backtracking steps and nesting depth one search may use at most.
    public static let matchLimit: UInt32 = 1_000_000
    public static let depthLimit: UInt32 = 10_000

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

    /// Installs PCRE2 as the engine of every pattern compiled from now on.
    public static func install() {
        RegexEngine.install(Compiler())
    }

    struct Compiler: RegexCompiler {
        func compile(_ pattern: String, ignoreCase: Bool) -> (any RegexMatcher)? {
            PCRE2Matcher(pattern, ignoreCase: ignoreCase)
        }
    }

    public init?(_ pattern: String, ignoreCase: Bool) {
        // UTF: patterns and subjects are UTF-8; UCP: \d, \w, \s and \b are Unicode-aware, as in
        // Python 3's `re` for str patterns.
        var options = UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP)
        if ignoreCase { options |= UInt32(PCRE2_CASELESS) }
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        var p = pattern
        let compiled: OpaquePointer? = p.withUTF8 { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else { return nil }
        code = compiled
        // JIT where the platform has it; the interpreter (with the same limits) otherwise.
        _ = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE))
    }

    deinit {
        pcre2_code_free_8(code)
    }

    public func search(_ text: String) -> Bool? {
        var t = text
        return t.withUTF8 { search(utf8: $0) }
    }

    /// PCRE2 matches UTF-8 bytes as they are (subjects come from valid UTF-8: documents are
    /// built from Strings).
    public func search(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
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
