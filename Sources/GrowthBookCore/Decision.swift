/// A feature's value as typed evaluation reports it: the kind, and a scalar in place; a
/// string's bytes or a container's JSON text are written out beside it (see
/// `FeatureOutcome.writeTypedValue`), so no tree is built.
public enum TypedValue: Sendable, Equatable {
    case null, bool(Bool), int(Int64), double(Double), string, array, object
}

/// What evaluating a feature decided, before any result object is built: small, and free of
/// allocation, so that `is_on` and typed values pay only for the decision.
struct FeatureDecision: BitwiseCopyable {
    let source: FeatureSource
    /// Python truthiness of the value, computed when the features were compiled.
    let isOn: Bool
    /// The feature decided about, or -1 (unknown feature).
    var feature: Int = -1
    /// The rule that decided (an index of the snapshot's rules), or -1.
    var rule: Int32 = -1
    /// For `.experiment`: the experiment of the rule that ran, as defined (a contextual
    /// bandit's leaf's; the one overrides were applied to).
    var experiment: Int32 = -1
    /// For `.experiment`: the assignment the result describes.
    var assignment: Assignment? = nil
}

/// An experiment of a snapshot, read in place: a feature rule's (in the state's snapshot) or
/// an inline or overridden one (in a snapshot of its own, which the caller keeps alive: the
/// `Experiment` object of `run`, the state's `ExperimentSettings` for a rule's overridden copy,
/// `run`'s `KeepAlive` for an inline experiment's).
/// Plain values only, so decisions carrying it copy and drop for free.
struct ExperimentRef: BitwiseCopyable {
    let view: SnapshotView
    let index: Int32
    private let snapshot: ObjectRef<Snapshot>
    /// The experiment is not the state's snapshot's (inline or overridden): it has no slot in
    /// the handle's bookkeeping stamps.
    let isOwnSnapshot: Bool

    /// An experiment of a snapshot someone else keeps alive.
    init(_ view: SnapshotView, _ index: Int32, in snapshot: ObjectRef<Snapshot>, isOwnSnapshot: Bool = false) {
        self.view = view
        self.index = index
        self.snapshot = snapshot
        self.isOwnSnapshot = isOwnSnapshot
    }

    /// An experiment of an inline snapshot, which the caller keeps alive.
    init(inline snapshot: Snapshot, _ index: Int32) {
        self.init(snapshot.view, index, in: ObjectRef(snapshot), isOwnSnapshot: true)
    }

    var record: ExperimentRecord { view.experiments[index] }

    /// The public object for callbacks and results (allocates).
    var object: Experiment {
        snapshot.with { Experiment($0, index) } ?? Experiment(Snapshot.empty, -1)
    }

    /// A copy with the reference's per-experiment `overrides` merged in (weights, status,
    /// coverage, url, groups, force), compiled as an inline experiment of its own.
    func overridden(by override: JSONObject, savedGroups: JSONObject?, semantics: Semantics) -> Snapshot {
        let e = record
        var merged = object.json.objectValue ?? JSONObject()
        merged["status"] = .string(view.string(e.status).string)
        if e.hasURLPattern { merged["url"] = .string(view.string(e.urlPattern).string) }
        if e.hasGroups {
            merged["groups"] = .array(
                (0..<Int(e.groupsCount)).map { .string(view.string(view.strings[Int(e.groupsStart) + $0]).string) })
        }
        merged["parentConditions"] = merged["parentConditions"] ?? .null
        for field in ["weights", "status", "coverage", "url", "groups", "force"] {
            if let v = override[field], !v.isNull { merged[field] = v }
        }
        return Snapshot.inlineExperiment(merged, savedGroups: savedGroups, semantics: semantics)
    }
}

/// Snapshots made during one call (overridden inline experiments), kept until it ends.
final class KeepAlive {
    var snapshots: [Snapshot] = []
}

/// What the experiment steps decided for one user: the variation and how it was chosen. The
/// `ExperimentResult` object is built from it only when a result, a subscription or a tracking
/// callback needs one.
struct Assignment: BitwiseCopyable {
    let experiment: ExperimentRef
    /// The result's variation index: 0 when the user is not in the experiment.
    let variationId: Int
    let inExperiment: Bool
    let hashUsed: Bool
    let bucket: Double?
    let stickyBucketUsed: Bool

    /// `variationId` out of range (including the -1 of "no variation") means not in the
    /// experiment, with variation 0 reported, as the reference's `_getExperimentResult` does.
    init(
        _ experiment: ExperimentRef, variationId: Int = -1, hashUsed: Bool = false, bucket: Double? = nil,
        stickyBucketUsed: Bool = false
    ) {
        self.experiment = experiment
        let count = Int(experiment.record.variationCount)
        if variationId < 0 || variationId >= count {
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

    var ownsExperiment: Bool { experiment.isOwnSnapshot }

    var value: Val { experiment.view.value(experiment.record.variations).element(variationId) }

    var isOn: Bool {
        variationId < 64
            ? experiment.record.variationsOn & (1 << UInt64(variationId)) != 0
            : value.isTruthy(experiment.view.hashStyle)
    }

    private var label: LabelRecord {
        let e = experiment.record
        guard variationId < Int(e.variationCount) else { return .none }
        return experiment.view.labels[Int(e.labelsStart) &+ variationId]
    }

    /// The variation's `meta` key, or its index as a string.
    var variationKey: String {
        variationId < Int(experiment.record.variationCount)
            ? experiment.view.string(label.key).string : String(variationId)
    }

    var keySpan: ByteSpan { experiment.view.string(label.key) }

    var name: String? {
        let l = label
        return l.hasName ? experiment.view.string(l.name).string : nil
    }

    var nameSpan: ByteSpan? {
        let l = label
        return l.hasName ? experiment.view.string(l.name) : nil
    }

    var passthrough: Bool { label.passthrough }

    /// A contextual bandit's result members, for a user hashed into it (nil otherwise).
    var banditMembers: ByteSpan? {
        guard hashUsed && inExperiment else { return nil }
        let m = experiment.view.string(experiment.record.banditMembers)
        return m.isEmpty ? nil : m
    }
}
