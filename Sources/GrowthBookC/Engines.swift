import GrowthBookCore
import GrowthBookRegex

/// The library uses PCRE2 for regex conditions (bounded backtracking) rather than the core's
/// default engine. Installed once, before the first pattern can be compiled: patterns compile
/// only on a handle (which `gb_create` made, after calling `ensureLibraryInitialized()`) or in
/// `gb_eval_condition_json`, which calls it too. Evaluations compile nothing, so they skip
/// the check.
private let enginesInstalled: Void = PCRE2Matcher.install()

@inline(__always)
func ensureLibraryInitialized() {
    _ = enginesInstalled
    // A handle can start background threads: the destructor must stop them before dlclose.
    _ = LibraryUnload.installed
}
