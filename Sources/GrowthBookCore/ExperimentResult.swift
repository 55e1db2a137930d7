/// The outcome of running an experiment for one user (the reference's `Result`).
public struct ExperimentResult: Sendable {
    public var featureId: String?
    public var variationId: Int
    public var inExperiment: Bool
    public var value: JSON
    public var hashUsed: Bool
    public var hashAttribute: String
    /// The attribute value as given (a number stays a number), or "" when missing.
    public var hashValue: JSON
    /// The variation's key: its `meta` key, or the variation index as a string.
    public var key: String
    public var name: String?
    public var passthrough: Bool
    public var bucket: Double?
    public var stickyBucketUsed: Bool

    /// The reference's `Result.to_dict()`.
    public var json: JSON {
        var o = JSONObject()
        o["featureId"] = featureId.map { .string($0) } ?? .null
        o["variationId"] = .int(Int64(variationId))
        o["inExperiment"] = .bool(inExperiment)
        o["value"] = value
        o["hashUsed"] = .bool(hashUsed)
        o["hashAttribute"] = .string(hashAttribute)
        o["hashValue"] = hashValue
        o["key"] = .string(key)
        o["stickyBucketUsed"] = .bool(stickyBucketUsed)
        if let bucket { o["bucket"] = .double(bucket) }
        if let name, !name.isEmpty { o["name"] = .string(name) }
        if passthrough { o["passthrough"] = .bool(true) }
        return .object(o)
    }
}

/// Where a feature's value came from.
public enum FeatureSource: String, Sendable {
    case unknownFeature
    case defaultValue
    case force
    case experiment
    case prerequisite
    case cyclicPrerequisite
}

/// The outcome of evaluating a feature for one user (the reference's `FeatureResult`).
public struct FeatureResult: Sendable {
    public var value: JSON
    public var source: FeatureSource
    public var ruleId: String?
    public var experiment: Experiment?
    public var experimentResult: ExperimentResult?

    public init(
        value: JSON, source: FeatureSource, ruleId: String? = nil, experiment: Experiment? = nil,
        experimentResult: ExperimentResult? = nil
    ) {
        self.value = value
        self.source = source
        self.ruleId = ruleId
        self.experiment = experiment
        self.experimentResult = experimentResult
    }

    /// Python truthiness of the value.
    public var on: Bool { value.isTruthy }
    public var off: Bool { !value.isTruthy }

    /// The reference's `FeatureResult.to_dict()`, with `ruleId` always present (empty when no
    /// rule applied) as the latest GrowthBook spec has it.
    public var json: JSON {
        var o = JSONObject()
        o["value"] = value
        o["source"] = .string(source.rawValue)
        o["on"] = .bool(on)
        o["off"] = .bool(off)
        o["ruleId"] = .string(ruleId ?? "")
        if let experiment { o["experiment"] = experiment.json }
        if let experimentResult { o["experimentResult"] = experimentResult.json }
        return .object(o)
    }
}
