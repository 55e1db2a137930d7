import Synchronization

/// An experiment, compiled once: from an inline definition (`run`) or from a feature's experiment
/// rule. Immutable and shared by reference, so results can carry it without copying.
///
/// Fields whose original JSON is echoed back in `json` (the reference's `to_dict()`) are kept as
/// given, in one compact text next to their compiled form.
public final class Experiment: Sendable {
    public let key: String
    /// FNV-1a of the key, for bookkeeping keyed by experiment.
    let keyHash: Int
    public let variations: [JSON]
    /// Python truthiness of the first 64 variations, one bit each, for `is_on`.
    let variationsOn: UInt64
    public let weights: [Double]?
    public let active: Bool
    public let coverage: Double?
    public let condition: Condition?
    public let parentConditions: [ParentCondition]
    /// The hash attribute's name with its hash, for look-ups in the attributes.
    let hashAttributeKey: JSONKey
    public let hashVersion: Int
    public let ranges: [BucketRange]?
    /// `ranges`, or the ranges from coverage and weights: computed once.
    public let effectiveRanges: [BucketRange]
    public let meta: [JSON]?
    /// Per variation, its result key (the `meta` key, or the index), name and passthrough.
    let variationLabels: [(key: String, name: String?, passthrough: Bool)]
    public let filters: [HashFilter]?
    /// `seed`, or the key when there is none: what the assignment hash uses.
    let hashSeed: HashSeed
    /// `status` is "draft" or `active` is false: the experiment assigns nobody.
    let isDraftOrInactive: Bool
    let isStopped: Bool

    /// Settings most experiments leave at their defaults, kept out of line (nil when all are
    /// defaults): an experiment of a large payload then costs a third less memory.
    private final class Rare: Sendable {
        let status: String
        let namespace: Namespace?
        let force: Int?
        let fallbackAttributeKey: JSONKey?
        let seed: String?
        let name: String?
        let phase: String?
        let disableStickyBucketing: Bool
        let bucketVersion: Int
        let minBucketVersion: Int
        let url: CompiledRegex?
        let urlPattern: String?
        let groups: [String]?

        init(
            status: String, namespace: Namespace?, force: Int?, fallbackAttributeKey: JSONKey?, seed: String?,
            name: String?, phase: String?, disableStickyBucketing: Bool, bucketVersion: Int, minBucketVersion: Int,
            url: CompiledRegex?, urlPattern: String?, groups: [String]?
        ) {
            self.status = status
            self.namespace = namespace
            self.force = force
            self.fallbackAttributeKey = fallbackAttributeKey
            self.seed = seed
            self.name = name
            self.phase = phase
            self.disableStickyBucketing = disableStickyBucketing
            self.bucketVersion = bucketVersion
            self.minBucketVersion = minBucketVersion
            self.url = url
            self.urlPattern = urlPattern
            self.groups = groups
        }
    }

    private let rare: Rare?

    public var status: String { rare?.status ?? "running" }
    public var namespace: Namespace? { rare?.namespace }
    public var force: Int? { rare?.force }
    public var hashAttribute: String { hashAttributeKey.string }
    public var fallbackAttribute: String? { rare?.fallbackAttributeKey?.string }
    /// The fallback attribute's name with its hash.
    var fallbackAttributeKey: JSONKey? { rare?.fallbackAttributeKey }
    public var seed: String? { rare?.seed }
    public var name: String? { rare?.name }
    public var phase: String? { rare?.phase }
    public var disableStickyBucketing: Bool { rare?.disableStickyBucketing ?? false }
    public var bucketVersion: Int { rare?.bucketVersion ?? 0 }
    public var minBucketVersion: Int { rare?.minBucketVersion ?? 0 }
    /// Deprecated targeting the reference still honours.
    public var url: CompiledRegex? { rare?.url }
    public var urlPattern: String? { rare?.urlPattern }
    public var groups: [String]? { rare?.groups }

