import GrowthBookCore
import GrowthBookRegex

/// The library uses PCRE2 for regex conditions (bounded backtracking) rather than the core's
/// default engine. Installed once, before the first pattern can be compiled: every entry point
/// that compiles features, experiments or conditions calls `ensureEngines()` first.
private let enginesInstalled: Void = PCRE2Matcher.install()

@inline(__always)
func ensureEngines() {
    _ = enginesInstalled
}
