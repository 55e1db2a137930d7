// A feature's decision (the reference's `eval_feature`): its rules in order, prerequisites
// included. One place decides a feature's value.

extension Evaluation {
    /// The decision for the feature whose key has these bytes. An unknown key is logged and
    /// decided as `unknownFeature`; one that is not even UTF-8 sets `notUTF8` instead (the
    /// caller's error to report).
    @inline(__always)
    func decide(key: ByteSpan, notUTF8: inout Bool) -> FeatureDecision {
        let i = s.index(ofKey: key)
        if i >= 0 { return decide(i) }
        notUTF8 = unknownKey(key)
        return FeatureDecision(source: .unknownFeature, isOn: false)
    }

    /// A key that matched no feature: true when it is not UTF-8; else logged as unknown.
    @inline(never)
    private func unknownKey(_ key: ByteSpan) -> Bool {
        if key.withBuffer({ invalidUTF8Offset($0) }) != nil { return true }
        // (the reference logs "Evaluating feature" before it looks the key up)
        if logs(.debug) { log(.debug, "Evaluating feature \(key.string)") }
        if logs(.warning) { log(.warning, "Unknown feature \(key.string)") }
        return false
    }

    /// The decision for the feature at `index` (the one place a feature's value is decided).
    /// `walk`: the prerequisites being evaluated; nil unless prerequisites are.
    @inline(__always)
    func decide(_ index: Int, walk: PrerequisiteWalk? = nil) -> FeatureDecision {
        let feature = s.features[index]
        // No rules and nobody listening to the debug messages (the only ones this path logs):
        // the default value is the whole answer, decided inline.
        if feature.rulesCount == 0 && !logs(.debug) {
            return FeatureDecision(source: .defaultValue, isOn: feature.defaultIsOn, feature: index)
        }
        return decideByRules(index, walk: walk)
    }

    /// `decide` for a feature with rules (or with debug messages to log).
    private func decideByRules(_ index: Int, walk: PrerequisiteWalk?) -> FeatureDecision {
        let feature = s.features[index]
        // One walk for every rule of the evaluation (the visited set spans them).
        if walk == nil && feature.hasPrerequisites { return decideByRules(index, walk: PrerequisiteWalk()) }
        var key: String { string(feature.key) }
        log(.debug, "Evaluating feature \(key)")
        // (With `prerequisitesVisitedOnce`, `prerequisites` looks for a second visit instead.)
        if let walk, !s.prerequisitesVisitedOnce, walk.path.contains(index) {
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
    func apply(rule r: Int, feature index: Int, walk: PrerequisiteWalk?) -> FeatureDecision? {
        var key: String { string(s.features[index].key) }
        let rule = s.rules[r]  // one read of the record (each s.rules[r] reads the views again)
        // The rule by its index in the feature (the reference prints the rule itself; a host
        // that has the definitions can, as the Python binding does).
        log(.debug, "Evaluating feature \(key), rule \(r &- Int(s.features[index].rulesStart))")
        if rule.parentsCount > 0 {
            switch prerequisites(rule.parentsStart, rule.parentsCount, of: index, walk: walk ?? PrerequisiteWalk()) {
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
        if rule.condition >= 0 && !s.conditions.evaluate(rule.condition, ConditionRoot(attributes)) {
            log(.debug, "Skip rule because of failed condition, feature \(key)")
            return nil
        }
        if rule.filtersCount > 0 && isFilteredOut(s, rule.filtersStart, rule.filtersCount) {
            log(.debug, "Skip rule because of filters/namespaces, feature \(key)")
            return nil
        }
        if rule.force >= 0 {
            if !isIncludedInRollout(rollout: rule.rollout) {
                log(.debug, "Skip rule because user not included in percentage rollout, feature \(key)")
                return nil
            }
            log(.debug, "Force value from rule, feature \(key)")
            return FeatureDecision(source: .force, isOn: rule.forceIsOn, feature: index, rule: Int32(truncatingIfNeeded: r))
        }
        if rule.experiment < 0 {
            log(.warning, "Skip invalid rule, feature \(key)")
            return nil
        }
        let experiment = rule.banditLeavesCount > 0 ? banditLeaf(rule) : rule.experiment
        let a = assign(ExperimentRef(s, experiment, in: snapshot), feature: index, ruleChecked: true, include: nil)
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
            source: .experiment, isOn: a.isOn, feature: index, rule: Int32(truncatingIfNeeded: r),
            experiment: experiment, assignment: a)
    }

    /// The experiment of a contextual bandit's first leaf whose condition the user passes, or
    /// the rule's own (leaf -1) when none does.
    private func banditLeaf(_ rule: RuleRecord) -> Int32 {
        var l = Int(rule.banditLeavesStart)
        let end = l &+ Int(rule.banditLeavesCount)
        while l < end {
            let leaf = s.banditLeaves[l]
            if leaf.condition < 0 || s.conditions.evaluate(leaf.condition, ConditionRoot(attributes)) {
                return leaf.experiment
            }
            l &+= 1
        }
        return rule.experiment
    }

    enum PrerequisiteOutcome { case pass, fail, gate, cyclic }

    /// The features on the current chain of prerequisites and how many prerequisite
    /// evaluations this top-level evaluation has made: a payload can make the chain deep (the
    /// stack) or wide (each feature naming its parent many times: time), and both are bounded.
    final class PrerequisiteWalk {
        var path: [Int] = []
        /// Every feature evaluated so far, for `SemanticsRules.prerequisitesVisitedOnce`. An array:
        /// a few entries as a rule (a Set cost W4 7%); at most `maxPrerequisiteEvaluations`, each
        /// looked up once, so a hostile payload costs a bounded linear scan per evaluation.
        var visited: [Int] = []
        var evaluations = 0
    }

    /// `index`: the feature whose rule has these parents (nil for an inline experiment).
    func prerequisites(
        _ start: Int32, _ count: Int32, of index: Int?, walk: PrerequisiteWalk, in view: SnapshotView? = nil
    ) -> PrerequisiteOutcome {
        let parentsView = view ?? s
        if let index {
            walk.path.append(index)
            if s.prerequisitesVisitedOnce && !walk.visited.contains(index) { walk.visited.append(index) }
        }
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
                if s.prerequisitesVisitedOnce && walk.visited.contains(i) {
                    log(.warning, "Cyclic prerequisite detected, stack: \(walk.visited.map { string(s.features[$0].key) })")
                    parentDecision = FeatureDecision(source: .cyclicPrerequisite, isOn: false, feature: i)
                } else {
                    if s.prerequisitesVisitedOnce { walk.visited.append(i) }
                    parentDecision = decide(i, walk: walk)
                    parentValue = value(of: parentDecision)
                }
            } else {
                log(.debug, "Evaluating feature \(id.string)")
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
}