    /// The fields echoed as given in `json` (weights, coverage, condition, namespace, ranges,
    /// filters, parentConditions, force; meta when it is not an array), as one compact JSON
    /// object text: one small allocation instead of nine JSON fields that kept their parsed
    /// trees alive. Empty when none is present.
    private let echoText: [UInt8]
    /// `json` as text, written the first time a result or callback needs it and kept: most
    /// experiments of a large payload are never reported in JSON, and the text would cost
    /// memory for each.
    private let serializedText = Lazy<[UInt8]>()
    /// The assignment bookkeeping's stamp for this experiment's latest outcome: see
    /// `GrowthBook.Bookkeeping.epoch`.
    let lastRecorded = Atomic<UInt64>(0)

    public var serialized: [UInt8] {
        serializedText.value { () -> [UInt8] in
            var out: [UInt8] = []
            json.write(to: &out)
            return out
        }
    }

    /// Reads an experiment definition. `featureKey` names the feature when the experiment comes
    /// from a rule (whose `key` then defaults to the feature's). Saved groups resolve
    /// `$inGroup` in its conditions.
    public init(
        _ object: JSONObject, featureKey: String? = nil, savedGroups: JSONObject? = nil,
        compiledCondition: Condition?? = nil
    ) {
        let ruleKey = object["key"]?.stringValue ?? ""
        key = ruleKey.isEmpty ? (featureKey ?? "") : ruleKey
        keyHash = Self.hashKey(key)
        variations = object["variations"]?.arrayValue ?? []
        var on: UInt64 = 0
        for (i, v) in variations.prefix(64).enumerated() where v.isTruthy { on |= 1 << UInt64(i) }
        variationsOn = on
        var echo = JSONObject()
        func keep(_ name: String, _ value: JSON) { if !value.isNull { echo[name] = value } }
        let weightsJSON = object["weights"] ?? .null
        keep("weights", weightsJSON)
        weights = weightsJSON.arrayValue.flatMap { list in
            let numbers = list.compactMap { $0.doubleValue }
            return numbers.count == list.count ? numbers : nil
        }
        active = featureKey == nil ? (object["active"].map { $0.isTruthy } ?? true) : true
        let status = featureKey == nil ? (object["status"]?.stringValue ?? "running") : "running"
        let coverageJSON = object["coverage"] ?? .null
        keep("coverage", coverageJSON)
        coverage = coverageJSON.doubleValue
        let conditionJSON = object["condition"] ?? .null
        keep("condition", conditionJSON)
        // A rule's experiment shares the condition the rule compiled from the same JSON.
        condition = compiledCondition ?? (conditionJSON.isTruthy ? Condition(conditionJSON, savedGroups: savedGroups) : nil)
        // A rule's parent conditions gate the rule, not the experiment built from it.
        let parentConditionsJSON = featureKey == nil ? (object["parentConditions"] ?? .null) : .null
        keep("parentConditions", parentConditionsJSON)
        parentConditions = ParentCondition.list(parentConditionsJSON, savedGroups: savedGroups)
        let namespaceJSON = object["namespace"] ?? .null
        keep("namespace", namespaceJSON)
        let namespace = Namespace(json: namespaceJSON)
        let forceJSON = featureKey == nil ? (object["force"] ?? .null) : .null
        keep("force", forceJSON)
        let force = forceJSON.intValue
        hashAttributeKey = JSONKey(object["hashAttribute"]?.stringValue ?? "id")
        let disableStickyBucketing = object["disableStickyBucketing"]?.isTruthy ?? false
        let fallback = object["fallbackAttribute"]?.stringValue
        let fallbackAttribute = disableStickyBucketing || fallback?.isEmpty == true ? nil : fallback
        hashVersion = hashVersionOf(object["hashVersion"])
        let rangesJSON = object["ranges"] ?? .null
        keep("ranges", rangesJSON)
        ranges = rangesJSON.arrayValue.flatMap { list in
            let r = list.compactMap { BucketRange(json: $0) }
            return r.count == list.count && !r.isEmpty ? r : nil
        }
        effectiveRanges =
            ranges ?? bucketRanges(count: variations.count, coverage: coverage ?? 1, weights: weights)
        let metaJSON = object["meta"] ?? .null
        let metaList = metaJSON.arrayValue
        if metaList == nil { keep("meta", metaJSON) }
        meta = metaList
        let labels = variations.indices.map { i in
            let m = i < (metaList?.count ?? 0) ? metaList?[i].objectValue : nil
            return (
                key: m?["key"].map { $0.pythonString } ?? String(i),
                name: m?["name"].map { $0.pythonString },
                passthrough: m?["passthrough"]?.isTruthy ?? false
            )
        }
        // Labels that are all the defaults (key = index, no name, no passthrough) are left out:
        // readers fall back to exactly those for an index past the end.
        variationLabels =
            labels.indices.allSatisfy({ labels[$0].key == String($0) && labels[$0].name == nil && !labels[$0].passthrough })
            ? [] : labels
        let filtersJSON = object["filters"] ?? .null
        keep("filters", filtersJSON)
        filters = HashFilter.list(filtersJSON)
        let seed = object["seed"]?.stringValue
        // `seed or key`, as every reference SDK hashes: an empty seed is no seed.
        hashSeed = HashSeed(seed.flatMap { $0.isEmpty ? nil : $0 } ?? key)
        isDraftOrInactive = status == "draft" || !active
        isStopped = status == "stopped"
        let name = object["name"]?.stringValue
        let phase = object["phase"]?.stringValue
        let bucketVersion = object["bucketVersion"]?.intValue ?? 0
        let minBucketVersion = object["minBucketVersion"]?.intValue ?? 0
        let urlPattern = featureKey == nil ? object["url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } : nil
        let groups = featureKey == nil ? object["groups"]?.arrayValue?.compactMap { $0.stringValue } : nil
        if status == "running" && namespace == nil && force == nil && fallbackAttribute == nil && seed == nil
            && name == nil && phase == nil && !disableStickyBucketing && bucketVersion == 0 && minBucketVersion == 0
            && urlPattern == nil && groups == nil
        {
            rare = nil
        } else {
            rare = Rare(
                status: status, namespace: namespace, force: force, fallbackAttributeKey: fallbackAttribute.map { JSONKey($0) },
                seed: seed, name: name, phase: phase, disableStickyBucketing: disableStickyBucketing,
                bucketVersion: bucketVersion, minBucketVersion: minBucketVersion,
                url: urlPattern.flatMap { CompiledRegex($0) }, urlPattern: urlPattern, groups: groups)
        }
        var text: [UInt8] = []
        if !echo.isEmpty { JSON.object(echo).write(to: &text) }
        echoText = text.withUnsafeBufferPointer { Array($0) }
    }

    /// The echoed fields, parsed back from `echoText`.
    private var echoed: JSONObject {
        if echoText.isEmpty { return JSONObject() }
        // Written by this library from a parsed value, so it parses back.
        return (try? JSON.parse(echoText))?.objectValue ?? JSONObject()
    }



    /// A copy with the reference's per-experiment `overrides` merged in (weights, status,
    /// coverage, url, groups, force).
    /// `savedGroups`: the feature set's, for `$inGroup` in the copy's conditions.
    func overridden(by override: JSONObject, savedGroups: JSONObject?) -> Experiment {
        var merged = JSONObject()
        for (k, v) in json.objectValue?.pairs ?? JSONObject().pairs { merged[k] = v }
        merged["status"] = .string(status)
        if let urlPattern { merged["url"] = .string(urlPattern) }
        if let groups { merged["groups"] = .array(groups.map { .string($0) }) }
        merged["parentConditions"] = echoed["parentConditions"] ?? .null
        for field in ["weights", "status", "coverage", "url", "groups", "force"] {
            if let v = override[field], !v.isNull { merged[field] = v }
        }
        return Experiment(merged, featureKey: nil, savedGroups: savedGroups)
    }

    static func hashKey(_ key: String) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h)
    }

    /// The reference's `Experiment.to_dict()`.
    public var json: JSON {
        let echo = echoed
        let weightsJSON = echo["weights"] ?? .null
        let coverageJSON = echo["coverage"] ?? .null
        let conditionJSON = echo["condition"] ?? .null
        let namespaceJSON = echo["namespace"] ?? .null
        let forceJSON = echo["force"] ?? .null
        let rangesJSON = echo["ranges"] ?? .null
        let metaJSON = meta.map { JSON.array($0) } ?? echo["meta"] ?? .null
        let filtersJSON = echo["filters"] ?? .null
        let parentConditionsJSON = echo["parentConditions"] ?? .null
        var o = JSONObject()
        o["key"] = .string(key)
        o["variations"] = .array(variations)
        o["weights"] = weightsJSON
        o["active"] = .bool(active)
        o["coverage"] = coverageJSON.isTruthy ? coverageJSON : .int(1)
        o["condition"] = conditionJSON
        o["namespace"] = namespaceJSON
        o["force"] = forceJSON
        o["hashAttribute"] = .string(hashAttribute)
        o["hashVersion"] = .int(Int64(hashVersion))
        o["ranges"] = rangesJSON
        o["meta"] = metaJSON
        o["filters"] = filtersJSON
        o["seed"] = seed.map { .string($0) } ?? .null
        o["name"] = name.map { .string($0) } ?? .null
        o["phase"] = phase.map { .string($0) } ?? .null
        if let fallbackAttribute { o["fallbackAttribute"] = .string(fallbackAttribute) }
        if disableStickyBucketing { o["disableStickyBucketing"] = .bool(true) }
        if bucketVersion != 0 { o["bucketVersion"] = .int(Int64(bucketVersion)) }
        if minBucketVersion != 0 { o["minBucketVersion"] = .int(Int64(minBucketVersion)) }
        if parentConditionsJSON.isTruthy { o["parentConditions"] = parentConditionsJSON }
        return .object(o)
    }
}

