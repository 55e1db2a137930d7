// Results of an evaluation: the objects the Swift API returns and the JSON text the C API
// returns, both built from a decision only when asked for. The text is written straight from
// the snapshot's bytes (no result object in between), in the shapes of the reference's
// `to_dict()`.

extension Evaluation {
    /// The hash attribute a result reports and its value as given ("" when missing).
    private func reportedHash(_ a: Assignment) -> (attribute: ByteSpan, value: Val?) {
        let x = a.experiment
        let e = x.record
        let input = hashInput(x.view, e.hashAttribute, fallback: e.hasFallback ? e.fallbackAttribute : nil)
        let name = input.usedFallback ? x.view.string(e.fallbackAttribute) : x.view.string(e.hashAttribute)
        // A value that counts as none is reported as "".
        return (name, input.value.isTruthy(x.view.hashStyle) ? input.value : nil)
    }

    private func featureKey(_ feature: Int) -> String? {
        guard feature >= 0 else { return nil }
        let k = s.string(s.features[feature].key)
        return k.isEmpty ? nil : k.string
    }

    /// The reference's `_getExperimentResult`: the result object for an assignment.
    func result(_ a: Assignment, feature: Int) -> ExperimentResult {
        let hash = reportedHash(a)
        return ExperimentResult(
            featureId: featureKey(feature),
            variationId: a.variationId,
            inExperiment: a.inExperiment,
            value: a.value.json,
            hashUsed: a.hashUsed,
            hashAttribute: hash.attribute.string,
            hashValue: hash.value?.json ?? .string(""),
            key: a.variationKey,
            name: a.name,
            passthrough: a.passthrough,
            bucket: a.bucket,
            stickyBucketUsed: a.stickyBucketUsed,
            banditMembers: a.banditMembers.map { $0.withBuffer { Array($0) } })
    }

    /// The rule id of a decision (nil when no rule decided or the rule has none).
    func ruleId(_ d: FeatureDecision) -> String? {
        guard d.rule >= 0 else { return nil }
        return s.rules[d.rule].hasId ? s.string(s.rules[d.rule].id).string : nil
    }

    /// The experiment of the rule that decided, as the feature set defines it: for a
    /// contextual bandit, the leaf's, with its metadata only for a user hashed into it.
    func ruleExperiment(_ d: FeatureDecision) -> ExperimentRef {
        let index = d.experiment >= 0 ? d.experiment : s.rules[d.rule].experiment
        let plain = s.experiments[index].withoutBandit
        if plain >= 0, let a = d.assignment, !(a.hashUsed && a.inExperiment) {
            return ExperimentRef(s, plain, in: snapshot)
        }
        return ExperimentRef(s, index, in: snapshot)
    }

    /// The full result object for a decision.
    func featureResult(_ d: FeatureDecision) -> FeatureResult {
        let value = value(of: d).json
        guard d.rule >= 0 else { return FeatureResult(value: value, source: d.source, isOn: d.isOn) }
        guard let a = d.assignment else {
            return FeatureResult(value: value, source: d.source, ruleId: ruleId(d), isOn: d.isOn)
        }
        return FeatureResult(
            value: value, source: d.source, ruleId: ruleId(d), experiment: ruleExperiment(d).object,
            experimentResult: result(a, feature: d.feature), isOn: d.isOn)
    }

    /// The decision's value by kind; a string's bytes or a container's JSON text appended to
    /// `out`.
    func writeTypedValue(_ d: FeatureDecision, to out: inout TextBuffer) -> TypedValue {
        let v = value(of: d)
        switch v.kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .int: return .int(v.int)
        case .double:
            // an integer beyond 64 bits: its literal too (`gb_value.length`)
            if let literal = v.bigIntegerLiteral { out.append(literal) }
            return .double(v.double)
        case .string:
            out.append(v.bytes)
            return .string
        case .array:
            v.write(to: &out)
            return .array
        case .object:
            v.write(to: &out)
            return .object
        }
    }

    /// Appends the id of the rule that decided; false (nothing written) when none did or it
    /// has none.
    func writeRuleId(_ d: FeatureDecision, to out: inout TextBuffer) -> Bool {
        guard d.rule >= 0, s.rules[d.rule].hasId else { return false }
        out.append(s.string(s.rules[d.rule].id))
        return true
    }

    /// Appends the full result as JSON, as `FeatureResult.write` writes it.
    func write(_ d: FeatureDecision, to out: inout TextBuffer) {
        let value = value(of: d)
        out.appendLiteral(#"{"value":"#)
        value.write(to: &out)
        out.appendLiteral(#","source":""#)
        out.appendLiteral(d.source.name)
        d.isOn  // compiled with the semantics' truthiness
            ? out.appendLiteral(#"","on":true,"off":false,"ruleId":"#)
            : out.appendLiteral(#"","on":false,"off":true,"ruleId":"#)
        if d.rule >= 0, s.rules[d.rule].hasId {
            writeJSONString(s.string(s.rules[d.rule].id), to: &out)
        } else {
            out.appendLiteral(#""""#)
        }
        if d.rule >= 0, let a = d.assignment {
            out.appendLiteral(#","experiment":"#)
            // The rule's experiment as defined, even when overrides changed the one run.
            out.append(s.string(ruleExperiment(d).record.serialized))
            out.appendLiteral(#","experimentResult":"#)
            writeResult(a, feature: d.feature, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends an experiment result as JSON, as `ExperimentResult.write` writes it.
    func writeResult(_ a: Assignment, feature: Int, to out: inout TextBuffer) {
        out.appendLiteral(#"{"featureId":"#)
        let key = feature >= 0 ? s.string(s.features[feature].key) : .empty
        if key.isEmpty { out.appendLiteral("null") } else { writeJSONString(key, to: &out) }
        out.appendLiteral(#","variationId":"#)
        out.appendInteger(a.variationId)
        a.inExperiment
            ? out.appendLiteral(#","inExperiment":true,"value":"#) : out.appendLiteral(#","inExperiment":false,"value":"#)
        a.value.write(to: &out)
        a.hashUsed
            ? out.appendLiteral(#","hashUsed":true,"hashAttribute":"#)
            : out.appendLiteral(#","hashUsed":false,"hashAttribute":"#)
        let hash = reportedHash(a)
        writeJSONString(hash.attribute, to: &out)
        out.appendLiteral(#","hashValue":"#)
        if let v = hash.value { v.write(to: &out) } else { out.appendLiteral(#""""#) }
        out.appendLiteral(#","key":"#)
        if a.variationId < Int(a.experiment.record.variationCount) {
            writeJSONString(a.keySpan, to: &out)
        } else {
            JSON.writeString(a.variationKey, to: &out)
        }
        ExperimentResult.writeTail(stickyBucketUsed: a.stickyBucketUsed, bucket: a.bucket, to: &out)
        if let name = a.nameSpan, !name.isEmpty {
            out.appendLiteral(#","name":"#)
            writeJSONString(name, to: &out)
        }
        if a.passthrough { out.appendLiteral(#","passthrough":true"#) }
        if let members = a.banditMembers { out.append(members) }
        out.append(UInt8(ascii: "}"))
    }
}
