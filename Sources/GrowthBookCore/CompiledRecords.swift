// The records a snapshot stores flat (see `FlatStorage`): one per feature, rule, experiment,
// hash filter, prerequisite, bucket range and variation label. Strings are `StringRef`s into
// the snapshot's value document's bytes; values are node indices of that document; -1 means
// "none" wherever an index can be absent.

struct FeatureRecord: FlatRecord {
    var key: StringRef
    var defaultValue: Int32
    var rulesStart: Int32
    var rulesCount: Int32
    /// The default value's truthiness, as the semantics has it: the whole answer of `is_on`
    /// for a feature without rules.
    var defaultIsOn: Bool
    /// Some rule has prerequisites: an evaluation of the feature needs a `PrerequisiteWalk`.
    var hasPrerequisites: Bool

    static var none: FeatureRecord {
        FeatureRecord(
            key: .none, defaultValue: -1, rulesStart: 0, rulesCount: 0, defaultIsOn: false, hasPrerequisites: false)
    }
}

/// One rule of a feature: a forced value (optionally a percentage rollout) or an experiment.
struct RuleRecord: FlatRecord {
    /// `id`, when non-empty.
    var id: StringRef
    var hasId: Bool
    var forceIsOn: Bool
    var condition: Int32
    var parentsStart: Int32
    var parentsCount: Int32
    /// Hash filters (`filters` as a non-empty array); count 0 when none.
    var filtersStart: Int32
    var filtersCount: Int32
    /// The forced value's node; -1 for a rule without `force` (or with `"force": null`).
    var force: Int32
    /// The percentage rollout (a rule with `coverage` or `range`), or -1: kept out of line, as
    /// most rules have none.
    var rollout: Int32
    /// The experiment the rule runs; -1 for a force rule or a rule without variations. For a
    /// contextual bandit, the one users whom no leaf matches run (leaf -1).
    var experiment: Int32
    /// A contextual bandit's leaves, tried in order: the first whose condition passes chooses
    /// the experiment (count 0: none).
    var banditLeavesStart: Int32
    var banditLeavesCount: Int32

    static var none: RuleRecord {
        RuleRecord(
            id: .none, hasId: false, forceIsOn: false, condition: -1, parentsStart: 0, parentsCount: 0,
            filtersStart: 0, filtersCount: 0, force: -1, rollout: -1, experiment: -1, banditLeavesStart: 0,
            banditLeavesCount: 0)
    }
}

/// A forced value's percentage rollout: who is included by the hash of an attribute.
struct RolloutRecord: FlatRecord {
    var hasCoverage: Bool
    var hasRange: Bool
    var hasFallback: Bool
    var coverage: Double
    var range: BucketRange
    /// `seed`, or the feature key: what the rollout hash uses.
    var seed: SeedRef
    var hashAttribute: StringRef
    var fallbackAttribute: StringRef
    var hashVersion: Int
    /// Nobody is included, without hashing (`SemanticsRules.zeroCoverageExcludesAll`).
    var excludesAll: Bool

    static var none: RolloutRecord {
        RolloutRecord(
            hasCoverage: false, hasRange: false, hasFallback: false, coverage: 0, range: BucketRange(0, 0),
            seed: .none, hashAttribute: .none, fallbackAttribute: .none, hashVersion: 1, excludesAll: false)
    }
}

