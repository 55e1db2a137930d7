import Synchronization

/// An error from configuring a GrowthBook instance.
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
}

/// A GrowthBook context: features, attributes, settings and callbacks, safe to use from many
/// threads at once.
///
/// Everything an evaluation reads is one immutable `State`, replaced whole by each setter, so an
/// evaluation takes one reference under a short lock and then runs with no lock held. The only
/// mutable state shared by evaluations is the tracking and assignment bookkeeping, behind its
/// own lock (an assignment that did not change is recognised without it), and callbacks are
/// never called with a lock held.
public final class GrowthBook: Sendable {
    /// What an evaluation reads, replaced whole on every change.
    public final class State: Sendable {
        public let hooks: Hooks
        public let stickyService: (any StickyBucketService)?
        /// Explicit identifier attributes; nil derives them from the features.
        public let stickyIdentifierAttributes: [String]?
        /// An evaluator for the state's own attributes, built once: evaluations read it in
        /// place rather than building one (two reference counts) per call. It holds the
        /// features, settings, sticky docs and attributes (through its context).
        public let evaluator: Evaluator

        /// What evaluations read besides the attributes.
        public var context: EvaluationContext { evaluator.context }
        public var features: FeatureSet { evaluator.context.features }
        public var settings: EvaluationSettings { evaluator.context.settings }
        /// Sticky docs loaded for `attributes`.
        public var stickyDocs: StickyBucketDocs? { evaluator.context.sticky }
        public var attributes: JSON { evaluator.attributes }

        init(
            features: FeatureSet, attributes: JSON, settings: EvaluationSettings, hooks: Hooks,
            stickyService: (any StickyBucketService)?, stickyIdentifierAttributes: [String]?,
            stickyDocs: StickyBucketDocs?
        ) {
            self.hooks = hooks
            self.stickyService = stickyService
            self.stickyIdentifierAttributes = stickyIdentifierAttributes
            evaluator = Evaluator(
                context: EvaluationContext(
                    features: features, settings: settings, sticky: stickyDocs, hooks: hooks, logLevel: hooks.logLevel),
                attributes: attributes)
        }

        func with(
            features: FeatureSet? = nil, attributes: JSON? = nil, settings: EvaluationSettings? = nil,
            hooks: Hooks? = nil, stickyService: (any StickyBucketService)?? = nil,
            stickyIdentifierAttributes: [String]?? = nil, stickyDocs: StickyBucketDocs?? = nil
        ) -> State {
            State(
                features: features ?? self.features, attributes: attributes ?? self.attributes,
                settings: settings ?? self.settings, hooks: hooks ?? self.hooks,
                stickyService: stickyService ?? self.stickyService,
                stickyIdentifierAttributes: stickyIdentifierAttributes ?? self.stickyIdentifierAttributes,
                stickyDocs: stickyDocs ?? self.stickyDocs)
        }

        /// A copy for one thread's private use: the same answers, but compiled features,
        /// attributes, settings and hooks object of its own, so that evaluating on it writes to
        /// no reference count another thread is writing (shared counts made threads sharing a
        /// handle slower than one). `features` is that thread's private copy of this state's
        /// feature set. The callbacks, the bookkeeping and the sticky bucket docs stay shared:
        /// they are the context's.
        public func privateCopy(features privateFeatures: FeatureSet) -> State {
            var s = settings
            s.forcedVariations = s.forcedVariations.deepCopy()
            s.groups = s.groups.deepCopy()
            s.overrides = s.overrides.deepCopy()
            s.url = String(decoding: Array(s.url.utf8), as: UTF8.self)
            return State(
                features: privateFeatures, attributes: attributes.deepCopy(), settings: s, hooks: hooks.privateCopy(),
                stickyService: stickyService, stickyIdentifierAttributes: stickyIdentifierAttributes,
                stickyDocs: stickyDocs)
        }

