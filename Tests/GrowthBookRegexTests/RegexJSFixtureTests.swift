import Foundation
@testable import GrowthBookCore
import GrowthBookRegex
import Testing

/// The js semantics' `$regex` and `$regexi` against JavaScript's own RegExp, recorded from node
/// by scripts/record_js_regex.py into Tests/fixtures/regex-js.json (node is not needed here):
/// for every pattern and subject, the condition must give what `new RegExp(p).test(s)` (and
/// `new RegExp(p, "i")`) gave, through the library's condition path with PCRE2, except where
/// the pattern has one of the EXCLUDED features, each with its reason.
@Suite struct RegexJSFixtureTests {
    /// What the translation cannot make exact (RegexDialectJS.inexactFeatures finds them; docs
    /// /semantics.md, row 27), and which pairs each excuses, the most specific first (a
    /// mismatch counts against the first that applies). Never add one to make a run pass.
    static let excluded: [(JSInexact, String, @Sendable (_ ignoreCase: Bool, _ subject: String) -> Bool)] = [
        // JavaScript matches a lookbehind backwards, so its backreferences see the groups to
        // their right, and its captures are the last ones found from the right.
        (.lookbehindCapture, "JavaScript matches lookbehinds backwards", { _, _ in true }),
        // JavaScript rejects an empty iteration once the minimum is reached, undoing it.
        (.emptyIterationCapture, "JavaScript undoes an empty iteration's captures", { _, _ in true }),
        // A caseless backreference compares with PCRE2's case folding: the same on ASCII.
        (.caseInsensitiveBackreference, "PCRE2's caseless backreference is not Canonicalize",
         { ignoreCase, subject in ignoreCase && !subject.unicodeScalars.allSatisfy(\.isASCII) }),
        // Counts above 65535 on an atom with groups or one that can match empty: refused.
        (.largeCount, "PCRE2's counts go up to 65535", { _, _ in true }),
        // JavaScript clears a repeated atom's captures at each iteration; PCRE2 keeps them.
        (.backreferenceIntoRepeat, "JavaScript resets the captures of a repeated atom each iteration", { _, _ in true }),
        // PCRE2 10.42 has no lookbehind of unbounded length; the pattern is refused (false).
        // (A lookbehind that starts with an unbounded repeat is first cut to its last copies,
        // `(?<=.*@)` being `(?<=@)`; what is left is only one bounded in the middle or by ^.)
        (.unboundedLookbehind, "PCRE2 10.42 cannot express an unbounded lookbehind", { _, _ in true }),
    ]

    @Test func jsDialectMatchesNodesRegExp() throws {
        PCRE2Matcher.install()
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/regex-js.json")
        let fixture = try JSON.parse([UInt8](try Data(contentsOf: url)))
        let shared = (fixture["subjects"]?.arrayValue ?? []).compactMap(\.stringValue)
        var pairs = 0
        var mismatches: [String] = []
        var excusedCount: [String: Int] = [:]
        var refusals = 0
        for c in fixture["cases"]?.arrayValue ?? [] {
            guard let pattern = c["p"]?.stringValue else { continue }
            let subjects = shared + (c["s"]?.arrayValue ?? []).compactMap(\.stringValue)
            let features = RegexDialectJS.inexactFeatures(pattern, ignoreCase: true) ?? []
            // A pattern JavaScript rejects is rejected (its conditions are false).
            if c["error"]?.boolValue == true {
                if RegexDialect.javascript.translate(pattern, ignoreCase: false) != nil { refusals += 1 }
            }
            for (op, key) in [("$regex", "r"), ("$regexi", "ri")] {
                let bits = Array((c[key]?.stringValue ?? "").utf8)
                var inner = JSONObject()
                inner[op] = .string(pattern)
                var outer = JSONObject()
                outer["s"] = .object(inner)
                let condition = Condition(.object(outer), semantics: .js)
                for (k, subject) in subjects.enumerated() where k < bits.count {
                    pairs += 1
                    RegexBudget.refill()
                    var attributes = JSONObject()
                    attributes["s"] = .string(subject)
                    let got = condition.evaluate(.object(attributes))
                    guard got != (bits[k] == UInt8(ascii: "1")) else { continue }
                    if let (f, _, _) = Self.excluded.first(where: { features.contains($0.0) && $0.2(op == "$regexi", subject) }) {
                        excusedCount[f.rawValue, default: 0] += 1
                        continue
                    }
                    mismatches.append("\(op) \(pattern.debugDescription) on \(subject.debugDescription): node \(bits[k] == UInt8(ascii: "1")), library \(got)")
                }
            }
        }
        let node = fixture["node"]?.stringValue ?? "?"
        print("[regex-js] node \(node): \(pairs) pairs, \(mismatches.count) mismatches, excluded \(excusedCount.sorted { $0.key < $1.key })")
        #expect(mismatches.isEmpty, "\(mismatches.prefix(30).joined(separator: "\n"))")
        #expect(refusals == 0, "patterns node rejects that the library compiles: \(refusals)")
        // Every exclusion still excuses something: one whose cause is fixed must go.
        let stale = Self.excluded.map(\.0.rawValue).filter { excusedCount[$0] == nil }
        #expect(stale.isEmpty, "exclusions that no longer exclude anything: \(stale)")
    }
}
