@testable import GrowthBookCore
import Synchronization
import Testing

/// The context's behaviour beyond the fixtures: callbacks, bookkeeping, per-call attributes,
/// deprecated options, logging, concurrency.
@Suite struct GrowthBookTests {
    static let experimentFeatures: JSON = [
        "exp-flag": ["defaultValue": 0, "rules": [["key": "exp", "variations": [0, 1], "hashVersion": 2]]],
        "plain": ["defaultValue": true],
    ]

    final class Recorder: Sendable {
        let calls = Mutex<[String]>([])
        func record(_ s: String) { calls.withLock { $0.append(s) } }
        var all: [String] { calls.withLock { $0 } }
    }

    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func increment() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    /// An empty seed is no seed: experiment rules and inline experiments hash with the key, as
    /// `seed or key` in every reference SDK (growthbook 1.1.0 gives "B" for both).
    @Test func emptySeedHashesWithTheKey() throws {
        let gb = try GrowthBook(options: [
            "attributes": ["id": "alice"],
            "features": ["banner": ["defaultValue": "x", "rules": [["seed": "", "variations": ["A", "B"]]]]],
        ])
        #expect(gb.evaluateFeature("banner").value == "B")
        let inline = gb.experiment(["key": "banner", "variations": ["A", "B"], "seed": ""])
        #expect(gb.run(inline).value == "B")
        // The seed is still reported as given.
        #expect(inline.json["seed"] == "")
    }

    /// Equal values share one node of the snapshot; values that only compare equal (`1` and
    /// `1.0`, `true` and `1`) do not, so each prints as it was given.
    @Test func sharedValuesKeepTheirForm() throws {
        let gb = try GrowthBook(options: [
            "features": [
                "i": ["defaultValue": 1], "d": ["defaultValue": 1.0], "t": ["defaultValue": true],
                "i2": ["defaultValue": 1], "o": ["defaultValue": ["a": 1, "b": [1.0, "x"]]],
                "o2": ["defaultValue": ["a": 1, "b": [1.0, "x"]]], "o3": ["defaultValue": ["a": 1, "b": [1, "x"]]],
            ]
        ])
        var out: [String] = []
        for key in ["i", "d", "t", "i2", "o", "o2", "o3"] {
            var text = TextBuffer()
            gb.writeFeatureResult(key, to: &text)
            out.append(text.string)
        }
        #expect(out[0].hasPrefix(#"{"value":1,"#))
        #expect(out[1].hasPrefix(#"{"value":1.0,"#))
        #expect(out[2].hasPrefix(#"{"value":true,"#))
        #expect(out[3] == out[0])
        #expect(out[4].hasPrefix(#"{"value":{"a":1,"b":[1.0,"x"]},"#))
        #expect(out[5] == out[4])
        #expect(out[6].hasPrefix(#"{"value":{"a":1,"b":[1,"x"]},"#))
    }

    /// Settings naming experiments (URL query string, forced variations, overrides) are
    /// compiled by experiment when the state is made: they follow every setter, take the
    /// reference's precedence (URL first), and apply to inline experiments too.
    @Test func experimentSettingsFollowTheSetters() throws {
        let gb = try GrowthBook(options: [
            "attributes": ["id": "u1"],
            "features": ["f": ["defaultValue": "d", "rules": [["key": "e", "variations": ["a", "b", "c"]]]]],
        ])
        let plain = gb.evaluateFeature("f").value
        gb.updateSettings { $0.forcedVariations = ["e": 2] }
        #expect(gb.evaluateFeature("f").value == "c")
        gb.updateSettings { $0.url = "https://x.test/?e=1" }
        #expect(gb.evaluateFeature("f").value == "b")  // the URL wins over forcedVariations
        gb.updateSettings { $0.url = "" }
        #expect(gb.evaluateFeature("f").value == "c")
        gb.updateSettings { $0.forcedVariations = ["e": 7] }  // no such variation: not in it
        #expect(gb.evaluateFeature("f").source == .defaultValue)
        gb.updateSettings { $0.forcedVariations = [:] }
        #expect(gb.evaluateFeature("f").value == plain)
        // New features recompile them: the same key in a new payload.
        gb.updateSettings { $0.forcedVariations = ["e": 0] }
        gb.setFeatures(["f": ["defaultValue": "d", "rules": [["key": "e", "variations": ["x", "y"]]]]])
        #expect(gb.evaluateFeature("f").value == "x")
        gb.setAttributes(["id": "u2"])  // other setters keep them
        #expect(gb.evaluateFeature("f").value == "x")
        gb.updateSettings { $0.overrides = ["e": ["force": 1]] }
        #expect(gb.evaluateFeature("f").value == "x")  // forcedVariations (step 4) precede an experiment's force
        gb.updateSettings { $0.forcedVariations = [:] }
        #expect(gb.evaluateFeature("f").value == "y")
        // Inline experiments find theirs by key.
        gb.updateSettings { $0.overrides = [:]; $0.url = "https://x.test/?inline=1" }
        #expect(gb.run(gb.experiment(["key": "inline", "variations": [10, 20]])).value == 20)
    }

