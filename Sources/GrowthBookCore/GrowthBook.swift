import Synchronization

/// An error from configuring or calling a GrowthBook instance.
public struct GrowthBookError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        case invalidJSON(JSONError)
        /// Valid JSON of the wrong shape.
        case wrongType
        case invalidArgument
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public static func wrongType(_ message: String) -> GrowthBookError {
        GrowthBookError(kind: .wrongType, message: message)
    }

    public static func invalidArgument(_ message: String) -> GrowthBookError {
        GrowthBookError(kind: .invalidArgument, message: message)
    }

    /// Bytes that are not UTF-8, at `offset`.
    static func invalidUTF8(_ what: String, offset: Int) -> GrowthBookError {
        let e = JSONError(kind: .invalidUTF8, message: "\(what) is not valid UTF-8", offset: offset)
        return GrowthBookError(kind: .invalidJSON(e), message: e.description)
    }
}

/// Attributes parsed once, for any number of evaluations on any handle (`gb_attributes`).
public final class Attributes: Sendable {
    /// The attributes, an object in node 0.
    let document: Document
    /// The document's root, as a plain value (evaluations read it without counting a
    /// reference to the document).
    let root: Val

    public convenience init(_ attributes: JSONObject) {
        self.init(document: attributes.isEmpty ? .emptyObject : Document(.object(attributes)))
    }

    /// Attributes from their JSON text, parsed straight into a document; nil when the text is
    /// valid JSON but not an object.
    public convenience init?(parsing text: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        let d = try Document(parsing: text)
        guard d.root.kind == .object else { return nil }
        self.init(document: d)
    }

    init(document: Document) {
        self.document = document
        root = document.root
    }

    /// The attributes as a tree (built on each call).
    public var json: JSON { root.json }
}

/// A GrowthBook context: features, attributes, settings and callbacks, safe to use from many
/// threads at once.
///
/// Everything an evaluation reads is one immutable `EvaluationContext` in a `StateCell`,
/// replaced whole by each setter; evaluations read it with no lock and no shared reference
/// count, and a replaced state is freed when the last evaluation on it ends. The compiled
/// features (`Snapshot`) are shared by every state and every thread: a feature update compiles
/// once, on the thread that sets it. The only mutable state evaluations share is the tracking
/// and assignment bookkeeping, behind its own lock (an assignment that did not change is
/// recognised without it), and callbacks are never called with a lock held.
public final class GrowthBook: Sendable {
    public typealias ExperimentCallback = @Sendable (Experiment, ExperimentResult) -> Void
    public typealias LogCallback = @Sendable (LogLevel, String) -> Void

    /// The callbacks of one state, and the bookkeeping they share (tracked exposures, latest
    /// assignments) across states.
    final class Hooks: Sendable {
        let tracking: ExperimentCallback?
        let subscriptions: [(id: Int, callback: ExperimentCallback)]
        let logSink: LogCallback?
        let logLevel: LogLevel?
        let bookkeeping: Bookkeeping

        init(
            tracking: ExperimentCallback?, subscriptions: [(id: Int, callback: ExperimentCallback)],
            logSink: LogCallback?, logLevel: LogLevel?, bookkeeping: Bookkeeping
        ) {
            self.tracking = tracking
            self.subscriptions = subscriptions
            self.logSink = logSink
            self.logLevel = logSink == nil ? nil : logLevel
            self.bookkeeping = bookkeeping
        }

        func with(
            tracking: ExperimentCallback?? = nil, subscriptions: [(id: Int, callback: ExperimentCallback)]? = nil,
            logSink: LogCallback?? = nil, logLevel: LogLevel? = nil
        ) -> Hooks {
            Hooks(
                tracking: tracking ?? self.tracking, subscriptions: subscriptions ?? self.subscriptions,
                logSink: logSink ?? self.logSink, logLevel: logLevel ?? self.logLevel ?? .debug,
                bookkeeping: bookkeeping)
        }