/// An experiment, from a feature's rule or an inline definition.
struct ExperimentRecord: FlatRecord {
    var key: StringRef
    /// The `variations` array node.
    var variations: Int32
    var variationCount: Int32
    /// Python truthiness of the first 64 variations, one bit each.
    var variationsOn: UInt64
    var active: Bool
    /// `status` is "draft" or `active` is false: the experiment assigns nobody.
    var isDraftOrInactive: Bool
    var isStopped: Bool
    var status: StringRef
    /// The condition the assignment checks (-1: none): an inline experiment's, or a feature
    /// rule's where `SemanticsRules.experimentRuleConditionInAssignment` (else the rule checks it).
    var condition: Int32
    var parentsStart: Int32
    var parentsCount: Int32
    var hashAttribute: StringRef
    var fallbackAttribute: StringRef
    var hasFallback: Bool
    var hashVersion: Int
    /// `ranges`, or the ranges from coverage and weights.
    var rangesStart: Int32
    var rangesCount: Int32
    /// The `meta` array node, or -1.
    var meta: Int32
    /// Per variation: its result key, name and passthrough.
    var labelsStart: Int32
    var filtersStart: Int32
    var filtersCount: Int32
    var hasNamespace: Bool
    var namespaceSeed: SeedRef
    var namespaceStart: Double
    var namespaceEnd: Double
    /// `seed or key`: what the assignment hash uses.
    var seed: SeedRef
    /// An inline experiment's forced variation, or -1.
    var force: Int
    var hasForce: Bool
    var disableStickyBucketing: Bool
    var bucketVersion: Int
    var minBucketVersion: Int
    /// Deprecated URL targeting: the pattern (when non-empty) and its regex (-1: none or it did
    /// not compile).
    var hasURLPattern: Bool
    var urlPattern: StringRef
    var urlRegex: Int32
    /// Deprecated groups: `groupsCount` string refs in the snapshot's string list.
    var hasGroups: Bool
    var groupsStart: Int32
    var groupsCount: Int32
    /// The reference's `Experiment.to_dict()` as compact JSON text.
    var serialized: StringRef
    /// A contextual bandit's: `,"leafId":…,"variationWeights":…,"banditVersion":…`, the members
    /// its hashed results carry (empty: not a bandit's), and the same experiment without them,
    /// which results of users not hashed into it show (-1: not a bandit's).
    var banditMembers: StringRef
    var withoutBandit: Int32

    static var none: ExperimentRecord {
        ExperimentRecord(
            key: .none, variations: -1, variationCount: 0, variationsOn: 0, active: false, isDraftOrInactive: true,
            isStopped: false, status: .none, condition: -1, parentsStart: 0, parentsCount: 0, hashAttribute: .none,
            fallbackAttribute: .none, hasFallback: false, hashVersion: 1, rangesStart: 0, rangesCount: 0, meta: -1,
            labelsStart: 0, filtersStart: 0, filtersCount: 0, hasNamespace: false, namespaceSeed: .none,
            namespaceStart: 0, namespaceEnd: 0, seed: .none, force: -1, hasForce: false, disableStickyBucketing: false,
            bucketVersion: 0, minBucketVersion: 0, hasURLPattern: false, urlPattern: .none, urlRegex: -1,
            hasGroups: false, groupsStart: 0, groupsCount: 0, serialized: .none, banditMembers: .none,
            withoutBandit: -1)
    }
}

/// A variation's result key (its `meta` key, or its index), name and passthrough.
struct LabelRecord: FlatRecord {
    var key: StringRef
    var name: StringRef
    var hasName: Bool
    var passthrough: Bool

    static var none: LabelRecord { LabelRecord(key: .none, name: .none, hasName: false, passthrough: false) }
}

/// A hash filter: users whose hash of `attribute` falls in none of the ranges are filtered out.
struct FilterRecord: FlatRecord {
    var attribute: StringRef
    var seed: SeedRef
    var hashVersion: Int
    var rangesStart: Int32
    var rangesCount: Int32
    /// A user without a value (or a filter of an unknown hashVersion) is filtered out; else
    /// the filters stop there and the user is kept (`SemanticsRules.filterWithoutValueExcludes`).
    var withoutValueExcludes: Bool

    static var none: FilterRecord {
        FilterRecord(attribute: .none, seed: .none, hashVersion: 2, rangesStart: 0, rangesCount: 0, withoutValueExcludes: false)
    }
}

/// A prerequisite: the parent feature's value must pass `condition` (as `{"value": …}`); a
/// failing `gate` makes the whole feature null with source `prerequisite`.
/// A leaf of a contextual bandit: users its condition matches (-1: everyone) run its
/// experiment, the rule's with the leaf's weights.
struct BanditLeafRecord: FlatRecord {
    var condition: Int32
    var experiment: Int32

    static var none: BanditLeafRecord { BanditLeafRecord(condition: -1, experiment: -1) }
}

struct ParentRecord: FlatRecord {
    var id: StringRef
    var condition: Int32
    var gate: Bool

    static var none: ParentRecord { ParentRecord(id: .none, condition: -1, gate: false) }
}

extension BucketRange: FlatRecord {
    public static var none: BucketRange { BucketRange(0, 0) }
}