    /// Forced variations are checked the same way at creation and when set later.
    @Test func forcedVariationsValidatedAlike() throws {
        #expect(throws: GrowthBookError.self) { try GrowthBook(options: ["forcedVariations": ["e": "x"]]) }
        let gb = GrowthBook()
        #expect(throws: GrowthBookError.self) { try gb.setForcedVariations(["e": "x"]) }
        try gb.setForcedVariations(["e": 1, "f": .null])
        #expect(gb.state.settings.forcedVariations["e"] == 1)
        _ = try GrowthBook(options: ["forcedVariations": ["e": 1.0]])
    }

    @Test func trackingFiresOncePerAssignment() throws {
        let gb = try GrowthBook(options: ["attributes": ["id": "1"], "features": Self.experimentFeatures])
        let rec = Recorder()
        gb.setTrackingCallback { e, r in rec.record("\(e.key):\(r.variationId):\(r.hashValue.pythonString)") }
        for _ in 0..<5 { _ = gb.evaluateFeature("exp-flag") }
        #expect(rec.all.count == 1)
        // Another user is another exposure; the first user again is not.
        for id in ["2", "1", "2"] { _ = gb.evaluateFeature("exp-flag", attributes: ["id": .string(id)]) }
        #expect(rec.all.count == 2)
        // Forced into a variation by the context: not hashed, not tracked (as in the reference).
        gb.updateSettings { $0.forcedVariations = ["exp": 1] }
        let r = gb.evaluateFeature("exp-flag")
        #expect(r.experimentResult?.variationId == 1)
        #expect(r.experimentResult?.hashUsed == false)
        #expect(rec.all.count == 2)
    }

    /// The bookkeeping recognises an unchanged assignment without its lock (an epoch stamped on
    /// the experiment); a change made through another experiment object with the same key, or
    /// by another context sharing the compiled features, must still count as a change.
    @Test func assignmentChangesThroughOtherExperimentsAndContextsAreSeen() throws {
        let features = Snapshot(
            features: [
                "a": ["defaultValue": -1, "rules": [["key": "shared", "variations": [0, 1], "weights": [1, 0]]]],
                "b": ["defaultValue": -1, "rules": [["key": "shared", "variations": [0, 1], "weights": [0, 1]]]],
            ], savedGroups: nil, semantics: .default)
        let gb1 = GrowthBook()
        let gb2 = GrowthBook()
        gb1.setAttributes(["id": "u"])
        gb2.setAttributes(["id": "u"])
        gb1.setFeatures(features)
        gb2.setFeatures(features)
        let rec1 = Recorder()
        let rec2 = Recorder()
        gb1.subscribe { e, r in rec1.record("\(e.key):\(r.variationId)") }
        gb2.subscribe { e, r in rec2.record("\(e.key):\(r.variationId)") }
        for key in ["a", "a", "b", "b", "a", "b", "a", "a"] { _ = gb1.isOn(key) }
        #expect(rec1.all == ["shared:0", "shared:1", "shared:0", "shared:1", "shared:0"])
        // gb2 has recorded nothing yet, though the experiments carry gb1's stamps.
        #expect(rec2.all.isEmpty)
        _ = gb2.isOn("a")
        _ = gb2.isOn("a")
        #expect(rec2.all == ["shared:0"])
        #expect(gb2.allResults.map { $0.key } == ["shared"])
        _ = gb1.isOn("a")
        #expect(rec1.all.count == 5)
    }

