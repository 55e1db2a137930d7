import Foundation
import GrowthBookCore

/// The spec fixture files, copied into the repo (Tests/fixtures) so tests need nothing outside it.
enum Fixtures {
    static let files = ["cases-0.5.4.json", "cases-latest.json", "cases-0.8.0.json"]

    /// The semantics each file is the contract of (Tests/fixtures/semantics.json, which every
    /// fixture runner reads): spec 0.5.4 is the Python growthbook 1.1.0 era; 0.7.1
    /// (cases-latest) and 0.8.0 are the JS SDK's.
    static func semantics(_ file: String) -> Semantics {
        semanticsNames[file]?.stringValue.flatMap { Semantics(name: $0) } ?? .default
    }

    private static let semanticsNames: JSONObject = (try? load("semantics.json")) ?? JSONObject()

    /// A case that contradicts its file's semantics (Tests/fixtures/contradictions.json): the
    /// expected value under that semantics, and why it differs from the file's.
    static func contradiction(_ file: String, _ category: String, _ name: String) -> (expected: JSON, why: String)? {
        guard let c = contradictions[file]?[category]?[name], let expected = c["expected"] else { return nil }
        return (expected, c["why"]?.stringValue ?? "")
    }

    private static let contradictions: JSONObject = (try? load("contradictions.json")) ?? JSONObject()

    /// A fixture case's context with the file's semantics.
    static func options(_ context: JSON, _ file: String) -> JSON {
        var o = context.objectValue ?? JSONObject()
        o["semantics"] = .string(semantics(file).name)
        return .object(o)
    }

    static func load(_ name: String) throws -> JSONObject {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures")
        let data = try Data(contentsOf: dir.appendingPathComponent(name))
        let json = try JSON.parse([UInt8](data))
        guard case .object(let o) = json else { throw FixtureError("not an object: \(name)") }
        return o
    }

    static func cases(_ file: String, _ category: String) throws -> [[JSON]] {
        let all = try load(file)
        guard let list = all[category]?.arrayValue else { throw FixtureError("no \(category) in \(file)") }
        return list.map { $0.arrayValue ?? [] }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Counts passes per fixture category and prints a summary line.
struct Tally {
    let file: String
    let category: String
    var passed = 0
    var failures: [String] = []

    init(_ file: String, _ category: String) {
        self.file = file
        self.category = category
    }

    mutating func check(_ ok: Bool, _ name: String, _ detail: @autoclosure () -> String = "") {
        if ok { passed += 1 } else { failures.append("\(name): \(detail())") }
    }

    /// The expected value of case `name`: the file's, or the contradiction's (printed).
    func expected(_ fileValue: JSON, _ name: String) -> JSON {
        guard let c = Fixtures.contradiction(file, category, name) else { return fileValue }
        print("[fixtures] \(file) \(category) \"\(name)\" contradicts \(Fixtures.semantics(file).name): expected \(c.expected.serialized), not \(fileValue.serialized): \(c.why)")
        return c.expected
    }

    func report() {
        print(
            "[fixtures] \(file) \(category) (semantics \(Fixtures.semantics(file).name)): \(passed) passed, \(failures.count) failed")
        for f in failures.prefix(40) { print("    FAIL \(f)") }
    }
}