        func experimentViewed(_ experiment: Experiment, _ result: ExperimentResult) {
            guard let tracking else { return }
            // The reference's de-duplication key.
            let key =
                result.hashAttribute + result.hashValue.pythonString + experiment.key + String(result.variationId)
            let first = bookkeeping.state.withLock { $0.tracked.insert(key) }
            if first { tracking(experiment, result) }
        }

        /// Records the latest assignment per experiment key (the reference's `_assigned`) and
        /// calls the subscriptions when it changed. `stamps[slot]` (slot -1: none) is this
        /// handle's stamp for the experiment: see `Bookkeeping.epoch`.
        func experimentRan(
            _ experiment: @autoclosure () -> Experiment, inExperiment: Bool, variationId: Int, stamps: AtomicWords,
            slot: Int, result: () -> ExperimentResult
        ) {
            let e = experiment()
            let key = e.key
            let changed = bookkeeping.state.withLock { b -> ExperimentResult? in
                var changed: ExperimentResult? = nil
                if let prev = b.assigned[key]?.result, prev.inExperiment == inExperiment, prev.variationId == variationId {
                    changed = nil
                } else {
                    let r = result()
                    if b.assigned[key] == nil { b.assignedOrder.append(key) }
                    b.assigned[key] = (e, r)
                    bookkeeping.epoch.store(Bookkeeping.nextEpoch(), ordering: .relaxed)
                    changed = r
                }
                // The entry for this key now holds this outcome, as of the current epoch.
                stamps.store(
                    slot,
                    Bookkeeping.stamp(
                        epoch: bookkeeping.epoch.load(ordering: .relaxed), inExperiment: inExperiment,
                        variationId: variationId))
                return changed
            }
            if let changed {
                for s in subscriptions { s.callback(e, changed) }
            }
        }

        /// To this state's sink, or without one, to the process-wide one (`DefaultLogSink`).
        func log(_ level: LogLevel, _ message: String) {
            if let logSink { logSink(level, message) } else { DefaultLogSink.log(level, message) }
        }

        /// Whether a message at `level` reaches a sink.
        @inline(__always)
        func logs(_ level: LogLevel) -> Bool {
            if let logLevel { return level >= logLevel }
            return logSink == nil && DefaultLogSink.logs(level)
        }
    }

    /// Tracked exposures and the latest assignment per experiment key, shared by every state
    /// of a handle.
    final class Bookkeeping: Sendable {
        struct Contents {
            var tracked = TrackedExposures()
            var assigned: [String: (experiment: Experiment, result: ExperimentResult)] = [:]
            var assignedOrder: [String] = []
            var nextSubscriptionId = 1
        }
        let state = Mutex(Contents())

        /// Changes whenever `assigned` changes, to a number no bookkeeping in the process has
        /// had before. A handle stamps each experiment with the epoch and the outcome it found
        /// (or put) in `assigned`; while the epoch is unchanged, the same outcome again needs no
        /// lock: `assigned` still holds it.
        let epoch = Atomic<UInt64>(Bookkeeping.nextEpoch())

        private static let epochs = Atomic<UInt64>(1)

        static func nextEpoch() -> UInt64 { epochs.wrappingAdd(1, ordering: .relaxed).newValue }

        /// Epoch and outcome in one word (so one atomic load reads both); 0, which matches no
        /// stamp, when they do not fit (after 2^48 changes, or variation indexes of 2^15 and up).
        static func stamp(epoch: UInt64, inExperiment: Bool, variationId: Int) -> UInt64 {
            guard epoch < 1 << 48, variationId >= 0, variationId < 1 << 15 else { return 0 }
            return epoch << 16 | (inExperiment ? 1 << 15 : 0) | UInt64(variationId)
        }
    }

    private let current: StateCell<EvaluationContext>
    private let bookkeeping: Bookkeeping

    /// The reference whose rules the handle follows (the `"semantics"` option), fixed for its
    /// life: every feature set it installs is compiled for it.
    public let semantics: Semantics

    public convenience init(semantics: Semantics = .default) {
        self.init(
            semantics: semantics, snapshot: .empty(semantics), attributes: Attributes(JSONObject()),
            settings: EvaluationSettings(),
            stickyService: nil, stickyIdentifierAttributes: nil, bookkeeping: Bookkeeping())
    }

