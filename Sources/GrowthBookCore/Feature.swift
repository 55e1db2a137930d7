/// A feature compiled once: its default value and its rules in order.
public final class Feature: Sendable {
    public let key: String
    public let defaultValue: JSON
    public let rules: [FeatureRule]
    /// Whether the default value is on: the whole answer of `is_on` for a feature without rules.
    let defaultIsOn: Bool

    public init(key: String, definition: JSON, savedGroups: JSONObject? = nil) {
        self.key = key
        let o = definition.objectValue ?? JSONObject()
        defaultValue = o["defaultValue"] ?? .null
        rules = (o["rules"]?.arrayValue ?? []).map {
            FeatureRule($0.objectValue ?? JSONObject(), featureKey: key, savedGroups: savedGroups)
        }
        defaultIsOn = defaultValue.isTruthy
    }
}

/// One rule of a feature: a forced value (optionally a percentage rollout) or an experiment.
public final class FeatureRule: Sendable {
    public let id: String?
    public let condition: Condition?
    public let parentConditions: [ParentCondition]
    public let filters: [HashFilter]?
    /// Non-nil for a force rule.
    public let force: JSON?
    /// Python truthiness of `force`.
    let forceIsOn: Bool
    /// The percentage-rollout settings, nil when all are the defaults (most rules): kept out
    /// of line so a plain rule costs a third of the memory.
    private let rollout: Rollout?
    /// Non-nil when the rule has variations.
    public let experiment: Experiment?
    /// The text of this rule's results, for an experiment rule, made on first use.
    private let templates: Lazy<ResultTemplates>?

    private final class Rollout: Sendable {
        let coverage: Double?
        let range: BucketRange?
        /// `seed`, or the feature key: what the rollout hash uses.
        let hashSeed: HashSeed
        let hasSeed: Bool
        var seed: String? { hasSeed ? hashSeed.string : nil }
        /// The two attribute names with their hashes, for look-ups in the attributes.
        let hashAttributeKey: JSONKey
        let fallbackAttributeKey: JSONKey?
        let hashVersion: Int
        init(
            coverage: Double?, range: BucketRange?, seed: String?, featureKey: String, hashAttributeKey: JSONKey,
            fallbackAttributeKey: JSONKey?, hashVersion: Int
        ) {
            self.coverage = coverage
            self.range = range
            hasSeed = seed != nil
            hashSeed = HashSeed(seed ?? featureKey)
            self.hashAttributeKey = hashAttributeKey
            self.fallbackAttributeKey = fallbackAttributeKey
            self.hashVersion = hashVersion
        }
    }
    private static let idKey = JSONKey("id")

    public var coverage: Double? { rollout?.coverage }
    public var range: BucketRange? { rollout?.range }
    public var seed: String? { rollout?.seed }
    public var hashAttribute: String { hashAttributeKey.string }
    public var fallbackAttribute: String? { rollout?.fallbackAttributeKey?.string }
    var hashAttributeKey: JSONKey { rollout?.hashAttributeKey ?? Self.idKey }
    var fallbackAttributeKey: JSONKey? { rollout?.fallbackAttributeKey }
    public var hashVersion: Int { rollout?.hashVersion ?? 1 }
    /// The rollout hash's seed; nil when the rule has no rollout settings (then it hashes
    /// nothing: no coverage, no range).
    var hashSeed: HashSeed? { rollout?.hashSeed }

    init(_ o: JSONObject, featureKey: String, savedGroups: JSONObject?) {
        id = o["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let conditionJSON = o["condition"] ?? .null
        condition = conditionJSON.isTruthy ? Condition(conditionJSON, savedGroups: savedGroups) : nil
        parentConditions = ParentCondition.list(o["parentConditions"] ?? .null, savedGroups: savedGroups)
        filters = HashFilter.list(o["filters"] ?? .null)
        force = o["force"].flatMap { $0.isNull ? nil : $0 }
        forceIsOn = force?.isTruthy ?? false
        let coverage = o["coverage"]?.doubleValue
        let range = o["range"].flatMap { BucketRange(json: $0) }
        let seedValue = o["seed"]?.stringValue
        let seed = seedValue?.isEmpty == true ? nil : seedValue
        let hashAttribute = o["hashAttribute"]?.stringValue ?? "id"
        let disableSticky = o["disableStickyBucketing"]?.isTruthy ?? false
        let fallback = o["fallbackAttribute"]?.stringValue
        let fallbackAttribute = disableSticky || fallback?.isEmpty == true ? nil : fallback
        let hashVersion = hashVersionOf(o["hashVersion"])
        if coverage == nil && range == nil && seed == nil && hashAttribute == "id" && fallbackAttribute == nil
            && hashVersion == 1
        {
            rollout = nil
        } else {
            rollout = Rollout(
                coverage: coverage, range: range, seed: seed, featureKey: featureKey,
                hashAttributeKey: JSONKey(hashAttribute),
                fallbackAttributeKey: fallbackAttribute.map { JSONKey($0) }, hashVersion: hashVersion)
        }
        if force == nil, o["variations"]?.arrayValue != nil {
            experiment = Experiment(o, featureKey: featureKey, savedGroups: savedGroups, compiledCondition: .some(condition))
        } else {
            experiment = nil
        }
        templates = experiment == nil ? nil : Lazy()
    }

    /// The result text parts of this rule's experiment (nil for a force rule); `featureKey` is
    /// the key of the feature the rule belongs to.
    func resultTemplates(featureKey: String) -> ResultTemplates? {
        guard let templates, let experiment else { return nil }
        return templates.value { ResultTemplates(featureKey: featureKey, ruleId: id, experiment: experiment) }
    }
}
