import Foundation
import GrowthBookCore
import GrowthBookRegex
import Testing

@Suite struct PCRE2MatcherTests {
    @Test func searchesLikePythonsRe() throws {
        let m = try #require(PCRE2Matcher("^[a-z]+\\d{2}$", dialect: .python, ignoreCase: false))
        #expect(m.search("abc12") == true)
        #expect(m.search("ABC12") == false)
        #expect(try #require(PCRE2Matcher("^[a-z]+\\d{2}$", dialect: .python, ignoreCase: true)).search("ABC12") == true)
        #expect(try #require(PCRE2Matcher("-12-25$", dialect: .python, ignoreCase: false)).search("1980-12-25") == true)
        #expect(try #require(PCRE2Matcher("é+", dialect: .python, ignoreCase: false)).search("café") == true)
        #expect(try #require(PCRE2Matcher("(?P<y>\\d{4})", dialect: .python, ignoreCase: false)).search("in 2024") == true)
        #expect(try #require(PCRE2Matcher("x", dialect: .python, ignoreCase: false)).search("") == false)
        #expect(PCRE2Matcher("(unclosed", dialect: .python, ignoreCase: false) == nil)
    }

    /// `(a+)+$` against a long near-miss backtracks exponentially; PCRE2's match limit stops it.
    @Test func catastrophicBacktrackingIsBounded() throws {
        let m = try #require(PCRE2Matcher("(a+)+$", dialect: .python, ignoreCase: false))
        let text = String(repeating: "a", count: 40) + "b"
        let start = Date()
        #expect(m.search(text) == nil)
        #expect(Date().timeIntervalSince(start) < 2)
        // Through a condition: the operator fails rather than hangs.
        PCRE2Matcher.install()
        let c = Condition(["s": ["$regex": "(a+)+$"]])
        #expect(c.evaluate(["s": .string(text)]) == false)
        // The search gave up, so `$regex` is false and its `$not` true.
        #expect(Condition(["s": ["$not": ["$regex": "(a+)+$"]]]).evaluate(["s": .string(text)]) == true)
    }

    /// Every evalCondition fixture passes with PCRE2 as the engine.
    @Test func conditionFixturesPassWithPCRE2() throws {
        PCRE2Matcher.install()
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures")
        // Each file under the semantics it is the contract of.
        let semantics = try JSON.parse([UInt8](try Data(contentsOf: dir.appendingPathComponent("semantics.json"))))
        // and with the cases that contradict it checked against their own expectation
        let contradictions = try JSON.parse([UInt8](try Data(contentsOf: dir.appendingPathComponent("contradictions.json"))))
        for file in ["cases-0.5.4.json", "cases-latest.json", "cases-0.8.0.json"] {
            let json = try JSON.parse([UInt8](try Data(contentsOf: dir.appendingPathComponent(file))))
            var passed = 0
            var failed: [String] = []
            for c in json["evalCondition"]?.arrayValue ?? [] {
                guard let a = c.arrayValue else { continue }
                let groups = a.count > 4 ? a[4].objectValue : nil
                let named = semantics[file]?.stringValue.flatMap { Semantics(name: $0) } ?? .default
                let got = Condition(a[1], savedGroups: groups, semantics: named).evaluate(a[2])
                let name = a[0].stringValue ?? "?"
                let expected = contradictions[file]?["evalCondition"]?[name]?["expected"] ?? a[3]
                if got == expected.boolValue { passed += 1 } else { failed.append(name) }
            }
            print("[fixtures] \(file) evalCondition (PCRE2): \(passed) passed, \(failed.count) failed")
            #expect(failed.isEmpty, "\(failed)")
        }
    }
}
