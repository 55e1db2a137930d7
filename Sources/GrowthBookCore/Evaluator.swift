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

/// What an evaluation reports to its host: experiment exposures, experiment runs (for
/// subscriptions) and log messages.
///
/// Result objects are built only when a hook asks for one (`result`), so that an evaluation
/// nobody reports on allocates nothing.
public protocol EvaluationHooks: AnyObject, Sendable {
    /// Whether `experimentViewed` does anything (a tracking callback is set).
    var tracksExposures: Bool { get }
    /// An experiment assigned the user (the tracking callback; de-duplication is the host's).
    func experimentViewed(_ experiment: Experiment, _ result: ExperimentResult)
    /// An experiment ran, in or out (the reference's subscriptions and assignment bookkeeping).
    /// `variationId` is the result's (0 when not in the experiment).
    func experimentRan(
        _ experiment: Experiment, inExperiment: Bool, variationId: Int, result: () -> ExperimentResult)
    func log(_ level: LogLevel, _ message: String)
}

/// Everything an evaluation reads besides the attributes: built once per state of a context,
/// shared by reference so that starting an evaluation copies nothing.
public final class EvaluationContext: Sendable {
    public let features: FeatureSet
    public let settings: EvaluationSettings
    public let sticky: StickyBucketDocs?
    public let hooks: (any EvaluationHooks)?
    /// Messages below this level are not even formatted; nil is silent.
    public let logLevel: LogLevel?

    public init(
        features: FeatureSet, settings: EvaluationSettings = EvaluationSettings(), sticky: StickyBucketDocs? = nil,
        hooks: (any EvaluationHooks)? = nil, logLevel: LogLevel? = nil
    ) {
        self.features = features
        self.settings = settings
        self.sticky = sticky
        self.hooks = hooks
        self.logLevel = hooks == nil ? nil : logLevel
    }

    /// The same context with other sticky bucket docs (for per-call attributes).
    func with(sticky: StickyBucketDocs?) -> EvaluationContext {
        EvaluationContext(features: features, settings: settings, sticky: sticky, hooks: hooks, logLevel: logLevel)
    }
}

/// Evaluates features and experiments for one user against one context: the reference's
/// `eval_feature` and `run`, step by step. A small value built per evaluation; it holds no lock.
public struct Evaluator: Sendable {
    public let context: EvaluationContext
    public let attributes: JSON

    var features: FeatureSet { context.features }
    var settings: EvaluationSettings { context.settings }
    var sticky: StickyBucketDocs? { context.sticky }
    var hooks: (any EvaluationHooks)? { context.hooks }

    /// Prerequisite chains deeper than this evaluate as `cyclicPrerequisite`, so a hostile
    /// payload cannot exhaust the stack.
    public static let maxPrerequisiteDepth = 64

    public init(context: EvaluationContext, attributes: JSON) {
        self.context = context
        self.attributes = attributes
    }

    public init(
        features: FeatureSet, attributes: JSON, settings: EvaluationSettings = EvaluationSettings(),
        sticky: StickyBucketDocs? = nil, hooks: (any EvaluationHooks)? = nil, logLevel: LogLevel? = nil
    ) {
        self.init(
            context: EvaluationContext(
                features: features, settings: settings, sticky: sticky, hooks: hooks, logLevel: logLevel),
            attributes: attributes)
    }