    /// The one place a handle's first state is made (each state built costs: a handle made
    /// from options builds one, not a default one first).
    private init(
        semantics: Semantics, snapshot: Snapshot, attributes: Attributes, settings: EvaluationSettings,
        stickyService: (any StickyBucketService)?, stickyIdentifierAttributes: [String]?, bookkeeping: Bookkeeping
    ) {
        self.semantics = semantics
        self.bookkeeping = bookkeeping
        let hooks = Hooks(tracking: nil, subscriptions: [], logSink: nil, logLevel: nil, bookkeeping: bookkeeping)
        current = StateCell(
            EvaluationContext(
                snapshot: snapshot, attributes: attributes, settings: settings, stickyDocs: nil,
                stickyService: stickyService, stickyIdentifierAttributes: stickyIdentifierAttributes, hooks: hooks))
    }

    /// A context configured from a GrowthBook options object: the `context` objects of the spec
    /// fixture files (attributes, features, savedGroups, forcedVariations, qaMode, enabled, url,
    /// groups, overrides, stickyBucketAssignmentDocs, stickyBucketIdentifierAttributes) plus
    /// `stickyBucketing` (true: use the built-in in-memory service; an object is left to the
    /// caller, see there) and `trackedExposuresLimit`
    /// (how many tracked exposures are remembered; see `TrackedExposures`). Unknown keys are
    /// ignored. `attributes`, when given, are the options' attributes, parsed on their own
    /// (`JSON.parseOptions`): the options' own `attributes` member is then not read.
    public convenience init(options: JSON, attributes parsedAttributes: Document? = nil) throws(GrowthBookError) {
        guard case .object(let o) = options else { throw .wrongType("options must be a JSON object") }
        var semantics = Semantics.default
        if let v = o["semantics"], !v.isNull {
            guard case .string(let name) = v else { throw .wrongType("semantics must be a string") }
            semantics = try Semantics.named(name)
        }
        var settings = EvaluationSettings()
        if let v = o["enabled"], !v.isNull {
            // (`SemanticsRules.onlyFalseDisables`)
            settings.enabled = semantics.rules.onlyFalseDisables ? v != .bool(false) : v.isTruthy
        }
        if let v = o["qaMode"], !v.isNull { settings.qaMode = v.isTruthy }
        if let v = o["url"], !v.isNull {
            guard case .string(let s) = v else { throw .wrongType("url must be a string") }
            settings.url = s
        }
        settings.forcedVariations = try Self.forcedVariations(Self.object(o["forcedVariations"], "forcedVariations"))
        settings.groups = try Self.object(o["groups"], "groups")
        settings.overrides = try Self.object(o["overrides"], "overrides")
        let attributes: Attributes
        if let d = parsedAttributes, !d.root.isNull {
            guard d.root.kind == .object else { throw .wrongType("attributes must be a JSON object") }
            attributes = Attributes(document: d)
        } else {
            attributes = Attributes(try Self.object(o["attributes"], "attributes"))
        }
        let savedGroups = try Self.object(o["savedGroups"], "savedGroups")
        let features = try Self.object(o["features"], "features")
        let bandits = try Self.object(o["contextualBandits"], "contextualBandits")
        var identifiers: [String]? = nil
        if let v = o["stickyBucketIdentifierAttributes"], !v.isNull {
            guard case .array(let items) = v else {
                throw .wrongType("stickyBucketIdentifierAttributes must be an array of strings")
            }
            identifiers = items.compactMap { $0.stringValue }
        }
        var service: (any StickyBucketService)? = nil
        if let docs = o["stickyBucketAssignmentDocs"], !docs.isNull {
            guard case .object(let d) = docs else { throw .wrongType("stickyBucketAssignmentDocs must be an object") }
            service = InMemoryStickyBucketService(docs: d)
        } else if let v = o["stickyBucketing"], v.isTruthy {
            // An object names a store outside the core (`{"redis": URL, ...}`): the caller
            // that reads it installs that service (the C layer: `RedisStickyBucketService`).
            if case .object = v {} else { service = InMemoryStickyBucketService() }
        }
        let bookkeeping = Bookkeeping()
        if let v = o["trackedExposuresLimit"], !v.isNull {
            guard let n = v.intValue, n >= 1 else {
                throw .wrongType("trackedExposuresLimit must be a positive integer")
            }
            let limit = Int(clamping: n)
            bookkeeping.state.withLock { $0.tracked = TrackedExposures(limit: limit) }
        }
        let snapshot =
            features.isEmpty && savedGroups.isEmpty && bandits.isEmpty
            ? Snapshot.empty(semantics)
            : Snapshot(
                features: features, savedGroups: savedGroups.isEmpty ? nil : savedGroups,
                contextualBandits: bandits.isEmpty ? nil : bandits, semantics: semantics)
        self.init(
            semantics: semantics, snapshot: snapshot, attributes: attributes, settings: settings,
            stickyService: service, stickyIdentifierAttributes: identifiers, bookkeeping: bookkeeping)
        if service != nil { refreshStickyBuckets(force: true) }
    }

