/// The outcome of running an experiment for one user (the reference's `Result`).
/// A class so that feature results carrying it stay small to copy.
public final class ExperimentResult: Sendable {
    public let featureId: String?
    public let variationId: Int
    public let inExperiment: Bool
    public let value: JSON
    public let hashUsed: Bool
    public let hashAttribute: String
    /// The attribute value as given (a number stays a number), or "" when missing.
    public let hashValue: JSON
    /// The variation's key: its `meta` key, or the variation index as a string.
    public let key: String
    public let name: String?
    public let passthrough: Bool
    public let bucket: Double?
    public let stickyBucketUsed: Bool

    public init(
        featureId: String?, variationId: Int, inExperiment: Bool, value: JSON, hashUsed: Bool,
        hashAttribute: String, hashValue: JSON, key: String, name: String?, passthrough: Bool, bucket: Double?,
        stickyBucketUsed: Bool
    ) {
        self.featureId = featureId
        self.variationId = variationId
        self.inExperiment = inExperiment
        self.value = value
        self.hashUsed = hashUsed
        self.hashAttribute = hashAttribute
        self.hashValue = hashValue
        self.key = key
        self.name = name
        self.passthrough = passthrough
        self.bucket = bucket
        self.stickyBucketUsed = stickyBucketUsed
    }

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
