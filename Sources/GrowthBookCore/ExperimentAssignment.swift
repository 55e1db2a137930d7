// An experiment's assignment (the reference's `run` steps 1 to 15), and the handle's record
// of it.

extension Evaluation {
    /// The reference's experiment steps, deciding the variation without building a result.
    /// `ruleChecked`: the experiment comes from a feature rule whose filters the
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
        // A feature rule's experiment has its settings compiled by index (the same for an
        // overridden copy); an inline one is looked up by key.
        let slot: Int32? = original.isOwnSnapshot ? nil : original.index
        // 2.5. Deprecated per-experiment overrides.
        if flags.hasOverrides {
            if let slot {
                if let copy = context.with({ $0.experimentSettings.overridden[slot] }) ?? nil {
                    x = ExperimentRef(copy.view, 0, in: ObjectRef(copy), isOwnSnapshot: true)
                }
            } else if let keepAlive, let o = context.with({ $0.settings.overrides[key]?.objectValue }) ?? nil,
                !o.isEmpty
            {
                let copy = x.overridden(
                    by: o, savedGroups: s.savedGroups(context),
                    semantics: context.with { $0.snapshot.semantics } ?? Semantics.default)
                keepAlive.snapshots.append(copy)
                x = ExperimentRef(inline: copy, 0)
            }
        }
        // 3.
        if flags.hasURL {
            let qs: Int?
            if let slot {
                qs = context.with { $0.experimentSettings.urlForced[slot] } ?? nil
            } else {
                qs = context.with { c in
                    c.snapshot.semantics.rules.queryStringOverride(
                        id: key, url: c.settings.url, variationCount: Int(x.record.variationCount))
                } ?? nil
            }
            if let qs {
                log(.debug, "Force variation \(qs) from URL querystring, experiment \(key)")
                return Assignment(x, variationId: qs)
            }
        }
        // 4.
        if flags.hasForcedVariations {
            let forced: Int?
            if let slot {
                forced = context.with { $0.experimentSettings.forced[slot] } ?? nil
            } else {
                forced = context.with { c -> Int? in
                    guard let v = c.settings.forcedVariations[key], !v.isNull else { return nil }
                    return v.intValue ?? -1
                } ?? nil
            }
            if let forced {
                log(.debug, "Force variation \(forced) from GrowthBook context, experiment \(key)")
                return Assignment(x, variationId: forced)
            }
        }
        // 5.
        if x.record.isDraftOrInactive {
            log(.debug, "Experiment \(key) is not active, skip")
            return Assignment(x)
        }
        // 6.
        let input = hashInput(x.view, x.record.hashAttribute, fallback: x.record.hasFallback ? x.record.fallbackAttribute : nil).value
        return withHashBytes(input, x.view.hashStyle) { hashValue -> Assignment in
            if hashValue.isEmpty {
                log(.debug, "Skip experiment \(key) because user's hashAttribute value is empty")
                return Assignment(x)
            }
            return assign(x, hashValue: hashValue, feature: feature, ruleChecked: ruleChecked, include: include)
        }
    }

    /// Steps 6 to 15, for a user with a hash value.
    func assign(
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
                    version: 1, utf16: x.view.hashStyle == .js)
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
            // A feature rule's experiment has a condition here only where its assignment checks it
            // (`SemanticsRules.experimentRuleConditionInAssignment`); else the rule did.
            if x.record.condition >= 0, !x.view.conditions.evaluate(x.record.condition, ConditionRoot(attributes)) {
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
            let n = gbHash(
                seed: x.view.string(x.record.seed.bytes), seedState: x.record.seed.state, value: hashValue,
                version: x.record.hashVersion, utf16: x.view.hashStyle == .js)
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
                attribute: name, value: x.view.hashStyle.stickyKeyText(attributeName.value),
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

    func urlIsValid(_ x: ExperimentRef, _ e: ExperimentRecord) -> Bool {
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