    /// Deprecated per-experiment overrides on a feature's experiment rule: the overridden copy
    /// of the experiment lives only as long as the evaluation's result needs it.
    @Test func overriddenRuleExperimentsAssignAndReport() throws {
        let gb = try GrowthBook(options: [
            "attributes": ["id": "u1"],
            "features": ["f": ["defaultValue": "d", "rules": [["key": "ov", "variations": ["a", "b"]]]]],
            "overrides": ["ov": ["force": 1]],
        ])
        for _ in 0..<3 {
            let r = gb.evaluateFeature("f")
            #expect(r.value == "b")
            #expect(r.source == .experiment)
            #expect(r.experimentResult?.variationId == 1)
            #expect(gb.isOn("f"))
        }
        var text = TextBuffer()
        gb.writeFeatureResult("f", to: &text)
        #expect(text.string.contains(#""variationId":1"#))
    }

    /// A payload whose features each name their parent twice would take 2^depth evaluations
    /// where cycles are looked for on the path only (js; python-1.1.0 calls a second visit a
    /// cycle at once); the number of prerequisite evaluations per evaluation is bounded instead.
    @Test func widePrerequisiteFanOutIsBounded() throws {
        var features = JSONObject()
        let depth = 40
        for i in 0..<depth {
            let parent: JSON = ["id": .string("f\(i + 1)"), "condition": ["value": true]]
            features["f\(i)"] = ["defaultValue": false, "rules": [["parentConditions": [parent, parent, parent], "force": true]]]
        }
        features["f\(depth)"] = ["defaultValue": true]
        let gb = try GrowthBook(options: ["features": .object(features), "semantics": "js"])
        let r = gb.evaluateFeature("f0")
        #expect(r.source == .cyclicPrerequisite)
        #expect(r.value == .null)
        // A chain well inside the limits still evaluates.
        #expect(gb.evaluateFeature("f\(depth - 5)").value == true)
    }

    /// An experiment copied with deprecated overrides keeps resolving saved groups.
    @Test func overriddenExperimentsKeepSavedGroups() throws {
        let gb = try GrowthBook(options: [
            "attributes": ["id": "u1"], "savedGroups": ["g": ["u1", "u2"]], "overrides": ["ov": ["coverage": 1]],
        ])
        let e = gb.experiment(["key": "ov", "variations": [0, 1], "condition": ["id": ["$inGroup": "g"]]])
        #expect(gb.run(e).inExperiment)
    }

    @Test func subscriptionsFireWhenAnAssignmentChanges() throws {
        let gb = try GrowthBook(options: ["attributes": ["id": "1"]])
        let rec = Recorder()
        let id = gb.subscribe { e, r in rec.record("\(e.key):\(r.variationId):\(r.inExperiment)") }
        let e = gb.experiment(["key": "inline", "variations": ["a", "b"]])
        _ = gb.run(e)
        _ = gb.run(e)
        #expect(rec.all.count == 1)
        gb.updateSettings { $0.forcedVariations = ["inline": 1] }
        let forced = gb.run(e)
        #expect(forced.variationId == 1)
        #expect(rec.all.count == 2)
        #expect(gb.allResults.map { $0.key } == ["inline"])
        #expect(gb.unsubscribe(id))
        #expect(!gb.unsubscribe(id))
        gb.updateSettings { $0.forcedVariations = ["inline": 0] }
        _ = gb.run(e)
        #expect(rec.all.count == 2)
    }

    @Test func perCallAttributesLeaveTheContextAlone() throws {
        let gb = try GrowthBook(options: [
            "attributes": ["country": "FR"],
            "features": ["geo": ["defaultValue": false, "rules": [["condition": ["country": "US"], "force": true]]]],
        ])
        #expect(gb.evaluateFeature("geo", attributes: ["country": "US"]).value == true)
        #expect(gb.evaluateFeature("geo").value == false)
        #expect(gb.state.attributes.json == ["country": "FR"])
    }

