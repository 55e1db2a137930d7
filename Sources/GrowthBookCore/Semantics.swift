/// Which reference's rules an evaluation follows, chosen when features are compiled (the
/// `"semantics"` option of a handle): the GrowthBook references disagree with each other on a
/// few percent of inputs, and an experimentation SDK must agree exactly with the one beside it.
///
/// Each difference between the references is one named switch of `SemanticsRules`, read
/// while compiling (it picks the compiled form: an operator, a record flag), never tested per
/// evaluation. docs/semantics.md has the table of differences with an example each.
public enum Semantics: Sendable, Hashable, CaseIterable {
    /// GrowthBook's reference JavaScript SDK (spec 0.8.0): what GrowthBook's app and its other
    /// SDKs are built around.
    case js
    /// The Python `growthbook` package 1.1.0, exactly (spec 0.5.4 era).
    case python110

    /// The profile of a handle that names none.
    public static let `default` = Semantics.python110

    /// The option value: "js", "python-1.1.0".
    public var name: String {
        switch self {
        case .js: return "js"
        case .python110: return "python-1.1.0"
        }
    }

    /// Whether payloads' and options' `contextualBandits` mean anything (spec 0.8.0).
    public var readsContextualBandits: Bool { rules.contextualBandits }

    public init?(name: String) {
        guard let s = Semantics.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }
}

/// The switches that tell the references apart, one per difference (docs/semantics.md), for
/// the compiler to read. Each is named for what it changes, and says which reference does it.
struct SemanticsRules: Sendable {
    /// Spec 0.8.0's contextual bandits: a rule's `contextualVariations` (before `variations`)
    /// and `contextualBanditRef`, whose leaves choose the weights (JS). Python 1.1.0 knows
    /// neither key: a rule with only `contextualVariations` has no variations and is skipped.
    let contextualBandits: Bool
    /// `"force": null` forces the value null (JS: `"force" in rule`); Python 1.1.0 reads a
    /// null force as none (`force is not None`), so the rule is an experiment or invalid.
    let nullForceForces: Bool
    /// An experiment rule's condition is the experiment's: checked inside the assignment,
    /// after the query-string override, forcedVariations and a sticky bucket, which win over
    /// a failing condition (JS). Python 1.1.0 checks it first, as for any rule.
    let experimentRuleConditionInAssignment: Bool
    /// A hash filter whose attribute is missing or empty filters the user out, as does an
    /// unknown hashVersion, and a filter without a seed hashes with "undefined" (JS). Python
    /// 1.1.0 stops looking at the filters there and keeps the user, with "" as the seed.
    let filterWithoutValueExcludes: Bool

    static let js = SemanticsRules(
        contextualBandits: true, nullForceForces: true, experimentRuleConditionInAssignment: true,
        filterWithoutValueExcludes: true)
    static let python110 = SemanticsRules(
        contextualBandits: false, nullForceForces: false, experimentRuleConditionInAssignment: false,
        filterWithoutValueExcludes: false)
}

extension Semantics {
    var rules: SemanticsRules {
        switch self {
        case .js: return .js
        case .python110: return .python110
        }
    }
}
