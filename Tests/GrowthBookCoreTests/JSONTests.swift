import GrowthBookCore
import Testing

@Suite struct JSONTests {
    @Test func parsesAndWritesCompactly() throws {
        let text = #"{"a":[1,2.5,-3e2,true,false,null,"x\"y\\z\n\u00e9\ud83d\ude00"],"b":{}}"#
        let v = try JSON.parse(text)
        #expect(v.serialized == #"{"a":[1,2.5,-300.0,true,false,null,"x\"y\\z\né😀"],"b":{}}"#)
    }

    /// Python's `repr(float)`, which the reference's JSON output uses.
    @Test(arguments: [
        (1.0, "1.0"), (0.1, "0.1"), (0.5231, "0.5231"), (1e-05, "1e-05"), (0.0001, "0.0001"),
        (1e16, "1e+16"), (1234567890123456.0, "1234567890123456.0"), (9007199254740993.0, "9007199254740992.0"),
        (-2.5, "-2.5"), (-0.0, "-0.0"), (123.456, "123.456"), (1.5e300, "1.5e+300"), (5e-324, "5e-324"),
    ])
    func floatsPrintLikePython(_ value: Double, _ expected: String) {
        #expect(JSON.formatDouble(value) == expected)
    }

    /// The integer fast path of the writer agrees with the general one everywhere it applies.
    @Test func fastDoubleWritingMatchesRepr() {
        var values: [Double] = [0, 1, -1, 0.5, 0.8603, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.3334, 0.0001, 0.00012,
            123456.789, 999999999999999.9, 1e14 + 0.5, 0.1 + 0.2, 100, 1e-4, 9.99e-5, 0.9999999]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let n = Double(x >> 11) / Double(1 << 53)
            values.append(n)
            values.append((n * 10000).rounded() / 10000)
            values.append((n * 1e6).rounded() / 1e3 - 500)
        }
        for v in values {
            var out = TextBuffer()
            JSON.writeDouble(v, to: &out)
            #expect(out.string == JSON.formatDouble(v), "\(v)")
        }
    }

    /// Keys match by code points, as Python's dict keys do: a decomposed "é" is another key
    /// than the precomposed one (Swift's `==` would call them equal).
    @Test func keysMatchByCodePoints() throws {
        let o = try JSON.parse(#"{"caf\u00e9":1,"cafe\u0301":2,"a-key-longer-than-fifteen-bytes":3}"#)
        #expect(o["caf\u{e9}"] == 1)
        #expect(o["cafe\u{301}"] == 2)
        #expect(o["a-key-longer-than-fifteen-" + "bytes"] == 3)
        #expect(o["a-key-longer-than-fifteen-bytez"] == nil)
    }

    /// Objects beyond the linear-search size use a table; inserts, replacements and removals
    /// keep every key findable.
    @Test func largeObjectsFindEveryKey() {
        var o = JSONObject()
        for i in 0..<300 { o["k\(i)"] = .int(Int64(i)) }
        for i in stride(from: 0, to: 300, by: 3) { o["k\(i)"] = nil }
        o["k1"] = "one"
        for i in 0..<300 {
            let expected: JSON? = i % 3 == 0 ? nil : (i == 1 ? "one" : .int(Int64(i)))
            #expect(o["k\(i)"] == expected)
        }
        #expect(o.count == 200)
        #expect(o.keys.first == "k1")
        #expect(o["missing"] == nil)
    }

    @Test func integersStayIntegers() throws {
        #expect(try JSON.parse("[1, 1.0, -0, 12345678901234567890]").serialized == "[1,1.0,0,12345678901234567890]")
        // beyond 64 bits, as written (Python's json keeps such an int exact); as a number, its Double
        let big = try JSON.parse("-100000000000000000000000000000")
        #expect(big == .bigInteger("-100000000000000000000000000000"))
        #expect(big.doubleValue == -1e29)
        #expect(big.isNumber && big.isTruthy && big.typeName == "number")
        #expect(big.pythonString == "-100000000000000000000000000000")
        // a literal whose Double is not finite is out of range, as before
        #expect(throws: JSONError.self) { try JSON.parse("1" + String(repeating: "0", count: 400)) }
    }

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let v = try JSON.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v.serialized == #"{"a":3,"b":2}"#)
        // Objects large enough for a table find duplicates through it.
        let big = try JSON.parse(#"{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k1":9,"k9":10}"#)
        #expect(big.serialized == #"{"k0":0,"k1":9,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":10}"#)
        #expect(big["k9"] == 10 && big["k1"] == 9)
    }

    @Test func largeObjectsAreIndexed() throws {
        var text = "{"
        for i in 0..<100 { text += (i > 0 ? "," : "") + "\"k\(i)\":\(i)" }
        text += "}"
        let v = try JSON.parse(text)
        #expect(v["k57"] == 57)
        #expect(v["k100"] == nil)
    }

    @Test(arguments: [
        ("", 0), ("[1,]", 3), ("{\"a\" 1}", 5), ("[1] x", 4), ("\"abc", 0), ("tru", 0), ("01", 1), ("1.", 2),
        ("{\"a\":1,}", 7), ("[\"\\x\"]", 2), ("\"\u{01}\"", 1), ("-", 1), ("1e", 2), ("nul", 0),
    ])
    func syntaxErrorsCarryTheOffset(_ text: String, _ offset: Int) {
        do {
            _ = try JSON.parse(text)
            Issue.record("parsed \(text)")
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.kind == .syntax)
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSON.parse(deep) }
        let ok = String(repeating: "[", count: JSON.maxDepth) + String(repeating: "]", count: JSON.maxDepth)
        #expect((try? JSON.parse(ok)) != nil)
        let tooDeep = "[" + ok + "]"
        do {
            _ = try JSON.parse(tooDeep)
            Issue.record("accepted depth \(JSON.maxDepth + 1)")
        } catch {
            #expect(error.kind == .tooDeep)
        }
    }

    @Test func invalidUTF8AndLoneSurrogatesAreRejected() {
        for bytes: [UInt8] in [[0x22, 0xff, 0x22], [0x22, 0xc0, 0xaf, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22]] {
            do {
                _ = try JSON.parse(bytes)
                Issue.record("accepted \(bytes)")
            } catch {
                #expect(error.kind == .invalidUTF8)
                #expect(error.offset == 1)
            }
        }
        for text in [#""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#] {
            #expect(throws: JSONError.self) { try JSON.parse(text) }
        }
    }

    @Test func numbersOutOfRangeAreRejected() {
        #expect(throws: JSONError.self) { try JSON.parse("1e400") }
    }

    @Test func pythonStringOfValues() throws {
        #expect(JSON.bool(true).pythonString == "True")
        #expect(JSON.int(123).pythonString == "123")
        #expect(JSON.double(1.5).pythonString == "1.5")
        #expect(JSON.null.pythonString == "None")
        #expect(try JSON.parse(#"[1,"a",{"b":null}]"#).pythonString == "[1, 'a', {'b': None}]")
    }

    @Test func truthinessFollowsPython() throws {
        for falsy in ["null", "false", "0", "0.0", "\"\"", "[]", "{}"] {
            #expect(try JSON.parse(falsy).isTruthy == false, "\(falsy)")
        }
        for truthy in ["true", "1", "-0.5", "\"0\"", "[0]", "{\"a\":0}"] {
            #expect(try JSON.parse(truthy).isTruthy == true, "\(truthy)")
        }
    }
}

/// The direct writers of results produce exactly the text of their JSON values.
@Suite struct ResultWriterTests {
    @Test func featureResultTextMatchesItsJSON() throws {
        for file in Fixtures.files {
            for c in try Fixtures.cases(file, "feature") {
                let gb = try GrowthBook(options: Fixtures.options(c[1], file))
                let r = gb.evaluateFeature(c[2].stringValue ?? "")
                var out = TextBuffer()
                r.write(to: &out)
                #expect(out.string == r.json.serialized, "\(c[0].stringValue ?? "")")
            }
        }
    }
}
