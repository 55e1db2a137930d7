import Testing

@testable import GrowthBookCore

/// `Document(parsing:)` (text straight to a document) against the tree route
/// (`JSON.parse`, then `Document(_:)`): the same values, the same look-ups, the same errors.
@Suite struct DocumentParserTests {
    /// A seeded generator of JSON texts with what attributes hold and what is easy to get
    /// wrong: nesting, escapes, non-ASCII, big integers, large objects, repeated keys.
    struct TextGenerator {
        var state: UInt64

        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }

        mutating func string() -> String {
            let pieces = ["a", "id", "country", "k1", "é", "\\n", "\\\"", "\\u00e9", "\\ud83d\\ude00", "x y", "日本", "\\/"]
            var s = ""
            for _ in 0..<next(4) { s += pieces[next(pieces.count)] }
            return "\"" + s + "\""
        }

        mutating func value(depth: Int) -> String {
            switch next(depth > 4 ? 7 : 10) {
            case 0: return "null"
            case 1: return next(2) == 0 ? "true" : "false"
            case 2: return ["0", "-1", "42", "9223372036854775807", "-9223372036854775808", "123456789012345678901234567890"][next(6)]
            case 3: return ["1.5", "-0.0", "1e3", "2.5E-3", "1.0", "0.1"][next(6)]
            case 4, 5, 6: return string()
            case 7, 8:
                return "[" + (0..<next(5)).map { _ in value(depth: depth + 1) }.joined(separator: ",") + "]"
            default:
                let n = next(4) == 0 ? 9 + next(20) : next(6)
                let keys = ["id", "country", "age", "a", "b", "é", "k\\u00e9"]
                let members = (0..<n).map { i in
                    // some keys repeat (in large objects too), the others are unique
                    let key = next(5) == 0 ? "\"" + keys[next(keys.count)] + "\"" : "\"m\(i)\""
                    return key + (next(3) == 0 ? " : " : ":") + value(depth: depth + 1)
                }
                return "{" + members.joined(separator: next(2) == 0 ? "," : " ,\n ") + "}"
            }
        }
    }

    static func split(_ text: String) throws -> (json: JSON, document: Document?) {
        var t = text
        var out: (json: JSON, document: Document?) = (.null, nil)
        var failure: JSONError? = nil
        t.withUTF8 { b in
            do throws(JSONError) {
                let r = try JSON.parse(b, documentFor: "attributes")
                out = (r.json, r.document)
            } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    static func parsed(_ text: String) throws(JSONError) -> Document {
        var t = text
        let r: Result<Document, JSONError> = t.withUTF8 { b in
            do throws(JSONError) { return .success(try Document(parsing: b)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Every object member of `v` (a value of the parsed document) is found by name, and equals
    /// the tree's value for it.
    static func checkLookups(_ v: Val, _ tree: JSON) {
        switch tree {
        case .object(let o):
            #expect(v.count == o.count)
            for (k, value) in o.pairs {
                let found = v.member(named: k)
                #expect(found?.json.serialized == value.serialized, "\(k)")
                if let found { checkLookups(found, value) }
            }
            #expect(v.member(named: "no such key") == nil)
        case .array(let items):
            #expect(v.count == items.count)
            for (i, item) in items.enumerated() { checkLookups(v.element(i), item) }
        default: break
        }
    }

    @Test func agreesWithTheTreeRouteOnGeneratedTexts() throws {
        var g = TextGenerator(state: 0x5eed)
        for _ in 0..<3000 {
            let text = g.value(depth: 0)
            let tree = try JSON.parse(text)
            let doc = try Self.parsed(text)
            let viaTree = Document(tree)
            // The same value (numbers' forms included: serialized compares 1 and 1.0 apart).
            #expect(doc.root.json.serialized == tree.serialized, "\(text)")
            var a = TextBuffer()
            var b = TextBuffer()
            doc.root.write(to: &a)
            viaTree.root.write(to: &b)
            #expect(a.string == b.string, "\(text)")
            Self.checkLookups(doc.root, tree)
        }
    }

    @Test func repeatedKeysKeepTheFirstPositionAndTheLastValue() throws {
        let small = try Self.parsed(#"{"a":1,"b":{"x":[1]},"a":{"c":3},"b":2}"#)
        #expect(small.root.json.serialized == #"{"a":{"c":3},"b":2}"#)
        #expect(small.root.member(named: "a")?.member(named: "c")?.json.serialized == "3")
        let big = try Self.parsed(#"{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k1":9,"k9":10}"#)
        #expect(big.root.json.serialized == #"{"k0":0,"k1":9,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":10}"#)
        #expect(big.root.member(named: "k1")?.int == 9 && big.root.member(named: "k9")?.int == 10)
    }

    /// A large object with repeated keys (merged through a table of the kept keys).
    @Test func largeObjectsWithRepeatedKeysMerge() throws {
        var members: [String] = []
        for i in 0..<20_000 { members.append("\"k\(i % 5_000)\":\(i)") }
        let doc = try Self.parsed("{" + members.joined(separator: ",") + "}")
        #expect(doc.root.count == 5_000)
        #expect(doc.root.member(named: "k0")?.int == 15_000)
        #expect(doc.root.member(named: "k4999")?.int == 19_999)
        #expect(doc.root.member(1).key.bytes.string == "k1")
        #expect(doc.root.json.serialized == (try JSON.parse("{" + members.joined(separator: ",") + "}")).serialized)
    }

    @Test(arguments: [
        "", "[1,]", "{\"a\" 1}", "[1] x", "\"abc", "tru", "01", "1.", "{\"a\":1,}", "[\"\\x\"]", "\"\u{01}\"", "-",
        "1e", "nul", "1e400", "\"\\ud800\"", String(repeating: "[", count: JSON.maxDepth + 1),
    ])
    func rejectsWhatTheTreeRouteRejects(_ text: String) {
        var treeError: JSONError? = nil
        do { _ = try JSON.parse(text) } catch { treeError = error }
        do {
            _ = try Self.parsed(text)
            Issue.record("parsed \(text)")
        } catch {
            #expect(error == treeError)
        }
    }

    @Test func attributesMustBeAnObject() throws {
        var t = "[1]"
        let a = try t.withUTF8 { b throws(JSONError) in try Attributes(parsing: b) }
        #expect(a == nil)
        var u = #"{"id":"u1"}"#
        let b = try u.withUTF8 { b throws(JSONError) in try Attributes(parsing: b) }
        #expect(b?.json.serialized == #"{"id":"u1"}"#)
    }

    /// `JSON.parse(_:documentFor:)`: the member's value in a document, null in the tree, all else
    /// as the tree route reads it (repeated members: the last; deeper "attributes": untouched).
    @Test func splitParseAgreesWithTheTreeRoute() throws {
        var g = TextGenerator(state: 0xa77)
        for round in 0..<2000 {
            var members: [String] = []
            for i in 0..<(1 + g.next(5)) {
                let key = g.next(3) == 0 ? "attributes" : "k\(i)"
                members.append("\"\(key)\":" + (g.next(4) == 0 ? #"{"attributes":1}"# : g.value(depth: 1)))
            }
            let text = "{" + members.joined(separator: round % 2 == 0 ? "," : " , ") + "}"
            let tree = try JSON.parse(text)
            let split = try Self.split(text)
            guard case .object(var o) = tree else {
                Issue.record("not an object: \(text)")
                continue
            }
            let attributes = o["attributes"]
            #expect(split.document?.root.json.serialized == attributes?.serialized, "\(text)")
            if attributes != nil { o["attributes"] = .null }
            #expect(split.json.serialized == JSON.object(o).serialized, "\(text)")
        }
        // not an object at the top: nothing is split
        let split = try Self.split(#"[{"attributes":{"id":1}}]"#)
        #expect(split.document == nil)
        #expect(split.json.serialized == #"[{"attributes":{"id":1}}]"#)
    }
}
