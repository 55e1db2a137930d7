// Sticky bucketing during an evaluation: the user's stored variation for an experiment, the
// bucket-version block, and saving a new assignment.

extension Evaluation {
    func stickyExperimentKey(_ key: String, _ bucketVersion: Int) -> String {
        key + "__" + String(bucketVersion)
    }

    /// The sticky variation index (-1 when none) and whether an older bucket version blocks the
    /// user.
    func stickyBucketVariation(_ x: ExperimentRef) -> (Int, Bool) {
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
    func isBlocked(_ assignments: JSONObject, _ key: String, _ minVersion: Int) -> Bool {
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
    func stickyValue(_ name: String) -> String {
        var n = name
        return n.withUTF8 { b -> String in
            let span = ByteSpan(b)
            let v = attribute(span, hash: fnv1aBytes(span))
            return v.isNull ? "" : s.hashStyle.stickyKeyText(v)
        }
    }

    func mergedStickyAssignments(_ attribute: String, fallback: String?) -> JSONObject {
        sticky.with { docs -> JSONObject in
            var merged = docs.assignments(stickyDocKey(attribute, stickyValue(attribute))) ?? JSONObject()
            if let fallback, let more = docs.assignments(stickyDocKey(fallback, stickyValue(fallback))) {
                for (k, v) in more.pairs where !merged.contains(k) { merged[k] = v }
            }
            return merged
        } ?? JSONObject()
    }

    func saveStickyAssignment(attribute: String, value: String, experimentKey: String, variationKey: String) {
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
            docs.save(docKey, doc)
        }
    }
}