        /// The identifier attributes and their hash values for sticky bucket look-ups.
        func stickyAttributes(for attributes: JSON) -> [(name: String, value: String)] {
            let names = stickyIdentifierAttributes ?? features.stickyIdentifierAttributes
            var out: [(name: String, value: String)] = []
            for name in names {
                guard let v = attributes[name], !v.isNull else { continue }
                let s = v.pythonString
                if !s.isEmpty { out.append((name, s)) }
            }
            return out
        }
    }

    public typealias ExperimentCallback = @Sendable (Experiment, ExperimentResult) -> Void
    public typealias LogCallback = @Sendable (LogLevel, String) -> Void

    /// The callbacks of one state, and the bookkeeping they share (tracked exposures, latest
    /// assignments) across states.
    public final class Hooks: EvaluationHooks {
        let tracking: ExperimentCallback?
        let subscriptions: [(id: Int, callback: ExperimentCallback)]
        let logSink: LogCallback?
        public let logLevel: LogLevel?
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

        /// The same callbacks and bookkeeping in an object of a thread's own (see
        /// `State.privateCopy`).
        func privateCopy() -> Hooks {
            Hooks(
                tracking: tracking, subscriptions: subscriptions, logSink: logSink, logLevel: logLevel,
                bookkeeping: bookkeeping)
        }

        public var tracksExposures: Bool { tracking != nil }

        public func experimentViewed(_ experiment: Experiment, _ result: ExperimentResult) {
            guard let tracking else { return }
            // The reference's de-duplication key.
            let key =
                result.hashAttribute + result.hashValue.pythonString + experiment.key + String(result.variationId)
            let first = bookkeeping.state.withLock { $0.tracked.insert(key).inserted }
            if first { tracking(experiment, result) }
        }

        /// Records the latest assignment per experiment key (the reference's `_assigned`) and
        /// calls the subscriptions when it changed. An unchanged assignment, the common case
        /// of the same user evaluated again, is recognised without the lock: see
        /// `Bookkeeping.epoch`.
        public func experimentRan(
            _ experiment: Experiment, inExperiment: Bool, variationId: Int, result: () -> ExperimentResult
        ) {
            let stamp = Bookkeeping.stamp(
                epoch: bookkeeping.epoch.load(ordering: .relaxed), inExperiment: inExperiment, variationId: variationId)
            if stamp != 0 && experiment.lastRecorded.load(ordering: .relaxed) == stamp { return }
            let key = ExperimentKey(experiment)
            let changed = bookkeeping.state.withLock { b -> ExperimentResult? in
                var changed: ExperimentResult? = nil
                if let prev = b.assigned[key]?.result, prev.inExperiment == inExperiment,
                    prev.variationId == variationId
                {
                    changed = nil
                } else {
                    let r = result()
                    if b.assigned[key] == nil { b.assignedOrder.append(experiment.key) }
                    b.assigned[key] = (experiment, r)
                    bookkeeping.epoch.store(Bookkeeping.nextEpoch(), ordering: .relaxed)
                    changed = r
                }
                // The entry for this key now holds this outcome, as of the current epoch.
                experiment.lastRecorded.store(
                    Bookkeeping.stamp(
                        epoch: bookkeeping.epoch.load(ordering: .relaxed), inExperiment: inExperiment,
                        variationId: variationId),
                    ordering: .relaxed)
                return changed
            }
            if let changed {
                for s in subscriptions { s.callback(experiment, changed) }
            }
        }

        public func log(_ level: LogLevel, _ message: String) {
            logSink?(level, message)
        }
    }

    /// An experiment key with its hash computed once (at compile time for rule experiments), so
    /// the per-evaluation assignment bookkeeping hashes an integer, not the string.
    struct ExperimentKey: Hashable {
        let key: String
        let keyHash: Int

        init(_ experiment: Experiment) {
            key = experiment.key
            keyHash = experiment.keyHash
        }

        init(_ key: String) {
            self.key = key
            keyHash = Experiment.hashKey(key)
        }

        func hash(into hasher: inout Hasher) { hasher.combine(keyHash) }
        static func == (a: ExperimentKey, b: ExperimentKey) -> Bool { a.keyHash == b.keyHash && a.key == b.key }
    }

