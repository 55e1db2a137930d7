import Foundation
import GrowthBookCore
import Testing

@testable import GrowthBookRemote

@Suite struct DecryptFixtureTests {
    static let files = ["cases-0.5.4.json", "cases-latest.json", "cases-0.8.0.json"]

    static func cases(_ file: String) throws -> [[JSON]] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures")
        let json = try JSON.parse([UInt8](try Data(contentsOf: dir.appendingPathComponent(file))))
        return (json["decrypt"]?.arrayValue ?? []).map { $0.arrayValue ?? [] }
    }

    @Test(arguments: files)
    func decrypt(file: String) throws {
        var passed = 0
        var failures: [String] = []
        for c in try Self.cases(file) {
            let name = c[0].stringValue ?? "?"
            let expected = c[3].stringValue
            let got = try? decryptPayload(c[1].stringValue ?? "", key: c[2].stringValue ?? "")
            if got == expected { passed += 1 } else { failures.append("\(name): got \(String(describing: got))") }
        }
        print("[fixtures] \(file) decrypt: \(passed) passed, \(failures.count) failed")
        for f in failures { print("    FAIL \(f)") }
        #expect(failures.isEmpty)
        #expect(passed > 0)
    }

    @Test func base64IsStrict() {
        #expect(Base64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
        #expect(Base64.decode("aGV%sbG8=") == nil)
        #expect(Base64.decode("a") == nil)
        #expect(Base64.decode("aGVsbG8=x") == nil)
        #expect(Base64.decode("") == [])
    }
}
