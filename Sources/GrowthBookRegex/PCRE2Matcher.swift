import CPCRE2
import GrowthBookCore

/// Regex conditions through PCRE2: Perl/Python syntax, JIT-compiled, and bounded. A match that
/// backtracks past the limits stops with an error, which the condition treats as failed (as the
/// reference treats a raised exception), so a pathological pattern such as `(a+)+$` against a
/// long near-miss costs milliseconds instead of hanging the host.
public final class PCRE2Matcher: RegexMatcher, @unchecked Sendable {
    // Compiled code is read-only once built and safe to match from many threads.
    private let code: OpaquePointer

    /// Backtracking steps and nesting depth one search may use.
    public static let matchLimit: UInt32 = 1_000_000
    public static let depthLimit: UInt32 = 10_000

    /// Shared by every search: it holds only the limits.
    // Read-only after creation; PCRE2 match contexts may be shared between threads.
    nonisolated(unsafe) private static let context: OpaquePointer? = {
        guard let ctx = pcre2_match_context_create_8(nil) else { return nil }
        pcre2_set_match_limit_8(ctx, matchLimit)
        pcre2_set_depth_limit_8(ctx, depthLimit)
        return ctx
    }()

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
        guard let matchData = pcre2_match_data_create_from_pattern_8(code, nil) else { return nil }
        defer { pcre2_match_data_free_8(matchData) }
        // A NULL subject pointer is only allowed for a zero length, which is what an empty
        // buffer may give.
        let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)
        let rc = pcre2_match_8(code, base, bytes.count, 0, 0, matchData, Self.context)
        if rc >= 0 { return true }
        if rc == PCRE2_ERROR_NOMATCH { return false }
        return nil  // a limit reached, or another matching error
    }
}
