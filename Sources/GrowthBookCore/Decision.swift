/// A feature's value and where it came from, without the experiment and result objects of a
/// `FeatureResult`: what typed evaluation hands to bindings.
public struct FeatureValue: Sendable {
    public let value: JSON
    public let source: FeatureSource
    /// Python truthiness of `value`.
    public let on: Bool
    public let ruleId: String?
    /// For `.experiment`, the assigned variation's index; otherwise -1.
    public let variationId: Int

    public init(value: JSON, source: FeatureSource, on: Bool, ruleId: String?, variationId: Int) {
        self.value = value
        self.source = source
        self.on = on
        self.ruleId = ruleId
        self.variationId = variationId
    }
}

/// What evaluating a feature decided, before any result object is built: small, and free of
/// allocation, so that `is_on` and typed values pay only for the decision. `FeatureResult`
/// is built from it when the caller wants one.
struct FeatureDecision {
    /// The value is not kept here (it is the feature's, the rule's or the variation's; see
    /// `Evaluator.value(of:featureAt:)`), so returning a decision copies no JSON.
    let source: FeatureSource
    /// Python truthiness of `value`, computed when the features were compiled.
    let isOn: Bool
    /// The rule that decided, or -1 (default value, unknown feature, prerequisite outcomes).
    var ruleIndex: Int = -1
    /// For `.experiment`: the assignment the result describes.
    var assignment: ExperimentAssignment? = nil
}

/// What the experiment steps decided for one user: the variation and how it was chosen. The
/// `ExperimentResult` object (strings for the hash attribute and value, the variation's key
/// and name) is built from it only when a result, a subscription or a tracking callback needs
/// one.
struct ExperimentAssignment {
    /// The experiment as run: the rule's own, or a copy with deprecated overrides applied.
    /// Held without a reference count: the rule's experiment lives as long as the feature set
    /// the evaluation holds, and a copy is kept alive by `overridden`.
    unowned(unsafe) let experiment: Experiment
    /// The copy with overrides applied, when there is one (it belongs to no feature set).
    private let overridden: Experiment?
    /// The result's variation index: 0 when the user is not in the experiment.
    let variationId: Int
    let inExperiment: Bool
    let hashUsed: Bool
    let bucket: Double?
    let stickyBucketUsed: Bool

    /// `variationId` out of range (including the -1 of "no variation") means not in the
    /// experiment, with variation 0 reported, as the reference's `_getExperimentResult` does.
    /// `ownsExperiment`: the experiment is a copy made for this evaluation (overrides), which
    /// the assignment keeps alive.
    init(
        _ experiment: Experiment, variationId: Int = -1, hashUsed: Bool = false, bucket: Double? = nil,
        stickyBucketUsed: Bool = false, ownsExperiment: Bool = false
    ) {
        self.experiment = experiment
        overridden = ownsExperiment ? experiment : nil
        if variationId < 0 || variationId >= experiment.variations.count {
            self.variationId = 0
            inExperiment = false
        } else {
            self.variationId = variationId
            inExperiment = true
        }
        self.hashUsed = hashUsed
        self.bucket = bucket
        self.stickyBucketUsed = stickyBucketUsed
    }

    var value: JSON {
        variationId < experiment.variations.count ? experiment.variations[variationId] : .null
    }

    var isOn: Bool {
        variationId < 64 ? experiment.variationsOn & (1 << UInt64(variationId)) != 0 : value.isTruthy
    }

    /// The variation's `meta` key, or its index as a string.
    var variationKey: String {
        variationId < experiment.variationLabels.count
            ? experiment.variationLabels[variationId].key : String(variationId)
    }

    var passthrough: Bool {
        variationId < experiment.variationLabels.count ? experiment.variationLabels[variationId].passthrough : false
    }
}