    final class Bookkeeping: Sendable {
        struct Contents {
            var tracked = Set<String>()
            var assigned: [ExperimentKey: (experiment: Experiment, result: ExperimentResult)] = [:]
            var assignedOrder: [String] = []
            var nextSubscriptionId = 1
        }
        let state = Mutex(Contents())

        /// Changes whenever `assigned` changes, to a number no bookkeeping in the process has
        /// had before. An experiment stamps itself with the epoch and the outcome it found (or
        /// put) in `assigned`; while the epoch is unchanged, the same outcome again needs no
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

    private let current: Mutex<State>
    /// Bumped (inside the lock) whenever `current` is replaced, so a reader that cached a state
    /// can tell with one atomic load, and no lock, whether it is still the current one.
    private let generationCounter = Atomic<UInt64>(0)
    private let bookkeeping = Bookkeeping()

    public init() {
        let hooks = Hooks(tracking: nil, subscriptions: [], logSink: nil, logLevel: nil, bookkeeping: bookkeeping)
        current = Mutex(
            State(
                features: .empty, attributes: .object(JSONObject()), settings: EvaluationSettings(), hooks: hooks,
                stickyService: nil, stickyIdentifierAttributes: nil, stickyDocs: nil))
    }

    /// A context configured from a GrowthBook options object: the `context` objects of the spec
    /// fixture files (attributes, features, savedGroups, forcedVariations, qaMode, enabled, url,
    /// groups, overrides, stickyBucketAssignmentDocs, stickyBucketIdentifierAttributes) plus
    /// `stickyBucketing` (true: use the built-in in-memory service). Unknown keys are ignored.
    public convenience init(options: JSON) throws(GrowthBookError) {
        self.init()
        guard case .object(let o) = options else { throw .wrongType("options must be a JSON object") }
        var settings = EvaluationSettings()
        if let v = o["enabled"], !v.isNull { settings.enabled = v.isTruthy }
        if let v = o["qaMode"], !v.isNull { settings.qaMode = v.isTruthy }
        if let v = o["url"], !v.isNull {
            guard case .string(let s) = v else { throw .wrongType("url must be a string") }
            settings.url = s
        }
        settings.forcedVariations = try Self.forcedVariations(Self.object(o["forcedVariations"], "forcedVariations"))
        settings.groups = try Self.object(o["groups"], "groups")
        settings.overrides = try Self.object(o["overrides"], "overrides")
        let attributes = try Self.object(o["attributes"], "attributes")
        let savedGroups = try Self.object(o["savedGroups"], "savedGroups")
        let features = try Self.object(o["features"], "features")
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
        } else if o["stickyBucketing"]?.isTruthy == true {
            service = InMemoryStickyBucketService()
        }
        let featureSet = FeatureSet(features: features, savedGroups: savedGroups.isEmpty ? nil : savedGroups)
        update {
            $0.with(
                features: featureSet, attributes: .object(attributes), settings: settings, stickyService: .some(service),
                stickyIdentifierAttributes: .some(identifiers))
        }
        refreshStickyBuckets(force: true)
    }

    /// Forced variations as every entry point accepts them: experiment key → an integer
    /// variation index (or null, which forces nothing).
    public static func forcedVariations(_ forced: JSONObject) throws(GrowthBookError) -> JSONObject {
        for (k, v) in forced.pairs where v.intValue == nil && !v.isNull {
            throw .wrongType("the forced variation of \"\(k)\" must be an integer index")
        }
        return forced
    }

    /// Replaces the forced variations (validated as `forcedVariations(_:)` does).
    public func setForcedVariations(_ forced: JSONObject) throws(GrowthBookError) {
        let checked = try Self.forcedVariations(forced)
        updateSettings { $0.forcedVariations = checked }
    }

    private static func object(_ v: JSON?, _ name: String) throws(GrowthBookError) -> JSONObject {
        guard let v, !v.isNull else { return JSONObject() }
        guard case .object(let o) = v else { throw .wrongType("\(name) must be a JSON object") }
        return o
    }

    // MARK: State

    /// The current state: one short lock to take a reference.
    public var state: State { current.withLock { $0 } }

