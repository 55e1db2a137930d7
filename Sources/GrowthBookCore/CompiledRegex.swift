import Synchronization

/// A pattern compiled by some regex engine: matches anywhere in a text (Python's
/// `re.search`), or reports that it could not tell within its limits.
public protocol RegexMatcher: AnyObject, Sendable {
    /// True or false, or nil when the engine gave up (a backtracking limit reached).
    func search(_ text: String) -> Bool?
    /// The same on UTF-8 bytes (what conditions hold: attribute strings are document bytes),
    /// so an engine that matches bytes needs no String per evaluation.
    func search(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool?
}

extension RegexMatcher {
    public func search(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool? {
        search(String(decoding: text, as: UTF8.self))
    }
}

/// Which engine compiles the patterns of conditions and URL targeting. By default Swift's
/// `Regex`, which has no backtracking limit; the C library installs PCRE2 with match and depth
/// limits (GrowthBookRegex), so that a pathological pattern costs milliseconds, not hours.
/// Patterns compile when features are set, so the lookup is not on the evaluation path.
public enum RegexEngine {
    /// Held as an object, not a closure: a closure stored in a generic container and read
    /// through `inout` is re-wrapped in a reabstraction thunk at every access, a chain that grew
    /// with every pattern compiled (found when repeated loads slowed down).
    private static let installed = Mutex<(any RegexCompiler)?>(nil)

    /// Makes `compiler` the engine for every pattern compiled from now on.
    public static func install(_ compiler: any RegexCompiler) {
        installed.withLock { $0 = compiler }
    }

    static func compile(_ translation: RegexTranslation) -> (any RegexMatcher)? {
        if let compiler = installed.withLock({ $0 }) { return compiler.compile(translation) }
        return SwiftRegexMatcher(translation)
    }
}

/// Compiles patterns for `RegexEngine`.
public protocol RegexCompiler: Sendable {
    /// A matcher for a pattern a dialect translated (`RegexDialect.translate`), or nil when it
    /// does not compile.
    func compile(_ translation: RegexTranslation) -> (any RegexMatcher)?
}

/// A regular expression compiled once, when features are set, by the installed engine: the
/// reference's pattern text, translated from its dialect (`RegexDialect`), so that the engine
/// matches what the reference would.
public final class CompiledRegex: Sendable {
    private let matcher: any RegexMatcher
    /// The pattern as the reference wrote it.
    public let pattern: String

    /// `nil` when the reference rejects the pattern, or the engine does not compile its
    /// translation (the reference then treats the match as failed).
    public init?(_ pattern: String, ignoreCase: Bool = false, dialect: RegexDialect) {
        guard let t = dialect.translate(pattern, ignoreCase: ignoreCase), let m = RegexEngine.compile(t) else {
            return nil
        }
        matcher = m
        self.pattern = pattern
    }

    /// Whether the pattern matches anywhere in `text`; nil when the engine gave up.
    public func search(_ text: String) -> Bool? { matcher.search(text) }

    /// As `search(_:)`, on UTF-8 bytes.
    func search(_ text: ByteSpan) -> Bool? { text.withBuffer { matcher.search(utf8: $0) } }
}

/// Swift's `Regex` (no Foundation), matching on Unicode scalars, for the core's own tests: it
/// compiles the translation's code-point pattern (whose syntax it shares with PCRE2 for what
/// the translators write, lookbehinds aside) and has no UTF-16 program, so a JavaScript
/// pattern that needs one matches subjects outside the BMP by code points; PCRE2 is the
/// library's engine.
final class SwiftRegexMatcher: RegexMatcher, @unchecked Sendable {
    // `Regex` is safe to match from many threads; its type is not marked Sendable.
    private let regex: Regex<AnyRegexOutput>

    init?(_ translation: RegexTranslation) {
        guard var r = (try? Regex(translation.pattern)) ?? translation.compactPattern.flatMap({ try? Regex($0) }) else {
            return nil
        }
        r = r.matchingSemantics(.unicodeScalar)
        regex = r
        // Lower the program now rather than on the first evaluation.
        _ = try? r.firstMatch(in: "")
    }

    func search(_ text: String) -> Bool? {
        do {
            return try regex.firstMatch(in: text) != nil
        } catch {
            return nil
        }
    }
}
