@testable import GrowthBookCore
import Testing

/// Full results written as JSON straight from a decision must be the same bytes as results
/// built as objects and then written.
@Suite struct ResultTextTests {
    /// The static names results are written with are the sources' names.
    @Test(arguments: [
        FeatureSource.unknownFeature, .defaultValue, .force, .experiment, .prerequisite, .cyclicPrerequisite,
    ])
    func sourceNamesAreTheirRawValues(_ source: FeatureSource) {
        #expect(source.name.description == source.rawValue)
    }

    static let features: JSON = [
        "plain": ["defaultValue": 1, "rules": [["key": "e1", "variations": [0, 1], "hashVersion": 2]]],
        "meta": [
            "defaultValue": "x",
            "rules": [
                [
                    "id": "rule-\"quoted\"", "key": "e2", "variations": ["a", "b", "c"], "weights": [0.2, 0.3, 0.5],
                    "meta": [["key": "k0", "name": "Zero"], ["key": "k1", "passthrough": true], ["name": ""]],
                    "seed": "s", "hashAttribute": "company",
                ],
                ["force": "after-passthrough"],
            ],
        ],
        "fallback": [
            "defaultValue": false,
            "rules": [["key": "e3", "variations": [false, true], "hashAttribute": "id", "fallbackAttribute": "device"]],
        ],
        "numeric": ["defaultValue": 0, "rules": [["key": "e4", "variations": [[1], ["a": 2]], "hashAttribute": "n"]]],
        "forced": ["defaultValue": 0, "rules": [["key": "e5", "variations": [10, 20]]]],
        "force-rule": ["defaultValue": 0, "rules": [["id": "f", "force": 3, "condition": ["id": ["$exists": true]]]]],
    ]

    @Test(arguments: [false, true])
    func templatesWriteWhatResultsWrite(sticky: Bool) throws {
        var options: JSON = ["features": Self.features, "forcedVariations": ["e5": 1]]
        if sticky, case .object(var o) = options {
            o["stickyBucketing"] = true
            options = .object(o)
        }
        let gb = try GrowthBook(options: options)
        let users: [JSON] = (0..<60).map { i in
            var o = JSONObject()
            if i % 7 != 0 { o["id"] = .string("user-\(i)") }
            o["company"] = .string("c\(i % 11)")
            o["device"] = .string("d\(i)")
            o["n"] = i % 5 == 0 ? .double(Double(i) / 4) : .int(Int64(i))
            return .object(o)
        }
        for user in users {
            let attributes = Attributes(user.objectValue ?? JSONObject())
            for key in ["plain", "meta", "fallback", "numeric", "forced", "force-rule"] {
                // With sticky bucketing the first evaluation stores the assignment and later ones
                // find it (`stickyBucketUsed`): compare on evaluations after a first.
                var k = key
                var direct = TextBuffer()
                var built = TextBuffer()
                try k.withUTF8 { bytes in
                    try gb.evaluate(key: bytes, attributes: attributes) { _ in }
                    try gb.evaluate(key: bytes, attributes: attributes) { outcome in
                        #expect(outcome.source != .unknownFeature, "missing \(key)")
                        // The text written from the decision and the result object's text.
                        outcome.writeResult(to: &direct)
                        outcome.result.write(to: &built)
                    }
                }
                #expect(direct.string == built.string, "\(key) \(user.serialized)")
            }
        }
    }
}