    /// The number of state changes so far: a state obtained with `stateAndGeneration` is still
    /// current while this returns the generation it came with.
    public var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

    /// The current state and its generation, read together under the lock.
    public var stateAndGeneration: (state: State, generation: UInt64) {
        current.withLock { ($0, generationCounter.load(ordering: .relaxed)) }
    }

    private func update(_ change: (State) -> State) {
        current.withLock {
            $0 = change($0)
            generationCounter.wrappingAdd(1, ordering: .releasing)
        }
    }

    public func setFeatures(_ features: FeatureSet) {
        update { $0.with(features: features) }
        refreshStickyBuckets(force: false)
    }

    /// Replaces the features with those of a JSON text (an object), keeping the saved groups;
    /// compiled as parsed, without building the tree of the whole text. False when the text is
    /// not a JSON object.
    public func setFeatures(text: UnsafeBufferPointer<UInt8>) throws(JSONError) -> Bool {
        let groups = state.features.savedGroups
        guard let set = try FeatureSet.compile(featuresText: text, savedGroups: groups) else { return false }
        setFeatures(set)
        return true
    }

    /// Replaces the features, keeping the saved groups.
    public func setFeatures(_ definitions: JSONObject) {
        let groups = state.features.savedGroups
        setFeatures(FeatureSet(features: definitions, savedGroups: groups))
    }

    /// Replaces the saved groups; the features are recompiled against them.
    public func setSavedGroups(_ groups: JSONObject) {
        let definitions = state.features.json.objectValue ?? JSONObject()
        setFeatures(FeatureSet(features: definitions, savedGroups: groups.isEmpty ? nil : groups))
    }

    public func setAttributes(_ attributes: JSONObject) {
        update { $0.with(attributes: .object(attributes)) }
        refreshStickyBuckets(force: false)
    }

