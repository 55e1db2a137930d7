/// One evaluation: the reference's `eval_feature` and `run`, step by step, for one user against
/// one state. A value built on the caller's stack for the call, holding views of the snapshot
/// and the attributes and unowned references to the state's objects (which the caller keeps
/// alive): it copies nothing, takes no lock and, on the common paths, counts no reference.
struct Evaluation {
    let s: SnapshotView
    let attributes: Val
    let flags: SettingsFlags
    let context: ObjectRef<EvaluationContext>
    /// The state's snapshot, for the experiment objects callbacks and results get.
    let snapshot: ObjectRef<Snapshot>
    let sticky: ObjectRef<StickyBucketDocs>

    /// Prerequisite chains deeper than this evaluate as `cyclicPrerequisite`, so a hostile
    /// payload cannot exhaust the stack.
    static let maxPrerequisiteDepth = 64
    /// More prerequisite evaluations than this in one top-level evaluation count as cyclic.
    static let maxPrerequisiteEvaluations = 10_000

    /// An evaluation of `context`'s snapshot for `attributes` (the context's own when nil),
    /// with `sticky` docs (the context's when nil). Reads only plain values of the context:
    /// no reference is counted.
    @inline(__always)
    init(_ context: EvaluationContext, attributes: Document?, sticky: StickyBucketDocs?) {
        let inputs = context.inputs
        s = inputs.snapshot
        snapshot = inputs.snapshotRef
        self.context = ObjectRef(context)
        if let attributes {
            self.attributes = attributes.root
        } else {
            self.attributes = inputs.attributes
        }
        var f = inputs.flags
        if let sticky {
            self.sticky = ObjectRef(sticky)
            f.hasSticky = true
        } else {
            self.sticky = inputs.sticky
        }
        flags = f
    }

    @inline(__always)
    func logs(_ level: LogLevel) -> Bool { level.rawValue >= flags.logThreshold }

