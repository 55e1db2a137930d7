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
    public let coverage: Double?
    public let range: BucketRange?
    public let seed: String?
    /// `seed`, or the feature key: what the rollout hash uses.
    let hashSeed: HashSeed
    public let hashAttribute: String
    public let fallbackAttribute: String?
    /// The two attribute names with their hashes, for look-ups in the attributes.
    let hashAttributeKey: JSONKey
    let fallbackAttributeKey: JSONKey?
    public let hashVersion: Int
    /// Non-nil when the rule has variations.
    public let experiment: Experiment?
    private let featureKey: String
    /// The text of this rule's results, for an experiment rule, made on first use.
    private let templates: Lazy<ResultTemplates>?

    init(_ o: JSONObject, featureKey: String, savedGroups: JSONObject?) {
        id = o["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let conditionJSON = o["condition"] ?? .null
        condition = conditionJSON.isTruthy ? Condition(conditionJSON, savedGroups: savedGroups) : nil
        parentConditions = ParentCondition.list(o["parentConditions"] ?? .null, savedGroups: savedGroups)
        filters = HashFilter.list(o["filters"] ?? .null)
        force = o["force"].flatMap { $0.isNull ? nil : $0 }
        forceIsOn = force?.isTruthy ?? false
        coverage = o["coverage"]?.doubleValue
        range = o["range"].flatMap { BucketRange(json: $0) }
        let seedValue = o["seed"]?.stringValue
        seed = seedValue?.isEmpty == true ? nil : seedValue
        hashSeed = HashSeed(seed ?? featureKey)
        hashAttribute = o["hashAttribute"]?.stringValue ?? "id"
        let disableSticky = o["disableStickyBucketing"]?.isTruthy ?? false
        let fallback = o["fallbackAttribute"]?.stringValue
        fallbackAttribute = disableSticky || fallback?.isEmpty == true ? nil : fallback
        hashAttributeKey = JSONKey(hashAttribute)
        fallbackAttributeKey = fallbackAttribute.map { JSONKey($0) }
        let hv = o["hashVersion"]?.intValue ?? 0
        hashVersion = hv == 0 ? 1 : hv
        if force == nil, o["variations"]?.arrayValue != nil {
            experiment = Experiment(o, featureKey: featureKey, savedGroups: savedGroups)
        } else {
            experiment = nil
        }
        self.featureKey = featureKey
        templates = experiment == nil ? nil : Lazy()
    }

    /// The result text parts of this rule's experiment (nil for a force rule).
    var resultTemplates: ResultTemplates? {
        guard let templates, let experiment else { return nil }
        return templates.value { ResultTemplates(featureKey: featureKey, ruleId: id, experiment: experiment) }
    }
}