    private static func object(_ v: JSON?, _ name: String) throws(GrowthBookError) -> JSONObject {
        guard let v, !v.isNull else { return JSONObject() }
        guard case .object(let o) = v else { throw .wrongType("\(name) must be a JSON object") }
        return o
    }

    /// Forced variations as every entry point accepts them: experiment key → an integer
    /// variation index (or null, which forces nothing).
    public static func forcedVariations(_ forced: JSONObject) throws(GrowthBookError) -> JSONObject {
        for (k, v) in forced.pairs where v.intValue == nil && !v.isNull {
            throw .wrongType("the forced variation of \"\(k)\" must be an integer index")
        }
        return forced
    }

    // MARK: State

    /// The current state (a reference of the caller's own; one short lock).
    public var state: EvaluationContext { current.value }

    /// One atomic change of the state.
    private func update(_ change: (EvaluationContext) -> EvaluationContext) {
        current.update { (s: EvaluationContext) -> (EvaluationContext, Void) in (change(s), ()) }
    }

    /// Replaces the features. The sticky bucket docs are reloaded when the identifier
    /// attributes the features imply changed.
    public func setFeatures(_ snapshot: Snapshot) {
        update { $0.with(snapshot: snapshot) }
        refreshStickyBuckets(force: false)
    }

    /// Replaces the features with those of a JSON text (an object), keeping the saved groups;
    /// compiled as parsed, without building the tree of the whole text. False when the text is
    /// not a JSON object. The compiling happens on the calling thread, inside the one step that
    /// swaps the state in (so it uses the saved groups current then; other setters wait, and
    /// evaluations go on reading the old state meanwhile).
    public func setFeatures(text: UnsafeBufferPointer<UInt8>) throws(JSONError) -> Bool {
        let installed = try current.update { (s: EvaluationContext) throws(JSONError) -> (EvaluationContext, Bool) in
            guard
                let snapshot = try Snapshot.compile(
                    featuresText: text, savedGroups: s.snapshot.savedGroups,
                    contextualBandits: s.snapshot.contextualBandits, semantics: semantics)
            else {
                return (s, false)
            }
            return (s.with(snapshot: snapshot), true)
        }
        if installed { refreshStickyBuckets(force: false) }
        return installed
    }

    /// Replaces the features, keeping the saved groups.
    public func setFeatures(_ definitions: JSONObject) {
        update {
            $0.with(
                snapshot: Snapshot(
                    features: definitions, savedGroups: $0.snapshot.savedGroups,
                    contextualBandits: $0.snapshot.contextualBandits, semantics: semantics))
        }
        refreshStickyBuckets(force: false)
    }

    /// Replaces the saved groups; the features are recompiled against them, in one step with
    /// the swap (so features set meanwhile are not lost).
    public func setSavedGroups(_ groups: JSONObject) {
        let g = groups.isEmpty ? nil : groups
        update { $0.with(snapshot: $0.snapshot.with(savedGroups: g)) }
    }

    public func setAttributes(_ attributes: JSONObject) {
        setAttributes(Attributes(attributes))
    }