    @inline(__always)
    func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard logs(level) else { return }
        let text = message()
        _ = context.with { $0.hooks.log(level, text) }
    }

    func string(_ r: StringRef) -> String { s.string(r).string }

    // MARK: Features

    /// The decision for the feature at `index` (the one place a feature's value is decided).
    /// `walk`: the prerequisites being evaluated; nil unless prerequisites are.
    func decide(_ index: Int, walk: PrerequisiteWalk? = nil) -> FeatureDecision {
        let feature = s.features[index]
        // No rules and nobody listening to the debug messages (the only ones this path logs):
        // the default value is the whole answer.
        if feature.rulesCount == 0 && !logs(.debug) {
            return FeatureDecision(source: .defaultValue, isOn: feature.defaultIsOn, feature: index)
        }
        var key: String { string(feature.key) }
        log(.debug, "Evaluating feature \(key)")
        if let walk, walk.path.contains(index) {
            log(.warning, "Cyclic prerequisite detected, stack: \(walk.path.map { string(s.features[$0].key) })")
            return FeatureDecision(source: .cyclicPrerequisite, isOn: false, feature: index)
        }
        var r = Int(feature.rulesStart)
        let end = r &+ Int(feature.rulesCount)
        while r < end {
            if let d = apply(rule: r, feature: index, walk: walk) { return d }
            r &+= 1
        }
        log(.debug, "Use default value for feature \(key)")
        return FeatureDecision(source: .defaultValue, isOn: feature.defaultIsOn, feature: index)
    }

    /// One rule of `decide` (the reference's loop body): the decision, or nil to go on.
    @inline(__always)
    private func apply(rule r: Int, feature index: Int, walk: PrerequisiteWalk?) -> FeatureDecision? {
        var key: String { string(s.features[index].key) }
        if s.rules[r].parentsCount > 0 {
            switch prerequisites(s.rules[r].parentsStart, s.rules[r].parentsCount, of: index, walk: walk ?? PrerequisiteWalk()) {
            case .gate:
                log(.debug, "Top-level prerequisite failed, return None, feature \(key)")
                return FeatureDecision(source: .prerequisite, isOn: false, feature: index)
            case .cyclic:
                return FeatureDecision(source: .cyclicPrerequisite, isOn: false, feature: index)
            case .fail:
                log(.debug, "Skip rule because of failing prerequisite, feature \(key)")
                return nil
            case .pass:
                break
            }
        }
        if s.rules[r].condition >= 0 && !s.conditions.evaluate(s.rules[r].condition, ConditionRoot(attributes)) {
            log(.debug, "Skip rule because of failed condition, feature \(key)")
            return nil
        }
        if s.rules[r].filtersCount > 0 && isFilteredOut(s, s.rules[r].filtersStart, s.rules[r].filtersCount) {
            log(.debug, "Skip rule because of filters/namespaces, feature \(key)")
            return nil
        }
        if s.rules[r].force >= 0 {
            if !isIncludedInRollout(r) {
                log(.debug, "Skip rule because user not included in percentage rollout, feature \(key)")
                return nil
            }
            log(.debug, "Force value from rule, feature \(key)")
            return FeatureDecision(source: .force, isOn: s.rules[r].forceIsOn, feature: index, rule: Int32(truncatingIfNeeded: r))
        }
        if s.rules[r].experiment < 0 {
            log(.warning, "Skip invalid rule, feature \(key)")
            return nil
        }
        let a = assign(ExperimentRef(s, s.rules[r].experiment, in: snapshot), feature: index, ruleChecked: true, include: nil)
        recordRun(a, feature: index)
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
            source: .experiment, isOn: a.isOn, feature: index, rule: Int32(truncatingIfNeeded: r), assignment: a)
    }

    enum PrerequisiteOutcome { case pass, fail, gate, cyclic }

    /// The features on the current chain of prerequisites and how many prerequisite
    /// evaluations this top-level evaluation has made: a payload can make the chain deep (the
    /// stack) or wide (each feature naming its parent many times: time), and both are bounded.
    final class PrerequisiteWalk {
        var path: [Int] = []
        var evaluations = 0
    }

    /// `index`: the feature whose rule has these parents (nil for an inline experiment).
    private func prerequisites(
        _ start: Int32, _ count: Int32, of index: Int?, walk: PrerequisiteWalk, in view: SnapshotView? = nil
    ) -> PrerequisiteOutcome {
        let parentsView = view ?? s
        if let index { walk.path.append(index) }
        defer { if index != nil { walk.path.removeLast() } }
        var p = Int(start)
        let end = p &+ Int(count)
        while p < end {
            defer { p &+= 1 }
            let parent = parentsView.parents[p]
            let id = parentsView.string(parent.id)
            let parentDecision: FeatureDecision
            var parentValue = Val.null
            let i = s.index(ofKey: id)
            if i >= 0 {
                if walk.path.count >= Self.maxPrerequisiteDepth {
                    log(.warning, "Prerequisite chain deeper than \(Self.maxPrerequisiteDepth), feature \(id.string)")
                    return .cyclic
                }
                walk.evaluations += 1
                if walk.evaluations > Self.maxPrerequisiteEvaluations {
                    log(.warning, "More than \(Self.maxPrerequisiteEvaluations) prerequisite evaluations, feature \(id.string)")
                    return .cyclic
                }
                parentDecision = decide(i, walk: walk)
                parentValue = value(of: parentDecision)
            } else {
                log(.warning, "Unknown feature \(id.string)")
                parentDecision = FeatureDecision(source: .unknownFeature, isOn: false)
            }
            if parentDecision.source == .cyclicPrerequisite { return .cyclic }
            guard parent.condition >= 0 else { continue }
            if !parentsView.conditions.evaluate(parent.condition, ConditionRoot(parentValue: parentValue)) {
                return parent.gate ? .gate : .fail
            }
        }
        return .pass
    }

    /// The value a decision chose: a node of the snapshot (or of an overridden experiment's).
    func value(of d: FeatureDecision) -> Val {
        switch d.source {
        case .defaultValue:
            return s.value(s.features[d.feature].defaultValue)
        case .force:
            return s.value(s.rules[d.rule].force)
        case .experiment:
            return d.assignment?.value ?? .null
        case .unknownFeature, .prerequisite, .cyclicPrerequisite:
            return .null
        }
    }

    // MARK: Hashing

    /// The attribute's value as given; null when missing.
    @inline(__always)
    func attribute(_ name: ByteSpan, hash: UInt32) -> Val {
        attributes.lookup(name, hash: hash) ?? .null
    }

    /// The reference's hash attribute choice: the attribute, or the fallback when sticky
    /// bucketing is on and the attribute's value is falsy. `usedFallback` says which.
    func hashInput(_ view: SnapshotView, _ attribute: StringRef, fallback: StringRef?) -> (value: Val, usedFallback: Bool) {
        let v = self.attribute(view.string(attribute), hash: attribute.hash)
        if !v.isTruthy, let fallback, flags.hasSticky {
            return (self.attribute(view.string(fallback), hash: fallback.hash), true)
        }
        return (v, false)
    }

    /// Calls `body` with the bytes hashed for a value (Python's `str`; "" for null).
    @inline(__always)
    func withHashBytes<R>(_ v: Val, _ body: (ByteSpan) -> R) -> R {
        switch v.kind {
        case .string: return body(v.bytes)
        case .null: return body(.empty)
        default:
            var text = v.pythonString
            return text.withUTF8 { body(ByteSpan($0)) }
        }
    }

    private func isIncludedInRollout(_ r: Int) -> Bool {
        let i = s.rules[r].rollout
        if i < 0 { return true }
        let ro = s.rollouts[i]
        if ro.hasCoverage && ro.coverage == 0 && !ro.hasRange { return false }
        let input = hashInput(s, ro.hashAttribute, fallback: ro.hasFallback ? ro.fallbackAttribute : nil).value
        return withHashBytes(input) { value -> Bool in
            if value.isEmpty { return false }
            guard let n = gbHash(seed: s.string(ro.seed.bytes), seedState: ro.seed.state, value: value, version: ro.hashVersion)
            else { return false }
            if ro.hasRange { return ro.range.contains(n) }
            return n <= ro.coverage
        }
    }

    func isFilteredOut(_ view: SnapshotView, _ start: Int32, _ count: Int32) -> Bool {
        var f = Int(start)
        let end = f &+ Int(count)
        while f < end {
            defer { f &+= 1 }
            let filter = view.filters[f]
            let v = attribute(view.string(filter.attribute), hash: filter.attribute.hash)
            let out = withHashBytes(v) { value -> Bool? in
                if value.isEmpty { return false }
                guard
                    let n = gbHash(
                        seed: view.string(filter.seed.bytes), seedState: filter.seed.state, value: value,
                        version: filter.hashVersion)
                else { return false }
                var r = Int(filter.rangesStart)
                let rEnd = r &+ Int(filter.rangesCount)
                while r < rEnd {
                    if view.ranges[r].contains(n) { return nil }
                    r &+= 1
                }
                return true
            }
            switch out {
            case .some(true): return true
            case .some(false): return false
            case .none: continue
            }
        }
        return false
    }

    // MARK: Experiments

    /// The reference's experiment steps, deciding the variation without building a result.
    /// `ruleChecked`: the experiment comes from a feature rule whose condition and filters the
    /// feature evaluation has just checked. `feature`: the feature whose rule it is (-1 for an
    /// inline experiment).
    /// `keepAlive` holds an overridden copy of an inline experiment (a rule's copies are the
    /// state's, compiled when the overrides were set).
    func assign(
        _ original: ExperimentRef, feature: Int, ruleChecked: Bool, include: (() -> Bool?)?,
        keepAlive: KeepAlive? = nil
    ) -> Assignment {
        var x = original
        var key: String { x.view.string(x.record.key).string }
        // 1.
        if x.record.variationCount < 2 {
            log(.warning, "Experiment \(key) has less than 2 variations, skip")
            return Assignment(x)
        }
        // 2.
        if !flags.enabled {
            log(.debug, "Skip experiment \(key) because GrowthBook is disabled")
            return Assignment(x)
        }
        // 2.5. Deprecated per-experiment overrides.
        if flags.hasOverrides {
            if !x.isOwnSnapshot {
                if let copy = context.with({ $0.overridden[x.index] }) ?? nil {
                    x = ExperimentRef(copy.view, 0, in: ObjectRef(copy), isOwnSnapshot: true)
                }
            } else if let keepAlive, let o = context.with({ $0.settings.overrides[key]?.objectValue }) ?? nil,
                !o.isEmpty
            {
                let copy = x.overridden(by: o, savedGroups: s.savedGroups(context))
                keepAlive.snapshots.append(copy)
                x = ExperimentRef(inline: copy, 0)
            }
        }
        // 3.
        if flags.hasURL, let url = context.with({ $0.settings.url }),
            let qs = queryStringOverride(id: key, url: url, variationCount: Int(x.record.variationCount))
        {
            log(.debug, "Force variation \(qs) from URL querystring, experiment \(key)")
            return Assignment(x, variationId: qs)
        }
        // 4.
        if flags.hasForcedVariations, let forced = context.with({ $0.settings.forcedVariations[key] }) ?? nil,
            !forced.isNull
        {
            log(.debug, "Force variation \(forced.serialized) from GrowthBook context, experiment \(key)")
            return Assignment(x, variationId: forced.intValue ?? -1)
        }
        // 5.
        if x.record.isDraftOrInactive {
            log(.debug, "Experiment \(key) is not active, skip")
            return Assignment(x)
        }
        // 6.
        let input = hashInput(x.view, x.record.hashAttribute, fallback: x.record.hasFallback ? x.record.fallbackAttribute : nil).value
        return withHashBytes(input) { hashValue -> Assignment in
            if hashValue.isEmpty {
                log(.debug, "Skip experiment \(key) because user's hashAttribute value is empty")
                return Assignment(x)
            }
            return assign(x, hashValue: hashValue, feature: feature, ruleChecked: ruleChecked, include: include)
        }
    }

    /// Steps 6 to 15, for a user with a hash value.
    private func assign(
        _ x: ExperimentRef, hashValue: ByteSpan, feature: Int, ruleChecked: Bool,
        include: (() -> Bool?)?
    ) -> Assignment {
        var key: String { x.view.string(x.record.key).string }
        var assigned = -1
        var foundStickyBucket = false
        var stickyVersionBlocked = false
        let useSticky = flags.hasSticky && !x.record.disableStickyBucketing
        if useSticky {
            let (variation, blocked) = stickyBucketVariation(x)
            foundStickyBucket = variation >= 0
            assigned = variation
            stickyVersionBlocked = blocked
        }
        if foundStickyBucket {
            log(.debug, "Found sticky bucket for experiment \(key), assigning sticky variation \(assigned)")
        } else {
            // 7.
            if x.record.filtersCount > 0 {
                if !ruleChecked && isFilteredOut(x.view, x.record.filtersStart, x.record.filtersCount) {
                    log(.debug, "Skip experiment \(key) because of filters/namespaces")
                    return Assignment(x)
                }
            } else if x.record.hasNamespace {
                let n = gbHash(
                    seed: x.view.string(x.record.namespaceSeed.bytes), seedState: x.record.namespaceSeed.state, value: hashValue,
                    version: 1)
                if !(n.map { x.record.namespaceStart <= $0 && $0 < x.record.namespaceEnd } ?? false) {
                    log(.debug, "Skip experiment \(key) because of namespace")
                    return Assignment(x)
                }
            }
            // 7.5.
            if let include {
                switch include() {
                case .some(true): break
                case .some(false):
                    log(.debug, "Skip experiment \(key) because include() returned false")
                    return Assignment(x)
                case .none:
                    log(.warning, "Skip experiment \(key) because include() raised an Exception")
                    return Assignment(x)
                }
            }
            // 8.
            if !ruleChecked, x.record.condition >= 0, !x.view.conditions.evaluate(x.record.condition, ConditionRoot(attributes)) {
                log(.debug, "Skip experiment \(key) because user failed the condition")
                return Assignment(x)
            }
            // 8.05.
            if x.record.parentsCount > 0 {
                switch prerequisites(x.record.parentsStart, x.record.parentsCount, of: nil, walk: PrerequisiteWalk(), in: x.view) {
                case .gate, .fail:
                    log(.debug, "Skip experiment \(key) because of failing prerequisite")
                    return Assignment(x)
                case .cyclic:
                    log(.debug, "Skip experiment \(key) because of cyclic prerequisite")
                    return Assignment(x)
                case .pass:
                    break
                }
            }
            // 8.1. Deprecated groups.
            if x.record.hasGroups && x.record.groupsCount > 0 {
                let groups = context.with { $0.settings.groups } ?? JSONObject()
                var inGroup = false
                for g in 0..<Int(x.record.groupsCount) {
                    let name = x.view.string(x.view.strings[Int(x.record.groupsStart) + g]).string
                    if groups[name]?.isTruthy ?? false {
                        inGroup = true
                        break
                    }
                }
                if !inGroup {
                    log(.debug, "Skip experiment \(key) because user not in required group")
                    return Assignment(x)
                }
            }
        }
        // 8.2. Deprecated URL targeting (applies even with a sticky bucket).
        if x.record.hasURLPattern && !urlIsValid(x, x.record) {
            log(.debug, "Skip experiment \(key) because current URL is not targeted")
            return Assignment(x)
        }
        // 9.
        guard
            let n = gbHash(seed: x.view.string(x.record.seed.bytes), seedState: x.record.seed.state, value: hashValue, version: x.record.hashVersion)
        else {
            log(.warning, "Skip experiment \(key) because of invalid hashVersion")
            return Assignment(x)
        }
        if !foundStickyBucket {
            assigned = -1
            var r = 0
            while r < Int(x.record.rangesCount) {
                if x.view.ranges[Int(x.record.rangesStart) &+ r].contains(n) {
                    assigned = r
                    break
                }
                r &+= 1
            }
        }
        if stickyVersionBlocked {
            log(.debug, "Skip experiment \(key) because sticky bucket version is blocked")
            return Assignment(x, stickyBucketUsed: true)
        }
        // 10.
        if assigned < 0 {
            log(.debug, "Skip experiment \(key) because user is not included in the rollout")
            return Assignment(x)
        }
        // 11.
        if x.record.hasForce {
            log(.debug, "Force variation \(x.record.force) in experiment \(key)")
            return Assignment(x, variationId: x.record.force)
        }
        // 12.
        if flags.qaMode {
            log(.debug, "Skip experiment \(key) because of QA Mode")
            return Assignment(x)
        }
        // 12.5.
        if x.record.isStopped {
            log(.debug, "Skip experiment \(key) because it is stopped")
            return Assignment(x)
        }
        // 13.
        let a = Assignment(x, variationId: assigned, hashUsed: true, bucket: n, stickyBucketUsed: foundStickyBucket)
        // 13.5.
        if useSticky {
            let attributeName = hashInput(x.view, x.record.hashAttribute, fallback: x.record.hasFallback ? x.record.fallbackAttribute : nil)
            let name = attributeName.usedFallback ? x.view.string(x.record.fallbackAttribute).string : x.view.string(x.record.hashAttribute).string
            saveStickyAssignment(
                attribute: name, value: hashValue.string,
                experimentKey: stickyExperimentKey(key, x.record.bucketVersion), variationKey: a.variationKey)
        }
        // 14.
        if flags.tracksExposures {
            let r = result(a, feature: feature)
            let experiment = x.object
            _ = context.with { $0.hooks.experimentViewed(experiment, r) }
        }
        // 15.
        log(.debug, "Assigned variation \(assigned) in experiment \(key)")
        return a
    }

    private func urlIsValid(_ x: ExperimentRef, _ e: ExperimentRecord) -> Bool {
        guard flags.hasURL, let url = context.with({ $0.settings.url }) else { return false }
        // A pattern that did not compile counts as a match, as in the reference.
        guard e.urlRegex >= 0 else { return true }
        let found = x.view.urlRegexes[e.urlRegex].with { regex -> Bool in
            if regex.search(url) == true { return true }
            return regex.search(urlPathOnly(url)) == true
        }
        return found ?? true
    }

    /// Records an experiment rule's outcome in the handle's bookkeeping (the reference's
    /// `_assigned` and subscriptions). An outcome already recorded is recognised from this
    /// handle's stamp for the experiment and the bookkeeping epoch, with no lock and no write.
    func recordRun(_ a: Assignment, feature: Int) {
        _ = context.with { c in
            let stamp = GrowthBook.Bookkeeping.stamp(
                epoch: c.hooks.bookkeeping.epoch.load(ordering: .relaxed), inExperiment: a.inExperiment,
                variationId: a.variationId)
            let slot = a.ownsExperiment ? -1 : Int(a.experiment.index)
            if stamp != 0 && slot >= 0 && c.stamps.load(slot) == stamp { return }
            c.hooks.experimentRan(
                a.experiment.object, inExperiment: a.inExperiment, variationId: a.variationId, stamps: c.stamps,
                slot: slot
            ) { result(a, feature: feature) }
        }
    }

    // MARK: Sticky bucketing

    private func stickyExperimentKey(_ key: String, _ bucketVersion: Int) -> String {
        key + "__" + String(bucketVersion)
    }

    /// The sticky variation index (-1 when none) and whether an older bucket version blocks the
    /// user.
    private func stickyBucketVariation(_ x: ExperimentRef) -> (Int, Bool) {
        let e = x.record
        let key = x.view.string(e.key).string
        let assignments = mergedStickyAssignments(
            x.view.string(e.hashAttribute).string, fallback: e.hasFallback ? x.view.string(e.fallbackAttribute).string : nil)
        if e.minBucketVersion > 0 && isBlocked(assignments, key, e.minBucketVersion) {
            return (-1, true)
        }
        guard let variationKey = assignments[stickyExperimentKey(key, e.bucketVersion)], variationKey.isTruthy else {
            return (-1, false)
        }
        guard e.meta >= 0 else { return (-1, false) }
        let meta = x.view.value(e.meta)
        for i in 0..<meta.count where meta.element(i).json["key"] == variationKey { return (i, false) }
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

    /// The attribute's value as the string sticky docs are keyed by (no fallback).
    private func stickyValue(_ name: String) -> String {
        var n = name
        return n.withUTF8 { b -> String in
            let span = ByteSpan(b)
            let v = attribute(span, hash: fnv1aBytes(span))
            return v.isNull ? "" : v.pythonString
        }
    }

    private func mergedStickyAssignments(_ attribute: String, fallback: String?) -> JSONObject {
        sticky.with { docs -> JSONObject in
            var merged = docs.assignments(stickyDocKey(attribute, stickyValue(attribute))) ?? JSONObject()
            if let fallback, let more = docs.assignments(stickyDocKey(fallback, stickyValue(fallback))) {
                for (k, v) in more.pairs where !merged.contains(k) { merged[k] = v }
            }
            return merged
        } ?? JSONObject()
    }

    private func saveStickyAssignment(attribute: String, value: String, experimentKey: String, variationKey: String) {
        _ = sticky.with { docs in
            let docKey = stickyDocKey(attribute, value)
            let existing = docs.assignments(docKey) ?? JSONObject()
            if existing[experimentKey] == .string(variationKey) { return }
            var assignments = existing
            assignments[experimentKey] = .string(variationKey)
            let doc: JSONObject = [
                "attributeName": .string(attribute),
                "attributeValue": .string(value),
                "assignments": .object(assignments),
            ]
            docs.store(docKey, doc)
            docs.service.saveAssignments(doc)
        }
    }
}

extension SnapshotView {
    /// The saved groups of the state's snapshot (for compiling an overridden experiment).
    func savedGroups(_ context: ObjectRef<EvaluationContext>) -> JSONObject? {
        context.with { $0.snapshot.savedGroups } ?? nil
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