    public func updateSettings(_ change: (inout EvaluationSettings) -> Void) {
        update { state in
            var s = state.settings
            change(&s)
            return state.with(settings: s)
        }
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
        var found = false
        update { state in
            let subs = state.hooks.subscriptions.filter { $0.id != id }
            found = subs.count != state.hooks.subscriptions.count
            return state.with(hooks: state.hooks.with(subscriptions: subs))
        }
        return found
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
            if s.stickyDocs != nil { update { $0.with(stickyDocs: .some(nil)) } }
            return
        }
        let attrs = s.stickyAttributes(for: s.attributes)
        if !force, let docs = s.stickyDocs, docs.matches(attrs) { return }
        // The service is called with no lock held.
        let docs = StickyBucketDocs(service: service, attributes: attrs)
        update { $0.stickyService === service ? $0.with(stickyDocs: .some(docs)) : $0 }
    }

    /// Every experiment's latest assignment: key → (experiment, result).
    public var allResults: [(key: String, experiment: Experiment, result: ExperimentResult)] {
        bookkeeping.state.withLock { b in
            b.assignedOrder.compactMap { k in b.assigned[ExperimentKey(k)].map { (k, $0.experiment, $0.result) } }
        }
    }

    // MARK: Evaluation

    /// An evaluator for the current state, with the context's attributes or `attributes`.
    /// Per-call attributes never change the context; their sticky docs are loaded for the call.
    public func evaluator(attributes: JSON? = nil) -> Evaluator {
        evaluator(state: state, attributes: attributes)
    }

    public func evaluator(state s: State, attributes: JSON?) -> Evaluator {
        guard let attributes else { return s.evaluator }
        if let service = s.stickyService {
            let docs = StickyBucketDocs(service: service, attributes: s.stickyAttributes(for: attributes))
            return Evaluator(context: s.context.with(sticky: docs), attributes: attributes)
        }
        return Evaluator(context: s.context, attributes: attributes)
    }

    public func evaluateFeature(_ key: String, attributes: JSON? = nil) -> FeatureResult {
        evaluator(attributes: attributes).evaluateFeature(key)
    }

    /// Evaluates by the key's UTF-8 bytes (the C ABI's path: no String is built for the key).
    /// Nil when no feature has that key, so that the caller can tell a malformed key from an
    /// unknown one only on that rare path.
    public func evaluateFeature(keyBytes: UnsafeBufferPointer<UInt8>, attributes: JSON? = nil) -> FeatureResult? {
        evaluateFeature(keyBytes: keyBytes, attributes: attributes, in: state)
    }

    /// As `evaluateFeature(keyBytes:attributes:)` against a given state (one the caller cached
    /// while its generation is current).
    public func evaluateFeature(keyBytes: UnsafeBufferPointer<UInt8>, attributes: JSON?, in s: State) -> FeatureResult? {
        guard let i = s.features.index(ofKeyBytes: keyBytes) else { return nil }
        return withEvaluator(in: s, attributes: attributes) { $0.evaluateFeature(at: i) }
    }

    /// The feature's value, source, rule and variation by the key's bytes (nil when no feature
    /// has that key); with `writingResult`, a value from an experiment also appends the full
    /// result as JSON to `out`.
    public func evaluateValue(
        keyBytes: UnsafeBufferPointer<UInt8>, attributes: JSON?, in s: State, writingResult: Bool,
        to out: inout [UInt8]
    ) -> FeatureValue? {
        guard let i = s.features.index(ofKeyBytes: keyBytes) else { return nil }
        return withEvaluator(in: s, attributes: attributes) { ev in
            writingResult ? ev.evaluateValue(at: i, experimentResultTo: &out) : ev.evaluateValue(at: i)
        }
    }

    /// Appends the feature's full result as JSON, by the key's bytes; false (nothing written)
    /// when no feature has that key.
    public func writeFeatureResult(
        keyBytes: UnsafeBufferPointer<UInt8>, attributes: JSON?, in s: State, to out: inout [UInt8]
    ) -> Bool {
        guard let i = s.features.index(ofKeyBytes: keyBytes) else { return false }
        withEvaluator(in: s, attributes: attributes) { $0.writeFeatureResult(at: i, to: &out) }
        return true
    }

    /// Whether the feature is on, by the key's bytes; nil when no feature has that key.
    public func isOn(keyBytes: UnsafeBufferPointer<UInt8>, attributes: JSON? = nil) -> Bool? {
        isOn(keyBytes: keyBytes, attributes: attributes, in: state)
    }

    public func isOn(keyBytes: UnsafeBufferPointer<UInt8>, attributes: JSON?, in s: State) -> Bool? {
        guard let i = s.features.index(ofKeyBytes: keyBytes) else { return nil }
        return withEvaluator(in: s, attributes: attributes) { $0.isOn(at: i) }
    }

    /// Runs `body` with the evaluator for `attributes`: the state's own, read in place (no
    /// reference counts), when there are none; else one for the per-call attributes.
    @inline(__always)
    private func withEvaluator<R>(in s: State, attributes: JSON?, _ body: (Evaluator) -> R) -> R {
        guard let attributes else { return body(s.evaluator) }
        return body(evaluator(state: s, attributes: attributes))
    }

    /// Sends a message to the log sink, if one is set at this level.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        let hooks = state.hooks
        if let threshold = hooks.logLevel, level >= threshold { hooks.log(level, message()) }
    }

    /// The result for a key that matched no feature: logged, as the reference does.
    public func unknownFeature(_ key: String) -> FeatureResult {
        let hooks = state.hooks
        if let level = hooks.logLevel, level <= .warning { hooks.log(.warning, "Unknown feature \(key)") }
        return FeatureResult(value: .null, source: .unknownFeature)
    }

    public func isOn(_ key: String) -> Bool { evaluateFeature(key).on }

    /// Compiles an inline experiment definition against the context's saved groups.
    public func experiment(_ definition: JSONObject) -> Experiment {
        Experiment(definition, savedGroups: state.features.savedGroups)
    }

    public func run(_ experiment: Experiment, attributes: JSON? = nil, include: (() -> Bool?)? = nil) -> ExperimentResult {
        evaluator(attributes: attributes).run(experiment, include: include)
    }
}