    /// Installs `attributes` (shared, not copied). Attributes equal byte for byte to the
    /// current ones leave the state as it is (code that sets the same attributes before every
    /// evaluation pays for the comparison only).
    public func setAttributes(_ attributes: Attributes) {
        let changed = current.update { (s: EvaluationContext) -> (EvaluationContext, Bool) in
            s.attributes.document.hasSameContents(as: attributes.document) ? (s, false) : (s.with(attributes: attributes), true)
        }
        if changed { refreshStickyBuckets(force: false) }
    }

    public func updateSettings(_ change: (inout EvaluationSettings) -> Void) {
        update { state in
            var s = state.settings
            change(&s)
            return state.with(settings: s)
        }
    }

    /// Replaces the forced variations (validated as `forcedVariations(_:)` does).
    public func setForcedVariations(_ forced: JSONObject) throws(GrowthBookError) {
        let checked = try Self.forcedVariations(forced)
        updateSettings { $0.forcedVariations = checked }
    }

    /// Replaces the experiment overrides (deprecated: per experiment key, fields that replace
    /// the experiment's, as the `overrides` option).
    public func setOverrides(_ overrides: JSONObject) {
        updateSettings { $0.overrides = overrides }
    }

    public func setTrackingCallback(_ callback: ExperimentCallback?) {
        update { $0.with(hooks: $0.hooks.with(tracking: .some(callback))) }
    }

    public func setLogCallback(_ callback: LogCallback?, level: LogLevel) {
        update { $0.with(hooks: $0.hooks.with(logSink: .some(callback), logLevel: level)) }
    }

    /// Adds a subscription; returns its id for `unsubscribe`.
    @discardableResult
    public func subscribe(_ callback: @escaping ExperimentCallback) -> Int {
        let id = bookkeeping.state.withLock { b -> Int in
            defer { b.nextSubscriptionId += 1 }
            return b.nextSubscriptionId
        }
        update { $0.with(hooks: $0.hooks.with(subscriptions: $0.hooks.subscriptions + [(id, callback)])) }
        return id
    }

    /// Whether a subscription with that id existed.
    @discardableResult
    public func unsubscribe(_ id: Int) -> Bool {
        current.update { (state: EvaluationContext) -> (EvaluationContext, Bool) in
            let subs = state.hooks.subscriptions.filter { $0.id != id }
            if subs.count == state.hooks.subscriptions.count { return (state, false) }
            return (state.with(hooks: state.hooks.with(subscriptions: subs)), true)
        }
    }

    public func setStickyBucketService(_ service: (any StickyBucketService)?, identifierAttributes: [String]? = nil) {
        update { $0.with(stickyService: .some(service), stickyIdentifierAttributes: .some(identifierAttributes)) }
        refreshStickyBuckets(force: true)
    }

    /// Reloads the sticky bucket docs for the current attributes from the service (only when
    /// the identifier attributes changed, unless `force`).
    public func refreshStickyBuckets(force: Bool) {
        let s = state
        guard let service = s.stickyService else {
            if s.stickyDocs != nil { update { $0.stickyService == nil ? $0.with(stickyDocs: .some(nil)) : $0 } }
            return
        }
        let attrs = s.stickyAttributes(for: s.attributes.root)
        if !force, let docs = s.stickyDocs, docs.matches(attrs) { return }
        // The service is called with no lock held; the docs are installed only if the state
        // still has the service and the attributes they were fetched for.
        let docs = StickyBucketDocs(service: service, attributes: attrs)
        update { now in
            guard now.stickyService === service, now.stickyAttributes(for: now.attributes.root).elementsEqual(
                attrs, by: { $0.name == $1.name && $0.value == $1.value })
            else { return now }
            return now.with(stickyDocs: .some(docs))
        }
    }

    /// Every experiment's latest assignment: key → (experiment, result).
    public var allResults: [(key: String, experiment: Experiment, result: ExperimentResult)] {
        bookkeeping.state.withLock { b in
            b.assignedOrder.compactMap { k in b.assigned[k].map { (k, $0.experiment, $0.result) } }
        }
    }