/// A hash filter of a rule or experiment: users whose hash of `attribute` (with `seed`) falls in
/// none of `ranges` are filtered out.
public struct HashFilter: Sendable {
    public var attribute: String { attributeKey.string }
    let attributeKey: JSONKey
    public var seed: String { hashSeed.string }
    let hashSeed: HashSeed
    public var hashVersion: Int
    public var ranges: [BucketRange]

    static func list(_ json: JSON) -> [HashFilter]? {
        guard case .array(let items) = json, !items.isEmpty else { return nil }
        return items.map { item in
            let o = item.objectValue ?? JSONObject()
            return HashFilter(
                attributeKey: JSONKey(o["attribute"]?.stringValue ?? "id"),
                hashSeed: HashSeed(o["seed"]?.stringValue ?? ""),
                hashVersion: o["hashVersion"]?.intValue ?? 2,
                ranges: (o["ranges"]?.arrayValue ?? []).compactMap { BucketRange(json: $0) })
        }
    }
}

/// A prerequisite: the parent feature's value must satisfy `condition` (as `{"value": …}`).
/// A failing `gate` makes the whole feature evaluate to null with source `prerequisite`.
public struct ParentCondition: Sendable {
    public var id: String
    public var condition: Condition?
    public var gate: Bool

    static func list(_ json: JSON, savedGroups: JSONObject?) -> [ParentCondition] {
        guard case .array(let items) = json else { return [] }
        return items.compactMap { item in
            guard let o = item.objectValue, let id = o["id"]?.stringValue else { return nil }
            let c = o["condition"]
            return ParentCondition(
                id: id,
                condition: c.flatMap { $0.isNull ? nil : Condition($0, savedGroups: savedGroups) },
                gate: o["gate"]?.isTruthy ?? false)
        }
    }
}

/// A value computed on first use and kept, safe to read from many threads: the first reader to
/// finish publishes its result with one atomic compare-and-exchange; later reads are one
/// atomic load.
final class Lazy<Value: Sendable>: @unchecked Sendable {  // all access is atomic
    private final class Box {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private let pointer = Atomic<UnsafeRawPointer?>(nil)

    init() {}

    func value(_ make: () -> Value) -> Value {
        if let p = pointer.load(ordering: .acquiring) {
            return Unmanaged<Box>.fromOpaque(p).takeUnretainedValue().value
        }
        let box = Unmanaged.passRetained(Box(make()))
        let (exchanged, current) = pointer.compareExchange(
            expected: nil, desired: UnsafeRawPointer(box.toOpaque()), ordering: .acquiringAndReleasing)
        if exchanged { return box.takeUnretainedValue().value }
        box.release()
        // Another thread published first; a failed exchange always sees a non-nil pointer.
        guard let current else { return make() }
        return Unmanaged<Box>.fromOpaque(current).takeUnretainedValue().value
    }

    deinit {
        if let p = pointer.load(ordering: .acquiring) { Unmanaged<Box>.fromOpaque(p).release() }
    }
}
