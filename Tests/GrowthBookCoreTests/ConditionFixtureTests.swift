import GrowthBookCore
import Testing

@Suite struct ConditionFixtureTests {
    @Test(arguments: Fixtures.files)
    func evalCondition(file: String) throws {
        var tally = Tally(file, "evalCondition")
        for c in try Fixtures.cases(file, "evalCondition") {
            let name = c[0].stringValue ?? "?"
            let savedGroups = c.count > 4 ? c[4].objectValue : nil
            let condition = Condition(c[1], savedGroups: savedGroups, semantics: Fixtures.semantics(file))
            let got = condition.evaluate(c[2])
            tally.check(got == tally.expected(c[3], name).boolValue, name, "got \(got)")
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }

    @Test(arguments: Fixtures.files)
    func versionCompare(file: String) throws {
        var tally = Tally(file, "versionCompare")
        guard let groups = try Fixtures.load(file)["versionCompare"]?.objectValue else {
            print("[fixtures] \(file) versionCompare: not in this file (0 cases)")
            return
        }
        for (op, list) in groups.pairs {
            for c in list.arrayValue ?? [] {
                let js = Fixtures.semantics(file) == .js
                let a = PaddedVersion(c[0]?.stringValue ?? "", js: js)
                let b = PaddedVersion(c[1]?.stringValue ?? "", js: js)
                let expected = c[2]?.boolValue
                let got: Bool
                switch op {
                case "lt": got = a < b
                case "gt": got = a > b
                default: got = a == b
                }
                tally.check(got == expected, "\(op) \(c[0]?.stringValue ?? "") \(c[1]?.stringValue ?? "")", "got \(got)")
            }
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }
}

extension JSON {
    subscript(index: Int) -> JSON? {
        guard case .array(let a) = self, index >= 0, index < a.count else { return nil }
        return a[index]
    }
}