    // MARK: Evaluation

    /// The one entry point of feature evaluation: evaluates the feature whose key has these
    /// UTF-8 bytes, for the handle's attributes or `attributes`, and hands `body` the outcome
    /// (read it there: is-on, typed value, JSON text or result objects). An unknown key is
    /// logged and evaluates as `unknownFeature`; a key that is not UTF-8 throws.
    /// `stripe`: a number of the calling thread's own, if it has one (see `StateCell.read`).
    public func evaluate(
        key: UnsafeBufferPointer<UInt8>, attributes: Attributes? = nil, stripe: Int? = nil,
        _ body: (borrowing FeatureOutcome) -> Void
    ) throws(GrowthBookError) {
        var badKey = false
        current.read(stripe: stripe) { (context: EvaluationContext) -> Void in
            Self.withEvaluation(of: context, attributes: attributes) { ev in
                // A known key decided inline (the common path, measured cheaper so); any other goes
                // through `decide(key:)`, as every entry point's keys do.
                let i = ev.s.index(ofKey: ByteSpan(key))
                if i >= 0 {
                    body(FeatureOutcome(ev, ev.decide(i)))
                } else {
                    let d = ev.decide(key: ByteSpan(key), notUTF8: &badKey)
                    if !badKey { body(FeatureOutcome(ev, d)) }
                }
            }
        }
        if badKey { throw .invalidUTF8("feature_key", offset: invalidUTF8Offset(key) ?? 0) }
    }

    /// Evaluates a feature by name (the Swift API's path to `evaluate`).
    public func evaluateFeature(_ key: String, attributes: JSON? = nil) -> FeatureResult {
        var k = key
        let attrs = attributes.map { Attributes($0.objectValue ?? JSONObject()) }
        var result = FeatureResult(value: .null, source: .unknownFeature)
        k.withUTF8 { bytes in
            // A Swift String is valid UTF-8, so this does not throw.
            try? evaluate(key: bytes, attributes: attrs) { result = $0.result }
        }
        return result
    }

    /// Evaluates several features on one state: the answers all come from the same features,
    /// attributes and settings, whatever setters run meanwhile.
    public func evaluateFeatures(_ keys: [String], attributes: JSON? = nil) -> [FeatureResult] {
        let attrs = attributes.map { Attributes($0.objectValue ?? JSONObject()) }
        return withEvaluation(attributes: attrs) { ev in
            keys.map { key in
                var k = key
                var notUTF8 = false  // never: a String is UTF-8
                return ev.featureResult(k.withUTF8 { ev.decide(key: ByteSpan($0), notUTF8: &notUTF8) })
            }
        }
    }

    /// Appends a feature's full result as JSON text (as `gb_eval_feature_json` returns it).
    public func writeFeatureResult(_ key: String, attributes: JSON? = nil, to out: inout TextBuffer) {
        var k = key
        let attrs = attributes.map { Attributes($0.objectValue ?? JSONObject()) }
        k.withUTF8 { bytes in
            try? evaluate(key: bytes, attributes: attrs) { $0.writeResult(to: &out) }
        }
    }

    public func isOn(_ key: String) -> Bool { evaluateFeature(key).on }