    @Test func logMessagesExplainSkippedRules() throws {
        let gb = try GrowthBook(options: [
            "attributes": ["country": "FR"],
            "features": ["geo": ["defaultValue": false, "rules": [["condition": ["country": "US"], "force": true]]]],
        ])
        let rec = Recorder()
        gb.setLogCallback({ level, message in rec.record("\(level.rawValue) \(message)") }, level: .debug)
        _ = gb.evaluateFeature("geo")
        _ = gb.evaluateFeature("nope")
        #expect(rec.all.contains("10 Skip rule because of failed condition, feature geo"))
        #expect(rec.all.contains("30 Unknown feature nope"))
        gb.setLogCallback({ level, message in rec.record("\(level.rawValue) \(message)") }, level: .warning)
        let before = rec.all.count
        _ = gb.evaluateFeature("geo")
        #expect(rec.all.count == before)
    }

    @Test func deprecatedOptionsStillApply() throws {
        let gb = try GrowthBook(options: [
            "attributes": ["id": "1"], "groups": ["beta": true], "overrides": ["ov": ["force": 1]],
            "url": "https://example.com/page?other=1",
        ])
        #expect(gb.run(gb.experiment(["key": "g", "variations": [0, 1], "groups": ["beta"]])).inExperiment)
        #expect(!gb.run(gb.experiment(["key": "g2", "variations": [0, 1], "groups": ["alpha"]])).inExperiment)
        let ov = gb.run(gb.experiment(["key": "ov", "variations": [0, 1]]))
        #expect(ov.variationId == 1)
        #expect(gb.run(gb.experiment(["key": "u", "variations": [0, 1], "url": "^/page"])).inExperiment)
        #expect(!gb.run(gb.experiment(["key": "u2", "variations": [0, 1], "url": "^/other"])).inExperiment)
        #expect(!gb.run(gb.experiment(["key": "d", "variations": [0, 1], "status": "draft"])).inExperiment)
        #expect(!gb.run(gb.experiment(["key": "s", "variations": [0, 1], "status": "stopped"])).inExperiment)
        #expect(!gb.run(gb.experiment(["key": "a", "variations": [0, 1], "active": false])).inExperiment)
    }

    @Test func includeCallbackDecides() throws {
        let gb = try GrowthBook(options: ["attributes": ["id": "1"]])
        let e = gb.experiment(["key": "inc", "variations": [0, 1]])
        #expect(gb.run(e, include: { true }).inExperiment)
        #expect(!gb.run(e, include: { false }).inExperiment)
        #expect(!gb.run(e, include: { nil }).inExperiment)
    }

    @Test func settersAreAtomicAcrossThreads() async throws {
        let a: JSONObject = ["f": ["defaultValue": "A"], "g": ["defaultValue": "A"]]
        let b: JSONObject = ["f": ["defaultValue": "B"], "g": ["defaultValue": "B"]]
        let gb = GrowthBook()
        gb.setFeatures(a)
        let mismatches = Counter()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<2000 { gb.setFeatures(i % 2 == 0 ? b : a) }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<5000 {
                        // One call reads one state: both features come from the same set.
                        let both = gb.evaluateFeatures(["f", "g"])
                        if both[0].value != both[1].value {
                            mismatches.increment()
                        }
                    }
                }
            }
        }
        #expect(mismatches.value == 0)
    }
}

/// Rule shapes whose meaning hangs on absent versus null.
@Suite struct RuleShapeTests {
    /// `"force": null` is no force in python-1.1.0 (`rule.force is not None`); without
    /// variations the rule is invalid and skipped. (js forces null: `SpecDifferenceTests`.)
    @Test func nullForceIsNoForce() throws {
        let gb = try GrowthBook(options: [
            "semantics": "python-1.1.0", "features": ["f": ["defaultValue": 1, "rules": [["force": .null]]]],
        ])
        let r = gb.evaluateFeature("f")
        #expect(r.source == .defaultValue)
        #expect(r.value == 1)
    }
}

