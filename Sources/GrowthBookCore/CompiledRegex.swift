/// A regular expression compiled once, when features are set. The engine is Swift's `Regex`
/// (no Foundation) matching on Unicode scalars, as Python's `re` matches on code points; it is
/// kept behind this one type so it can be swapped for another engine.
public final class CompiledRegex: @unchecked Sendable {
    // `Regex` is safe to match from many threads; its type is not marked Sendable.
    private let regex: Regex<AnyRegexOutput>
    public let pattern: String

    /// `nil` when the pattern does not compile (the reference then treats the match as failed).
    public init?(_ pattern: String, ignoreCase: Bool = false) {
        guard var r = try? Regex(pattern) else { return nil }
        r = r.matchingSemantics(.unicodeScalar)
        if ignoreCase { r = r.ignoresCase() }
        self.regex = r
        self.pattern = pattern
        // Lower the program now rather than on the first evaluation.
        _ = try? r.firstMatch(in: "")
    }

    /// Whether the pattern matches anywhere in `text` (Python's `re.search`).
    public func search(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}