    /// Sends a message to the log sink, if one is set at this level.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        let hooks = state.hooks
        if hooks.logs(level) { hooks.log(level, message()) }
    }

    /// Compiles an inline experiment definition against the context's saved groups. The
    /// definition needs a string `key` and an array `variations`.
    public func experiment(_ definition: JSONObject) -> Experiment {
        Experiment(definition, savedGroups: state.snapshot.savedGroups, semantics: semantics)
    }

    /// As `experiment(_:)`, checking the definition's shape first.
    public func checkedExperiment(_ definition: JSONObject) throws(GrowthBookError) -> Experiment {
        guard definition["key"]?.stringValue != nil, definition["variations"]?.arrayValue != nil else {
            throw .wrongType("the experiment must have a string \"key\" and an array \"variations\"")
        }
        return experiment(definition)
    }

    /// Runs an inline experiment (the reference's `run`). `include` is the experiment's include
    /// callback: `false` or `nil` (it raised) excludes the user.
    public func run(_ experiment: Experiment, attributes: JSON? = nil, include: (() -> Bool?)? = nil) -> ExperimentResult {
        let attrs = attributes.map { Attributes($0.objectValue ?? JSONObject()) }
        // An experiment compiled for other semantics runs as this handle's rules have it.
        let experiment =
            experiment.snapshot.semantics == semantics
            ? experiment
            : Experiment(
                experiment.json.objectValue ?? JSONObject(), savedGroups: experiment.snapshot.savedGroups,
                semantics: semantics)
        return withEvaluation(attributes: attrs) { ev in
            let keepAlive = KeepAlive()
            let a = ev.assign(
                ExperimentRef(inline: experiment.snapshot, experiment.index), feature: -1, ruleChecked: false,
                include: include, keepAlive: keepAlive)
            let r = withExtendedLifetime(keepAlive) { ev.result(a, feature: -1) }
            _ = ev.context.with { c in
                c.hooks.experimentRan(
                    experiment, inExperiment: r.inExperiment, variationId: r.variationId, stamps: c.stamps, slot: -1
                ) { r }
            }
            return r
        }
    }

    /// Runs `body` with an evaluation of the current state for `attributes` (the state's own
    /// when nil; per-call attributes get their sticky bucket docs loaded for the call).
    private func withEvaluation<R>(attributes: Attributes?, _ body: (Evaluation) -> R) -> R {
        current.read { (context: EvaluationContext) -> R in Self.withEvaluation(of: context, attributes: attributes, body) }
    }

    /// `withEvaluation` on a state already read. The evaluation names the sticky docs loaded
    /// for per-call attributes without a reference of its own, so they are kept alive here for
    /// as long as `body` runs.
    @inline(__always)
    private static func withEvaluation<R>(
        of context: EvaluationContext, attributes: Attributes?, _ body: (Evaluation) -> R
    ) -> R {
        // The docs the evaluation changed are saved when it ends (for a service that buffers
        // writes: one round trip per evaluation call, whatever the number of experiments).
        if let attributes, let service = context.stickyService {
            let docs = StickyBucketDocs(service: service, attributes: context.stickyAttributes(for: attributes.root))
            return withExtendedLifetime(docs) {
                defer { docs.saveUnsaved() }
                return body(Evaluation(context, attributes: attributes, sticky: docs))
            }
        }
        defer { context.stickyDocs?.saveUnsaved() }
        return body(Evaluation(context, attributes: attributes, sticky: nil))
    }
}

/// What one feature evaluation decided, read inside `GrowthBook.evaluate`'s body: is-on, the
/// typed value, the JSON text or the result objects, each built only when asked for.
public struct FeatureOutcome: ~Copyable {
    let evaluation: Evaluation
    let decision: FeatureDecision

    init(_ evaluation: Evaluation, _ decision: FeatureDecision) {
        self.evaluation = evaluation
        self.decision = decision
    }

    public var isOn: Bool { decision.isOn }
    public var source: FeatureSource { decision.source }

    /// For `.experiment`, the assigned variation's index; otherwise -1.
    public var variationId: Int { decision.assignment?.variationId ?? -1 }

    /// The value by kind, without a tree: a string's bytes or a container's JSON text are
    /// appended to `out`.
    public func writeTypedValue(to out: inout TextBuffer) -> TypedValue { evaluation.writeTypedValue(decision, to: &out) }

    /// Appends the deciding rule's id; false (nothing written) when there is none.
    public func writeRuleId(to out: inout TextBuffer) -> Bool { evaluation.writeRuleId(decision, to: &out) }

    /// The full result object.
    public var result: FeatureResult { evaluation.featureResult(decision) }

    /// Appends the value as JSON text.
    public func writeValue(to out: inout TextBuffer) { evaluation.value(of: decision).write(to: &out) }

    /// Appends the full result as JSON text (the `FeatureResult` shape).
    public func writeResult(to out: inout TextBuffer) { evaluation.write(decision, to: &out) }
}
