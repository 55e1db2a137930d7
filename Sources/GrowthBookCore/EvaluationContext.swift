/// Log levels, numbered as Python's `logging` numbers them.
public enum LogLevel: Int, Sendable, Comparable {
    case debug = 10
    case info = 20
    case warning = 30
    case error = 40

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Settings of a GrowthBook context other than features and attributes.
public struct EvaluationSettings: Sendable {
    public var enabled = true
    public var qaMode = false
    public var url = ""
    /// Experiment key → forced variation index.
    public var forcedVariations = JSONObject()
    /// Deprecated: group name → whether the user is in it, for experiments' `groups`.
    public var groups = JSONObject()
    /// Deprecated: experiment key → fields that override the experiment's.
    public var overrides = JSONObject()

    public init() {}
}

/// The settings an evaluation tests on its way, as plain flags read without touching the
/// settings' strings and objects.
struct SettingsFlags: Sendable {
    var enabled: Bool
    var qaMode: Bool
    var hasURL: Bool
    var hasForcedVariations: Bool
    var hasOverrides: Bool
    var hasSticky: Bool
    var tracksExposures: Bool
    /// The lowest level logged (a `LogLevel` raw value); `Int.max` when nothing is.
    var logThreshold: Int
    /// No log sink of the handle's own: messages go to the process-wide one (`DefaultLogSink`).
    var usesDefaultLog: Bool
}

/// Everything an evaluation reads: one immutable state of a handle, replaced whole by each
/// setter (see `StateCell`). The compiled features are shared by every state made from the
/// same `set_features`; the attributes are a document of this state's own.
public final class EvaluationContext: Sendable {
    public let snapshot: Snapshot
    /// The handle's attributes.
    public let attributes: Attributes
    public let settings: EvaluationSettings
    /// Sticky bucket docs loaded for `attributes`; nil without a sticky bucket service.
    public let stickyDocs: StickyBucketDocs?
    public let stickyService: (any StickyBucketService)?
    /// Explicit identifier attributes; nil derives them from the features.
    public let stickyIdentifierAttributes: [String]?
    let hooks: GrowthBook.Hooks
    /// This handle's assignment stamps for the snapshot's experiments (see `Bookkeeping`):
    /// per handle, never in the shared snapshot.
    let stamps: AtomicWords
    /// What an evaluation starts from, as plain values: read from this object with no
    /// reference counted (the objects they point into live as long as it does).
    let inputs: EvaluationInputs
    /// The settings naming experiments, compiled against the snapshot's experiments.
    let experimentSettings: ExperimentSettings

    init(
        snapshot: Snapshot, attributes: Attributes, settings: EvaluationSettings,
        stickyDocs: StickyBucketDocs?, stickyService: (any StickyBucketService)?,
        stickyIdentifierAttributes: [String]?, hooks: GrowthBook.Hooks, stamps: AtomicWords? = nil,
        experimentSettings: ExperimentSettings? = nil
    ) {
        self.snapshot = snapshot
        self.attributes = attributes
        self.settings = settings
        self.stickyDocs = stickyDocs
        self.stickyService = stickyService
        self.stickyIdentifierAttributes = stickyIdentifierAttributes
        self.hooks = hooks
        self.stamps =
            stamps.flatMap { $0.count == snapshot.experimentCount ? $0 : nil }
            ?? (snapshot.experimentCount == 0 ? AtomicWords.none : AtomicWords(count: snapshot.experimentCount))
        let flags = SettingsFlags(
            enabled: settings.enabled, qaMode: settings.qaMode, hasURL: !settings.url.isEmpty,
            hasForcedVariations: !settings.forcedVariations.isEmpty, hasOverrides: !settings.overrides.isEmpty,
            hasSticky: stickyDocs != nil, tracksExposures: hooks.tracking != nil,
            logThreshold: hooks.logLevel?.rawValue ?? Int.max, usesDefaultLog: hooks.logSink == nil)
        self.experimentSettings = experimentSettings ?? ExperimentSettings(settings, for: snapshot)
        inputs = EvaluationInputs(
            snapshot: snapshot.view, snapshotRef: ObjectRef(snapshot), attributes: attributes.root,
            flags: flags, sticky: stickyDocs.map { ObjectRef($0) } ?? .none)
    }

    /// The same state with some parts replaced. The stamps (and the compiled experiment
    /// settings) stay when the snapshot (and the settings) do.
    func with(
        snapshot: Snapshot? = nil, attributes: Attributes? = nil, settings: EvaluationSettings? = nil,
        hooks: GrowthBook.Hooks? = nil, stickyService: (any StickyBucketService)?? = nil,
        stickyIdentifierAttributes: [String]?? = nil, stickyDocs: StickyBucketDocs?? = nil
    ) -> EvaluationContext {
        let s = snapshot ?? self.snapshot
        return EvaluationContext(
            snapshot: s, attributes: attributes ?? self.attributes, settings: settings ?? self.settings,
            stickyDocs: stickyDocs ?? self.stickyDocs, stickyService: stickyService ?? self.stickyService,
            stickyIdentifierAttributes: stickyIdentifierAttributes ?? self.stickyIdentifierAttributes,
            hooks: hooks ?? self.hooks, stamps: s === self.snapshot ? stamps : nil,
            experimentSettings: s === self.snapshot && settings == nil ? experimentSettings : nil)
    }

    /// The identifier attributes and their hash values for sticky bucket look-ups.
    func stickyAttributes(for attributes: Val) -> [(name: String, value: String)] {
        let names = stickyIdentifierAttributes ?? snapshot.stickyIdentifierAttributes
        var out: [(name: String, value: String)] = []
        for name in names {
            guard let v = attributes.member(named: name), !v.isNull else { continue }
            let s = snapshot.semantics.rules.hashValues.stickyKeyText(v)
            if !s.isEmpty { out.append((name, s)) }
        }
        return out
    }
}

/// The plain values an evaluation of a state starts from (see `EvaluationContext.inputs`).
struct EvaluationInputs: BitwiseCopyable, Sendable {
    let snapshot: SnapshotView
    let snapshotRef: ObjectRef<Snapshot>
    let attributes: Val
    let flags: SettingsFlags
    let sticky: ObjectRef<StickyBucketDocs>
}
