import GrowthBookCore
import GrowthBookRegex

/// The library uses PCRE2 for regex conditions (bounded backtracking) rather than the core's
/// default engine. Installed once, before the first pattern can be compiled: the wrappers every
/// entry point runs in (`returningCode`, `returningString`, `returningText`, and `gb_create`)
/// call `ensureEngines()`, a one-time-initialisation check after the first call.
private let enginesInstalled: Void = PCRE2Matcher.install()

@inline(__always)
func ensureEngines() {
    _ = enginesInstalled
}