    @inline(__always)
    func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard let logLevel = context.logLevel, level >= logLevel, let hooks else { return }
        hooks.log(level, message())
    }

    // MARK: Features

    public func evaluateFeature(_ key: String) -> FeatureResult {
        guard let i = features.index(of: key) else {
            log(.warning, "Unknown feature \(key)")
            return FeatureResult(value: .null, source: .unknownFeature)
        }
        return evaluateFeature(at: i)
    }

    /// Evaluates the feature at `index` of the feature set.
    public func evaluateFeature(at index: Int) -> FeatureResult {
        featureResult(decide(at: index, walk: nil), featureAt: index)
    }

    /// The feature's value, source, rule and variation, with no result object built.
    public func evaluateValue(at index: Int) -> FeatureValue {
        var unused: [UInt8] = []
        return evaluateValue(at: index, writingResult: false, to: &unused)
    }

    /// As `evaluateValue(at:)`, and for a value from an experiment the full result as JSON
    /// appended to `out` (as `writeFeatureResult` writes it).
    public func evaluateValue(at index: Int, experimentResultTo out: inout [UInt8]) -> FeatureValue {
        evaluateValue(at: index, writingResult: true, to: &out)
    }

    private func evaluateValue(at index: Int, writingResult: Bool, to out: inout [UInt8]) -> FeatureValue {
        let d = decide(at: index, walk: nil)
        let ruleId = d.ruleIndex >= 0 ? features.features[index].rules[d.ruleIndex].id : nil
        if writingResult && d.source == .experiment { write(d, featureAt: index, to: &out) }
        return FeatureValue(
            value: value(of: d, featureAt: index), source: d.source, on: d.isOn, ruleId: ruleId,
            variationId: d.assignment?.variationId ?? -1)
    }

    /// Whether the feature at `index` is on: the same evaluation, with no result built.
    public func isOn(at index: Int) -> Bool {
        decide(at: index, walk: nil).isOn
    }


    /// Appends the feature's full result as JSON (`FeatureResult.write`). The common experiment
    /// result is written from text the rule keeps (see `ResultTemplates`) with no result
    /// object built.
    public func writeFeatureResult(at index: Int, to out: inout [UInt8]) {
        write(decide(at: index, walk: nil), featureAt: index, to: &out)
    }

    private func write(_ d: FeatureDecision, featureAt index: Int, to out: inout [UInt8]) {
        if let a = d.assignment, a.inExperiment, a.hashUsed, d.ruleIndex >= 0 {
            // The feature, rule and text are borrowed in place: no reference counting.
            let written = features.features.withBorrowedElement(at: index) { feature -> Bool in
                feature.rules.withBorrowedElement(at: d.ruleIndex) { rule -> Bool in
                    guard let experiment = rule.experiment, experiment === a.experiment else { return false }
                    let (value, usedFallback) = hashAttributeValue(experiment)
                    guard !usedFallback, let templates = rule.resultTemplates(featureKey: feature.key) else {
                        return false
                    }
                    return templates.write(
                        variation: a.variationId, hashValue: value, stickyBucketUsed: a.stickyBucketUsed,
                        bucket: a.bucket, to: &out)
                } ?? false
            }
            if written == true { return }
        }
        featureResult(d, featureAt: index).write(to: &out)
    }

    /// The value a decision about the feature at `index` chose.
    func value(of d: FeatureDecision, featureAt index: Int) -> JSON {
        switch d.source {
        case .defaultValue:
            return index < features.features.count ? features.features[index].defaultValue : .null
        case .force:
            guard index < features.features.count else { return .null }
            let rules = features.features[index].rules
            return d.ruleIndex >= 0 && d.ruleIndex < rules.count ? rules[d.ruleIndex].force ?? .null : .null
        case .experiment:
            return d.assignment?.value ?? .null
        case .unknownFeature, .prerequisite, .cyclicPrerequisite:
            return .null
        }
    }

    /// The full result for a decision about the feature at `index`.
    func featureResult(_ d: FeatureDecision, featureAt index: Int) -> FeatureResult {
        let value = value(of: d, featureAt: index)
        guard d.ruleIndex >= 0 else { return FeatureResult(value: value, source: d.source) }
        let feature = features.features[index]
        let rule = feature.rules[d.ruleIndex]
        guard let a = d.assignment, let experiment = rule.experiment else {
            return FeatureResult(value: value, source: d.source, ruleId: rule.id)
        }
        return FeatureResult(
            value: value, source: d.source, ruleId: rule.id, experiment: experiment,
            experimentResult: result(a, featureId: feature.key))
    }

    /// `walk`: the prerequisites being evaluated (cycle detection, limits); nil (nothing
    /// allocated) unless prerequisites are being evaluated.
    private func decide(at index: Int, walk: PrerequisiteWalk?) -> FeatureDecision {
        // The feature and its rules are borrowed from the feature set, which outlives the
        // call: no reference counting on the objects every thread reads.
        features.features.withBorrowedElement(at: index) { feature in
            // No rules and nobody listening to the debug messages (the only ones this path
            // logs): the default value is the whole answer.
            if feature.rules.isEmpty && !logsDebug {
                return FeatureDecision(source: .defaultValue, isOn: feature.defaultIsOn)
            }
            return decide(feature, at: index, walk: walk)
        } ?? FeatureDecision(source: .unknownFeature, isOn: false)
    }

    private var logsDebug: Bool {
        guard let level = context.logLevel else { return false }
        return level <= .debug
    }

    private func decide(_ feature: Feature, at index: Int, walk: PrerequisiteWalk?) -> FeatureDecision {
        var key: String { feature.key }
        log(.debug, "Evaluating feature \(key)")
        if let walk, walk.path.contains(index) {
            log(.warning, "Cyclic prerequisite detected, stack: \(walk.path.map { features.features[$0].key })")
            return FeatureDecision(source: .cyclicPrerequisite, isOn: false)
        }
        let ruleCount = feature.rules.count
        var ruleIndex = 0
        while ruleIndex < ruleCount {
            defer { ruleIndex += 1 }
            let outcome = feature.rules.withBorrowedElement(at: ruleIndex) { rule in
                apply(rule, at: ruleIndex, of: feature, at: index, walk: walk)
            }
            if let outcome, let decision = outcome { return decision }
        }
        log(.debug, "Use default value for feature \(key)")
        return FeatureDecision(source: .defaultValue, isOn: feature.defaultIsOn)
    }

    /// One rule of `decide` (the reference's loop body): the decision, or nil to go on to the
    /// next rule.
    @inline(__always)
    private func apply(
        _ rule: FeatureRule, at ruleIndex: Int, of feature: Feature, at index: Int, walk: PrerequisiteWalk?
    ) -> FeatureDecision? {
        var key: String { feature.key }
        if !rule.parentConditions.isEmpty {
            switch evaluatePrerequisites(rule.parentConditions, of: index, walk: walk ?? PrerequisiteWalk()) {
            case .gate:
                log(.debug, "Top-level prerequisite failed, return None, feature \(key)")
                return FeatureDecision(source: .prerequisite, isOn: false)
            case .cyclic:
                return FeatureDecision(source: .cyclicPrerequisite, isOn: false)
            case .fail:
                log(.debug, "Skip rule because of failing prerequisite, feature \(key)")
                return nil
            case .pass:
                break
            }
        }
        if rule.condition?.evaluate(attributes) == false {
            log(.debug, "Skip rule because of failed condition, feature \(key)")
            return nil
        }
        if let filters = rule.filters, isFilteredOut(filters) {
            log(.debug, "Skip rule because of filters/namespaces, feature \(key)")
            return nil
        }
        if rule.force != nil {
            if !isIncludedInRollout(rule: rule, featureKey: key) {
                log(.debug, "Skip rule because user not included in percentage rollout, feature \(key)")
                return nil
            }
            log(.debug, "Force value from rule, feature \(key)")
            return FeatureDecision(source: .force, isOn: rule.forceIsOn, ruleIndex: ruleIndex)
        }
        // Read in place (a switch borrows; `if let` would copy and count a reference).
        switch rule.experiment {
        case .none:
            log(.warning, "Skip invalid rule, feature \(key)")
            return nil
        case .some(let experiment):
            return apply(experiment, of: rule, at: ruleIndex, in: feature)
        }
    }

    /// The experiment step of `apply`.
    @inline(__always)
    private func apply(
        _ experiment: Experiment, of rule: FeatureRule, at ruleIndex: Int, in feature: Feature
    ) -> FeatureDecision? {
        var key: String { feature.key }
        let a = assign(experiment, feature: feature, ruleChecked: true)
        context.hooks?.experimentRan(experiment, inExperiment: a.inExperiment, variationId: a.variationId) {
            result(a, featureId: key)
        }
        if !a.inExperiment {
            log(.debug, "Skip rule because user not included in experiment, feature \(key)")
            return nil
        }
        if a.passthrough {
            log(.debug, "Continue to next rule, feature \(key)")
            return nil
        }
        log(.debug, "Assign value from experiment, feature \(key)")
        return FeatureDecision(
            source: .experiment, isOn: a.isOn, ruleIndex: ruleIndex, assignment: a)
    }

    private enum PrerequisiteOutcome { case pass, fail, gate, cyclic }

    /// The features on the current chain of prerequisites and how many prerequisite
    /// evaluations this top-level evaluation has made: a payload can make the chain deep (the
    /// stack) or wide (each feature naming its parent many times: time), and both are bounded.
    final class PrerequisiteWalk {
        var path: [Int] = []
        var evaluations = 0
    }

    /// More prerequisite evaluations than this in one top-level evaluation count as cyclic.
    public static let maxPrerequisiteEvaluations = 10_000

    /// `index`: the feature whose rule has these parents (nil for an inline experiment).
    private func evaluatePrerequisites(
        _ parents: [ParentCondition], of index: Int?, walk: PrerequisiteWalk
    ) -> PrerequisiteOutcome {
        if let index { walk.path.append(index) }
        defer { if index != nil { walk.path.removeLast() } }
        for parent in parents {
            let parentDecision: FeatureDecision
            var parentValue = JSON.null
            if let i = features.index(of: parent.id) {
                if walk.path.count >= Self.maxPrerequisiteDepth {
                    log(.warning, "Prerequisite chain deeper than \(Self.maxPrerequisiteDepth), feature \(parent.id)")
                    return .cyclic
                }
                walk.evaluations += 1
                if walk.evaluations > Self.maxPrerequisiteEvaluations {
                    log(.warning, "More than \(Self.maxPrerequisiteEvaluations) prerequisite evaluations, feature \(parent.id)")
                    return .cyclic
                }
                parentDecision = decide(at: i, walk: walk)
                parentValue = value(of: parentDecision, featureAt: i)
            } else {
                log(.warning, "Unknown feature \(parent.id)")
                parentDecision = FeatureDecision(source: .unknownFeature, isOn: false)
            }
            if parentDecision.source == .cyclicPrerequisite { return .cyclic }
            guard let condition = parent.condition else { continue }
            if !condition.evaluate(.object(["value": parentValue])) {
                return parent.gate ? .gate : .fail
            }
        }
        return .pass
    }

    // MARK: Hashing helpers

    /// The attribute used for hashing and its value as given (`""` when missing or null),
    /// falling back to `fallbackAttribute` when sticky bucketing is on and the value is empty.
    func originalHashValue(_ attribute: JSONKey, fallback: JSONKey?) -> (attribute: String, value: JSON) {
        let value = attributeValue(attribute)
        if !value.isTruthy, let fallback, sticky != nil { return (fallback.string, attributeValue(fallback)) }
        return (attribute.string, value)
    }

    /// An experiment's `originalHashValue`, and whether it came from the fallback attribute.
    func hashAttributeValue(_ experiment: Experiment) -> (value: JSON, usedFallback: Bool) {
        let (name, value) = originalHashValue(experiment.hashAttributeKey, fallback: experiment.fallbackAttributeKey)
        return (value, !codePointsEqual(name, experiment.hashAttributeKey.string))
    }

    private func attributeValue(_ name: JSONKey) -> JSON {
        guard case .object(let o) = attributes, let v = o[name], !v.isNull else { return .string("") }
        return v
    }

    /// As `originalHashValue`, with the value as the string that is hashed (Python's `str`).
    func hashValue(_ attribute: JSONKey, fallback: JSONKey? = nil) -> (attribute: String, value: String) {
        // The common case, a non-empty string (never replaced by the fallback): read in place.
        if case .object(let o) = attributes, let i = o.firstIndex(of: attribute), case .string(let s) = o.value(at: i),
            !s.isEmpty
        {
            return (attribute.string, s)
        }
        let (name, value) = originalHashValue(attribute, fallback: fallback)
        return (name, value.pythonString)
    }

    private func isIncludedInRollout(rule: FeatureRule, featureKey: String) -> Bool {
        if rule.coverage == nil && rule.range == nil { return true }
        if rule.coverage == 0 && rule.range == nil { return false }
        let value = hashValue(rule.hashAttributeKey, fallback: rule.fallbackAttributeKey).value
        if value.isEmpty { return false }
        guard let seed = rule.hashSeed, let n = gbHash(seed: seed, value: value, version: rule.hashVersion) else {
            return false
        }
        if let range = rule.range { return range.contains(n) }
        if let coverage = rule.coverage { return n <= coverage }
        return true
    }

    private func isFilteredOut(_ filters: [HashFilter]) -> Bool {
        for filter in filters {
            let value = hashValue(filter.attributeKey).value
            if value.isEmpty { return false }
            guard let n = gbHash(seed: filter.hashSeed, value: value, version: filter.hashVersion) else { return false }
            if !filter.ranges.contains(where: { $0.contains(n) }) { return true }
        }
        return false
    }

    // MARK: Experiments

    /// Runs an inline experiment (the reference's `run`). `include` is the experiment's include
    /// callback: `false` or `nil` (it raised) excludes the user.
    public func run(_ experiment: Experiment, include: (() -> Bool?)? = nil) -> ExperimentResult {
        let r = result(assign(experiment, feature: nil, ruleChecked: false, include: include), featureId: nil)
        hooks?.experimentRan(experiment, inExperiment: r.inExperiment, variationId: r.variationId) { r }
        return r
    }

    /// The reference's experiment steps, deciding the variation without building a result.
    /// `ruleChecked`: the experiment comes from a feature rule whose condition and filters the
    /// feature evaluation has just checked against the same attributes. `feature`'s key goes into
    /// the result a tracking callback gets.
    private func assign(
        _ original: Experiment, feature: Feature?, ruleChecked: Bool, include: (() -> Bool?)? = nil
    ) -> ExperimentAssignment {
        var experiment = original
        var key: String { experiment.key }  // read where needed (mostly messages nobody formats)
        // 1.
        if experiment.variations.count < 2 {
            log(.warning, "Experiment \(key) has less than 2 variations, skip")
            return ExperimentAssignment(experiment)
        }
        // 2.
        if !settings.enabled {
            log(.debug, "Skip experiment \(key) because GrowthBook is disabled")
            return ExperimentAssignment(experiment)
        }
        // 2.5. Deprecated per-experiment overrides.
        if !settings.overrides.isEmpty, let o = settings.overrides[key]?.objectValue, !o.isEmpty {
            experiment = experiment.overridden(by: o, savedGroups: features.savedGroups)
        }
        // An overridden copy belongs to no feature set: the assignment keeps it alive.
        let owned = experiment !== original
        // 3.
        if !settings.url.isEmpty,
            let qs = queryStringOverride(id: key, url: settings.url, variationCount: experiment.variations.count)
        {
            log(.debug, "Force variation \(qs) from URL querystring, experiment \(key)")
            return ExperimentAssignment(experiment, variationId: qs, ownsExperiment: owned)
        }
        // 4.
        if !settings.forcedVariations.isEmpty, let forced = settings.forcedVariations[key], !forced.isNull {
            log(.debug, "Force variation \(forced.serialized) from GrowthBook context, experiment \(key)")
            return ExperimentAssignment(experiment, variationId: forced.intValue ?? -1, ownsExperiment: owned)
        }
        // 5.
        if experiment.isDraftOrInactive {
            log(.debug, "Experiment \(key) is not active, skip")
            return ExperimentAssignment(experiment, ownsExperiment: owned)
        }
        // 6.
        let (hashAttribute, hashValue) = hashValue(experiment.hashAttributeKey, fallback: experiment.fallbackAttributeKey)
        if hashValue.isEmpty {
            log(.debug, "Skip experiment \(key) because user's hashAttribute value is empty")
            return ExperimentAssignment(experiment, ownsExperiment: owned)
        }

        var assigned = -1
        var foundStickyBucket = false
        var stickyVersionBlocked = false
        let useSticky = sticky != nil && !experiment.disableStickyBucketing
        if useSticky {
            let (variation, blocked) = stickyBucketVariation(experiment)
            foundStickyBucket = variation >= 0
            assigned = variation
            stickyVersionBlocked = blocked
        }
        if foundStickyBucket {
            log(.debug, "Found sticky bucket for experiment \(key), assigning sticky variation \(assigned)")
        } else {
            // 7.
            if let filters = experiment.filters {
                if !ruleChecked && isFilteredOut(filters) {
                    log(.debug, "Skip experiment \(key) because of filters/namespaces")
                    return ExperimentAssignment(experiment, ownsExperiment: owned)
                }
            } else if let ns = experiment.namespace, !ns.contains(userId: hashValue) {
                log(.debug, "Skip experiment \(key) because of namespace")
                return ExperimentAssignment(experiment, ownsExperiment: owned)
            }
            // 7.5.
            if let include {
                switch include() {
                case .some(true): break
                case .some(false):
                    log(.debug, "Skip experiment \(key) because include() returned false")
                    return ExperimentAssignment(experiment, ownsExperiment: owned)
                case .none:
                    log(.warning, "Skip experiment \(key) because include() raised an Exception")
                    return ExperimentAssignment(experiment, ownsExperiment: owned)
                }
            }
            // 8.
            if !ruleChecked, let condition = experiment.condition, !condition.evaluate(attributes) {
                log(.debug, "Skip experiment \(key) because user failed the condition")
                return ExperimentAssignment(experiment, ownsExperiment: owned)
            }
            // 8.05.
            if !experiment.parentConditions.isEmpty {
                switch evaluatePrerequisites(experiment.parentConditions, of: nil, walk: PrerequisiteWalk()) {
                case .gate, .fail:
                    log(.debug, "Skip experiment \(key) because of failing prerequisite")
                    return ExperimentAssignment(experiment, ownsExperiment: owned)
                case .cyclic:
                    log(.debug, "Skip experiment \(key) because of cyclic prerequisite")
                    return ExperimentAssignment(experiment, ownsExperiment: owned)
                case .pass:
                    break
                }
            }
            // 8.1. Deprecated groups.
            if let groups = experiment.groups, !groups.isEmpty {
                if !groups.contains(where: { settings.groups[$0]?.isTruthy ?? false }) {
                    log(.debug, "Skip experiment \(key) because user not in required group")
                    return ExperimentAssignment(experiment, ownsExperiment: owned)
                }
            }
        }
        // 8.2. Deprecated URL targeting (applies even with a sticky bucket).
        if let pattern = experiment.urlPattern {
            if !urlIsValid(pattern: pattern, regex: experiment.url) {
                log(.debug, "Skip experiment \(key) because current URL is not targeted")
                return ExperimentAssignment(experiment, ownsExperiment: owned)
            }
        }
        // 9.
        guard let n = gbHash(seed: experiment.hashSeed, value: hashValue, version: experiment.hashVersion) else {
            log(.warning, "Skip experiment \(key) because of invalid hashVersion")
            return ExperimentAssignment(experiment, ownsExperiment: owned)
        }
        if !foundStickyBucket {
            assigned = chooseVariation(n, ranges: experiment.effectiveRanges)
        }
        if stickyVersionBlocked {
            log(.debug, "Skip experiment \(key) because sticky bucket version is blocked")
            return ExperimentAssignment(experiment, stickyBucketUsed: true, ownsExperiment: owned)
        }
        // 10.
        if assigned < 0 {
            log(.debug, "Skip experiment \(key) because user is not included in the rollout")
            return ExperimentAssignment(experiment, ownsExperiment: owned)
        }
        // 11.
        if let force = experiment.force {
            log(.debug, "Force variation \(force) in experiment \(key)")
            return ExperimentAssignment(experiment, variationId: force, ownsExperiment: owned)
        }
        // 12.
        if settings.qaMode {
            log(.debug, "Skip experiment \(key) because of QA Mode")
            return ExperimentAssignment(experiment, ownsExperiment: owned)
        }
        // 12.5.
        if experiment.isStopped {
            log(.debug, "Skip experiment \(key) because it is stopped")
            return ExperimentAssignment(experiment, ownsExperiment: owned)
        }
        // 13.
        let a = ExperimentAssignment(
            experiment, variationId: assigned, hashUsed: true, bucket: n, stickyBucketUsed: foundStickyBucket,
            ownsExperiment: owned)
        // 13.5.
        if useSticky, let sticky {
            saveStickyAssignment(
                sticky, attribute: hashAttribute, value: hashValue,
                experimentKey: stickyExperimentKey(key, experiment.bucketVersion), variationKey: a.variationKey)
        }
        // 14.
        if let hooks, hooks.tracksExposures { hooks.experimentViewed(experiment, result(a, featureId: feature?.key)) }
        // 15.
        log(.debug, "Assigned variation \(assigned) in experiment \(key)")
        return a
    }

    /// The reference's `_getExperimentResult`: the result object for an assignment.
    func result(_ a: ExperimentAssignment, featureId: String?) -> ExperimentResult {
        let experiment = a.experiment
        let variation = a.variationId < experiment.variationLabels.count ? experiment.variationLabels[a.variationId] : nil
        let (hashAttribute, hashValue) = originalHashValue(
            experiment.hashAttributeKey, fallback: experiment.fallbackAttributeKey)
        return ExperimentResult(
            featureId: featureId.flatMap { $0.isEmpty ? nil : $0 },
            variationId: a.variationId,
            inExperiment: a.inExperiment,
            value: a.value,
            hashUsed: a.hashUsed,
            hashAttribute: hashAttribute,
            hashValue: hashValue,
            key: a.variationKey,
            name: variation?.name,
            passthrough: variation?.passthrough ?? false,
            bucket: a.bucket,
            stickyBucketUsed: a.stickyBucketUsed)
    }

    private func urlIsValid(pattern: String, regex: CompiledRegex?) -> Bool {
        if settings.url.isEmpty { return false }
        // A pattern that does not compile counts as a match, as in the reference.
        guard let regex else { return true }
        if regex.search(settings.url) == true { return true }
        return regex.search(urlPathOnly(settings.url)) == true
    }

    // MARK: Sticky bucketing

    private func stickyExperimentKey(_ key: String, _ bucketVersion: Int) -> String {
        key + "__" + String(bucketVersion)
    }

    /// The sticky variation index (-1 when none) and whether an older bucket version blocks the
    /// user.
    private func stickyBucketVariation(_ experiment: Experiment) -> (Int, Bool) {
        let assignments = mergedStickyAssignments(experiment.hashAttribute, fallback: experiment.fallbackAttribute)
        if experiment.minBucketVersion > 0 && isBlocked(assignments, experiment.key, experiment.minBucketVersion) {
            return (-1, true)
        }
        guard let variationKey = assignments[stickyExperimentKey(experiment.key, experiment.bucketVersion)],
            variationKey.isTruthy
        else { return (-1, false) }
        guard let meta = experiment.meta else { return (-1, false) }
        for (i, m) in meta.enumerated() where m["key"] == variationKey { return (i, false) }
        return (-1, false)
    }

    /// Whether the user holds an assignment from a bucket version below `minVersion`. Scans the
    /// user's few assignments rather than every version below the minimum, which a payload could
    /// set to billions.
    private func isBlocked(_ assignments: JSONObject, _ key: String, _ minVersion: Int) -> Bool {
        let prefix = key + "__"
        for k in assignments.keys where k.hasPrefix(prefix) {
            let suffix = k.utf8.dropFirst(prefix.utf8.count)
            // Only the canonical decimal form ("0", "12"), as the reference builds these keys.
            guard !suffix.isEmpty, suffix.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                suffix.count == 1 || suffix.first != 0x30, suffix.count < 19
            else { continue }
            var v = 0
            for d in suffix { v = v * 10 + Int(d - 0x30) }
            if v < minVersion { return true }
        }
        return false
    }

    private func mergedStickyAssignments(_ attribute: String, fallback: String?) -> JSONObject {
        guard let sticky else { return JSONObject() }
        var merged = sticky.assignments(stickyDocKey(attribute, hashValue(JSONKey(attribute)).value)) ?? JSONObject()
        if let fallback {
            let fallbackValue = hashValue(JSONKey(fallback)).value
            if let more = sticky.assignments(stickyDocKey(fallback, fallbackValue)) {
                for (k, v) in more.pairs where !merged.contains(k) { merged[k] = v }
            }
        }
        return merged
    }

    private func saveStickyAssignment(
        _ sticky: StickyBucketDocs, attribute: String, value: String, experimentKey: String, variationKey: String
    ) {
        let docKey = stickyDocKey(attribute, value)
        let existing = sticky.assignments(docKey) ?? JSONObject()
        if existing[experimentKey] == .string(variationKey) { return }
        var assignments = existing
        assignments[experimentKey] = .string(variationKey)
        let doc: JSONObject = [
            "attributeName": .string(attribute),
            "attributeValue": .string(value),
            "assignments": .object(assignments),
        ]
        sticky.store(docKey, doc)
        sticky.service.saveAssignments(doc)
    }
}

/// The URL without scheme and host, as the reference derives it for URL targeting.
func urlPathOnly(_ url: String) -> String {
    var s = Substring(url)
    if s.hasPrefix("http://") {
        s = s.dropFirst(7)
    } else if s.hasPrefix("https://") {
        s = s.dropFirst(8)
    }
    guard let slash = s.firstIndex(of: "/") else { return String(s) }
    return String(s[slash...])
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }
}
