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
    /// A contextual bandit's `,"leafId":…,"variationWeights":…,"banditVersion":…` as JSON text
    /// (nil: none).
    let banditMembers: [UInt8]?

    public init(
        featureId: String?, variationId: Int, inExperiment: Bool, value: JSON, hashUsed: Bool,
        hashAttribute: String, hashValue: JSON, key: String, name: String?, passthrough: Bool, bucket: Double?,
        stickyBucketUsed: Bool, banditMembers: [UInt8]? = nil
    ) {
        self.banditMembers = banditMembers
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
    public func write(to out: inout TextBuffer) {
        Self.writeHead(
            featureId: featureId, variationId: variationId, inExperiment: inExperiment, value: value,
            hashUsed: hashUsed, hashAttribute: hashAttribute, to: &out)
        hashValue.write(to: &out)
        Self.writeKey(key, to: &out)
        Self.writeTail(stickyBucketUsed: stickyBucketUsed, bucket: bucket, to: &out)
        Self.writeEnd(name: name, passthrough: passthrough, banditMembers: banditMembers, to: &out)
    }

    // The text in parts (`ResultWriting.swift` writes the same shape straight from a decision;
    // `ResultTextTests` checks that both give the same bytes).

    /// `{"featureId":…,"hashValue":` (the value follows).
    static func writeHead(
        featureId: String?, variationId: Int, inExperiment: Bool, value: JSON, hashUsed: Bool, hashAttribute: String,
        to out: inout TextBuffer
    ) {
        out.appendLiteral(#"{"featureId":"#)
        if let featureId { JSON.writeString(featureId, to: &out) } else { out.appendLiteral("null") }
        out.appendLiteral(#","variationId":"#)
        out.appendInteger(variationId)
        inExperiment ? out.appendLiteral(#","inExperiment":true,"value":"#) : out.appendLiteral(#","inExperiment":false,"value":"#)
        value.write(to: &out)
        hashUsed ? out.appendLiteral(#","hashUsed":true,"hashAttribute":"#) : out.appendLiteral(#","hashUsed":false,"hashAttribute":"#)
        JSON.writeString(hashAttribute, to: &out)
        out.appendLiteral(#","hashValue":"#)
    }

    /// `,"key":…`
    static func writeKey(_ key: String, to out: inout TextBuffer) {
        out.appendLiteral(#","key":"#)
        JSON.writeString(key, to: &out)
    }

    /// `,"stickyBucketUsed":…,"bucket":…`
    @inline(__always)
    static func writeTail(stickyBucketUsed: Bool, bucket: Double?, to out: inout TextBuffer) {
        stickyBucketUsed ? out.appendLiteral(#","stickyBucketUsed":true"#) : out.appendLiteral(#","stickyBucketUsed":false"#)
        if let bucket {
            out.appendLiteral(#","bucket":"#)
            JSON.writeDouble(bucket, to: &out)
        }
    }

    /// `,"name":…,"passthrough":true}`
    static func writeEnd(name: String?, passthrough: Bool, banditMembers: [UInt8]? = nil, to out: inout TextBuffer) {
        if let name, !name.isEmpty {
            out.appendLiteral(#","name":"#)
            JSON.writeString(name, to: &out)
        }
        if passthrough { out.appendLiteral(#","passthrough":true"#) }
        if let banditMembers { banditMembers.withUnsafeBufferPointer { out.append($0) } }
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
        if let banditMembers {
            // The members as an object's text: `{` + the text without its leading comma + `}`.
            let text = [UInt8(ascii: "{")] + banditMembers.dropFirst() + [UInt8(ascii: "}")]
            if let extra = try? JSON.parse(text), let members = extra.objectValue {
                for (k, v) in members.pairs { o[k] = v }
            }
        }
        return .object(o)
    }
}

/// Where a feature's value came from.
public enum FeatureSource: String, Sendable, BitwiseCopyable {
    case unknownFeature
    case defaultValue
    case force
    case experiment
    case prerequisite
    case cyclicPrerequisite

    /// `rawValue` as static text, which results are written from without a String.
    var name: StaticString {
        switch self {
        case .unknownFeature: return "unknownFeature"
        case .defaultValue: return "defaultValue"
        case .force: return "force"
        case .experiment: return "experiment"
        case .prerequisite: return "prerequisite"
        case .cyclicPrerequisite: return "cyclicPrerequisite"
        }
    }
}

/// The outcome of evaluating a feature for one user (the reference's `FeatureResult`).
public struct FeatureResult: Sendable {
    public var value: JSON
    public var source: FeatureSource
    public var ruleId: String?
    public var experiment: Experiment?
    public var experimentResult: ExperimentResult?
    /// `on`, as the evaluation's semantics had it (nil: Python's truthiness of the value).
    let isOn: Bool?

    public init(
        value: JSON, source: FeatureSource, ruleId: String? = nil, experiment: Experiment? = nil,
        experimentResult: ExperimentResult? = nil, isOn: Bool? = nil
    ) {
        self.isOn = isOn
        self.value = value
        self.source = source
        self.ruleId = ruleId
        self.experiment = experiment
        self.experimentResult = experimentResult
    }

    /// The value's truthiness as the semantics has it (JavaScript's: `[]` and `{}` are on;
    /// Python's: off).
    public var on: Bool { isOn ?? value.isTruthy }
    public var off: Bool { !on }

    /// `json` as compact text, written directly; the experiment's text was written when the
    /// features were set.
    public func write(to out: inout TextBuffer) {
        Self.writeHead(value: value, source: source, ruleId: ruleId, experiment: experiment, on: on, to: &out)
        if let experimentResult {
            out.appendLiteral(#","experimentResult":"#)
            experimentResult.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Everything before `,"experimentResult":` and the closing brace.
    static func writeHead(
        value: JSON, source: FeatureSource, ruleId: String?, experiment: Experiment?, on: Bool? = nil,
        to out: inout TextBuffer
    ) {
        out.appendLiteral(#"{"value":"#)
        value.write(to: &out)
        out.appendLiteral(#","source":""#)
        out.appendLiteral(source.name)
        (on ?? value.isTruthy)
            ? out.appendLiteral(#"","on":true,"off":false,"ruleId":"#)
            : out.appendLiteral(#"","on":false,"off":true,"ruleId":"#)
        JSON.writeString(ruleId ?? "", to: &out)
        if let experiment {
            out.appendLiteral(#","experiment":"#)
            out.append(experiment.serialized)
        }
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
