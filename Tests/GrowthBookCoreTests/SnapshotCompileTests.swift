@testable import GrowthBookCore
import Testing

/// What compiling features keeps and shares: the definitions' text, attribute paths, regexes
/// compiled once per pattern, the lower-cased forms `$alli` compares with.
@Suite struct SnapshotCompileTests {
    static func compile(_ text: String, savedGroups: JSONObject? = nil) throws -> Snapshot {
        var t = text
        let s = try t.withUTF8 { try Snapshot.compile(featuresText: $0, savedGroups: savedGroups, semantics: .default) }
        return try #require(s)
    }

    /// Whitespace between tokens goes; whitespace, quotes and backslashes inside strings stay.
    @Test(arguments: [
        (#"{ "a" : [ 1 , "x y" ] }"#, #"{"a":[1,"x y"]}"#),
        ("{\n\t\"k\":\r\n\"a \\\" b\\\\\"  }", #"{"k":"a \" b\\"}"#),
        (#"{"a":"\\","b":" "}"#, #"{"a":"\\","b":" "}"#),
        ("  {}  ", "{}"),
    ])
    func whitespaceOutsideStringsIsDropped(_ text: String, _ expected: String) {
        var out = TextBuffer()
        var t = text
        t.withUTF8 { appendWithoutWhitespace($0, to: &out) }
        #expect(out.string == expected)
    }

    /// A handle made without features compiles nothing: it starts with its profile's one
    /// shared empty feature set (handles made per request must not build one each).
    @Test(arguments: Semantics.allCases) func handlesWithoutFeaturesShareTheEmptySnapshot(_ semantics: Semantics) throws {
        let options = try JSON.parse(#"{"semantics": "\#(semantics.name)", "attributes": {"id": "1"}}"#)
        let a = try GrowthBook(options: options)
        let b = try GrowthBook(options: options)
        #expect(a.state.snapshot === Snapshot.empty(semantics))
        #expect(b.state.snapshot === a.state.snapshot)
        #expect(GrowthBook(semantics: semantics).state.snapshot === Snapshot.empty(semantics))
        #expect(Snapshot.empty(semantics).semantics == semantics)
        let withFeatures = try GrowthBook(options: JSON.parse(#"{"semantics": "\#(semantics.name)", "features": {"f": {}}}"#))
        #expect(withFeatures.state.snapshot !== Snapshot.empty(semantics))
    }

    /// The definitions kept are the features as given: they read back, and recompile against
    /// other saved groups, from the text.
    @Test func definitionsReadBackAndRecompile() throws {
        let text = """
            {
              "f": { "defaultValue": "a b",
                     "rules": [ { "condition": { "id": { "$inGroup": "g" } }, "force": "in group" } ] },
              "n": { "defaultValue": 1.5 }
            }
            """
        let s = try Self.compile(text)
        #expect(s.json == (try JSON.parse(text)))
        let grouped = s.with(savedGroups: ["g": ["u1"]])
        let gb = GrowthBook()
        gb.setFeatures(grouped)
        gb.setAttributes(["id": "u1"])
        #expect(gb.evaluateFeature("f").value == "in group")
        gb.setFeatures(s)
        #expect(gb.evaluateFeature("f").value == "a b")
    }

    /// Compact text (no whitespace between tokens, as the API sends it) is kept as it is.
    @Test func compactDefinitionsAreKeptAsGiven() throws {
        let text = #"{"f":{"defaultValue":"a b","rules":[{"force":1e2}]},"g":{"defaultValue":[1.0,"\u00e9"]}}"#
        let s = try Self.compile(text)
        #expect(s.json == (try JSON.parse(text)))
    }

    /// Paths split at every dot, empty segments kept (Python's `str.split(".")`); checked
    /// against growthbook 1.1.0's `evalCondition`.
    @Test(arguments: [
        (#"{"a.b":1}"#, #"{"a":{"b":1}}"#, true),
        (#"{"a.b":1}"#, #"{"a.b":1}"#, false),
        (#"{"a..b":1}"#, #"{"a":{"":{"b":1}}}"#, true),
        (#"{".a":1}"#, #"{"":{"a":1}}"#, true),
        (#"{"a.":1}"#, #"{"a":{"":1}}"#, true),
        (#"{"a.b.c":{"$exists":true}}"#, #"{"a":{"b":{"c":0}}}"#, true),
    ])
    func pathsSplitAtEveryDot(_ condition: String, _ attributes: String, _ expected: Bool) throws {
        #expect(Condition(try JSON.parse(condition)).evaluate(try JSON.parse(attributes)) == expected)
    }

    /// A pattern repeated across rules is compiled once, and each use keeps its own flags.
    @Test func regexesAreCompiledOncePerPattern() throws {
        let s = try Self.compile(
            """
            {"a":{"defaultValue":0,"rules":[{"condition":{"e":{"$regex":"^bob"}},"force":1}]},
             "b":{"defaultValue":0,"rules":[{"condition":{"e":{"$regex":"^bob"}},"force":1}]},
             "c":{"defaultValue":0,"rules":[{"condition":{"e":{"$regexi":"^bob"}},"force":1}]},
             "d":{"defaultValue":0,"rules":[{"condition":{"e":{"$not":{"$regex":"^bob"}}},"force":1}]},
             "x":{"defaultValue":0,"rules":[{"condition":{"e":{"$regex":"(bad"}},"force":1}]},
             "y":{"defaultValue":0,"rules":[{"condition":{"e":{"$regex":"(bad"}},"force":1}]}}
            """)
        #expect(s.conditions.regexCount == 2)  // "^bob" both ways; "(bad" does not compile
        let gb = GrowthBook()
        gb.setFeatures(s)
        gb.setAttributes(["e": "Bobby"])
        #expect(["a", "b", "c", "d", "x", "y"].map { gb.evaluateFeature($0).value } == [0, 0, 1, 1, 0, 0])
    }

    /// `$alli` compares lower-cased forms: a literal with capitals or non-ASCII letters keeps
    /// one of its own, a lower-case ASCII literal is its own. (`$alli` is the latest spec's;
    /// growthbook 1.1.0 has no such operator.)
    @Test(arguments: [
        (#"{"t":{"$alli":["ABC","x"]}}"#, #"{"t":["abc","X"]}"#, true),
        (#"{"t":{"$alli":["abc"]}}"#, #"{"t":["ABC"]}"#, true),
        (#"{"t":{"$alli":["ÉTÉ"]}}"#, #"{"t":["été"]}"#, true),
        (#"{"t":{"$alli":["abc"]}}"#, #"{"t":["abd"]}"#, false),
        (#"{"t":"ABC"}"#, #"{"t":"abc"}"#, false),
    ])
    func caseInsensitiveFormsAreKeptWhereNeeded(_ condition: String, _ attributes: String, _ expected: Bool) throws {
        #expect(Condition(try JSON.parse(condition)).evaluate(try JSON.parse(attributes)) == expected)
    }
}