/// python-1.1.0 conditions compare as Python does where the spec fixtures are silent.
@Suite struct PythonEqualityTests {
    @Test func booleansEqualTheirIntegers() {
        #expect(Condition(["beta": 1], semantics: .python110).evaluate(["beta": true]))
        #expect(Condition(["beta": 0.0], semantics: .python110).evaluate(["beta": false]))
        #expect(!Condition(["beta": "1"], semantics: .python110).evaluate(["beta": true]))
        #expect(Condition(["x": ["$in": [1, 2]]], semantics: .python110).evaluate(["x": true]))
        let long: JSON = .array((0..<20).map { .int(Int64($0)) })
        #expect(Condition(["x": ["$in": long]], semantics: .python110).evaluate(["x": true]))
        #expect(Condition(["x": ["$nin": long]], semantics: .python110).evaluate(["x": "1"]))
        #expect(Condition(["x": [1, true]], semantics: .python110).evaluate(["x": [true, 1.0]]))
    }
}

/// The tracked-exposure set is bounded, least recently seen out first.
@Suite struct TrackedExposuresTests {
    @Test func keepsTheMostRecentlySeen() {
        var t = TrackedExposures(limit: 3)
        func insert(_ keys: String...) -> [Bool] { keys.map { t.insert($0) } }
        #expect(insert("a", "b", "c") == [true, true, true])
        #expect(insert("a") == [false])  // seen: now the most recent
        #expect(insert("d") == [true])  // evicts b, the least recently seen
        #expect(t.count == 3)
        #expect(!t.contains("b") && t.contains("a") && t.contains("c") && t.contains("d"))
        #expect(insert("b") == [true])  // back: tracked again; evicts c
        #expect(!t.contains("c"))
        #expect(insert("d", "a", "b") == [false, false, false])
    }

    @Test func aLimitOfOneKeepsTheLast() {
        var t = TrackedExposures(limit: 1)
        func insert(_ keys: String...) -> [Bool] { keys.map { t.insert($0) } }
        #expect(insert("a", "a", "b", "a") == [true, false, true, true])
        #expect(t.count == 1)
    }

    /// Many users through a handle with a small limit: one tracking call per new exposure,
    /// memory bounded by the limit, and an exposure within the limit is not tracked twice.
    @Test func aHandleTracksWithinItsLimit() throws {
        let gb = try GrowthBook(options: [
            "trackedExposuresLimit": 10,
            "features": ["f": ["defaultValue": 0, "rules": [["key": "e", "variations": [0, 1], "coverage": 1]]]],
        ])
        let calls = Counter()
        gb.setTrackingCallback { _, _ in calls.add() }
        for i in 0..<100 {
            _ = gb.evaluateFeature("f", attributes: ["id": .string("u\(i)")])
        }
        #expect(calls.value == 100)
        for i in 95..<100 {
            _ = gb.evaluateFeature("f", attributes: ["id": .string("u\(i)")])
        }
        #expect(calls.value == 100)  // the last 10 are remembered
        _ = gb.evaluateFeature("f", attributes: ["id": "u0"])
        #expect(calls.value == 101)  // u0 was evicted long ago: tracked again
        #expect(throws: GrowthBookError.self) { try GrowthBook(options: ["trackedExposuresLimit": 0]) }
    }
}

final class Counter: Sendable {
    private let n = Atomic<Int>(0)
    func add() { n.wrappingAdd(1, ordering: .relaxed) }
    var value: Int { n.load(ordering: .relaxed) }
}

/// An integer hash attribute is hashed as Python's `str()` of it (python-1.1.0): the same
/// bucket as the string of its digits, past 2^53 too, where JavaScript's numbers are doubles.
/// (0 is no value: `FalsyHashAttributeTests`.)
@Suite struct IntegerHashAttributeTests {
    @Test(arguments: [Int64(7), 123, -5, 9_007_199_254_740_993, .max, .min])
    func integersHashAsTheirDigits(_ id: Int64) throws {
        let gb = try GrowthBook(options: [
            "semantics": "python-1.1.0",
            "features": [
                "f": ["defaultValue": -1, "rules": [["key": "e", "variations": [0, 1, 2, 3], "hashVersion": 2]]],
                "g": ["defaultValue": -1, "rules": [["key": "e1", "variations": [0, 1, 2, 3], "hashVersion": 1]]],
                "r": ["defaultValue": 0, "rules": [["force": 1, "coverage": 0.5, "hashAttribute": "id"]]],
            ]
        ])
        for key in ["f", "g", "r"] {
            let asInt = gb.evaluateFeature(key, attributes: ["id": .int(id)])
            let asString = gb.evaluateFeature(key, attributes: ["id": .string(String(id))])
            #expect(asInt.value == asString.value, "\(key), id \(id)")
            #expect(asInt.experimentResult?.bucket == asString.experimentResult?.bucket, "\(key), id \(id)")
        }
    }
}

