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

    /// `json` as compact text, written directly (no intermediate object).
    public func write(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"featureId":"#.utf8)
        if let featureId { JSON.writeString(featureId, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","variationId":"#.utf8)
        out.append(contentsOf: String(variationId).utf8)
        out.append(contentsOf: inExperiment ? #","inExperiment":true,"value":"#.utf8 : #","inExperiment":false,"value":"#.utf8)
        value.write(to: &out)
        out.append(contentsOf: hashUsed ? #","hashUsed":true,"hashAttribute":"#.utf8 : #","hashUsed":false,"hashAttribute":"#.utf8)
        JSON.writeString(hashAttribute, to: &out)
        out.append(contentsOf: #","hashValue":"#.utf8)
        hashValue.write(to: &out)
        out.append(contentsOf: #","key":"#.utf8)
        JSON.writeString(key, to: &out)
        out.append(contentsOf: stickyBucketUsed ? #","stickyBucketUsed":true"#.utf8 : #","stickyBucketUsed":false"#.utf8)
        if let bucket {
            out.append(contentsOf: #","bucket":"#.utf8)
            JSON.writeDouble(bucket, to: &out)
        }
        if let name, !name.isEmpty {
            out.append(contentsOf: #","name":"#.utf8)
            JSON.writeString(name, to: &out)
        }
        if passthrough { out.append(contentsOf: #","passthrough":true"#.utf8) }
        out.append(UInt8(ascii: "}"))
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

    /// `json` as compact text, written directly; the experiment's text was written when the
    /// features were set.
    public func write(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"value":"#.utf8)
        value.write(to: &out)
        out.append(contentsOf: #","source":""#.utf8)
        out.append(contentsOf: source.rawValue.utf8)
        out.append(contentsOf: on ? #"","on":true,"off":false,"ruleId":"#.utf8 : #"","on":false,"off":true,"ruleId":"#.utf8)
        JSON.writeString(ruleId ?? "", to: &out)
        if let experiment {
            out.append(contentsOf: #","experiment":"#.utf8)
            out.append(contentsOf: experiment.serialized)
        }
        if let experimentResult {
            out.append(contentsOf: #","experimentResult":"#.utf8)
            experimentResult.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

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