/// A hash attribute that is falsy has no value, in every reference: the user is not bucketed,
/// a rollout leaves them out and the result reports "" (the library hashed 0 and false).
/// Python 1.1.0 (`attributes[attr] or ""`) counts [] and {} as none too; JavaScript, where
/// they are truthy, does not.
@Suite struct FalsyHashAttributeTests {
    static let features: JSON = [
        "f": ["defaultValue": -1, "rules": [["key": "e", "variations": [0, 1], "hashVersion": 2]]],
        "r": ["defaultValue": 0, "rules": [["force": 1, "coverage": 1, "hashAttribute": "id"]]],
    ]

    @Test(arguments: Semantics.allCases)
    func zeroFalseAndEmptyAreNoValue(_ semantics: Semantics) throws {
        let gb = try GrowthBook(options: ["features": Self.features, "semantics": .string(semantics.name)])
        for id: JSON in [0, 0.0, -0.0, false, "", .null] {
            let e = gb.evaluateFeature("f", attributes: ["id": id])
            #expect(e.source == .defaultValue, "\(semantics.name), id \(id.serialized)")
            #expect(gb.evaluateFeature("r", attributes: ["id": id]).value == 0, "\(semantics.name), id \(id.serialized)")
            let run = gb.run(gb.experiment(["key": "e", "variations": [0, 1]]), attributes: ["id": id])
            #expect(!run.inExperiment && !run.hashUsed && run.hashValue == "", "\(semantics.name), id \(id.serialized)")
        }
        for id: JSON in [[], [:]] {
            let run = gb.run(gb.experiment(["key": "e", "variations": [0, 1]]), attributes: ["id": id])
            #expect(run.hashValue == (semantics == .python110 ? "" : id), "\(semantics.name), id \(id.serialized)")
        }
    }

    @Test func jsHashesTheStringOfAValue() throws {
        // "7" for 7.0 and "true" for true in JavaScript; Python's str() gives "7.0" and "True".
        func bucket(_ semantics: Semantics, _ id: JSON) throws -> Double? {
            let gb = try GrowthBook(options: ["features": Self.features, "semantics": .string(semantics.name)])
            return gb.run(gb.experiment(["key": "e", "variations": [0, 1], "hashVersion": 2]), attributes: ["id": id]).bucket
        }
        #expect(try bucket(.js, 7.0) == bucket(.js, "7"))
        #expect(try bucket(.js, true) == bucket(.js, "true"))
        #expect(try bucket(.js, 1e21) == bucket(.js, "1e+21"))
        #expect(try bucket(.js, 1e-7) == bucket(.js, "1e-7"))
        #expect(try bucket(.python110, 7.0) == bucket(.python110, "7.0"))
        #expect(try bucket(.python110, true) == bucket(.python110, "True"))
        // Outside the BMP: UTF-16 code units in JavaScript (hash("", "😀", 2) is 0.4971 there,
        // 0.5359 over code points).
        #expect(try bucket(.js, "😀") != bucket(.python110, "😀"))
    }

    @Test func jsNumberStrings() {
        for (x, s) in [(7.0, "7"), (0.1, "0.1"), (1e21, "1e+21"), (1e16, "10000000000000000"), (1e-5, "0.00001"),
                       (1e-7, "1e-7"), (1.5e20, "150000000000000000000"), (-0.0, "0"), (123.456, "123.456"),
                       (1.5e-7, "1.5e-7"), (-2.5e30, "-2.5e+30"), (9007199254740993, "9007199254740992")] {
            #expect(jsNumberString(x) == s, "\(x)")
        }
    }
}
