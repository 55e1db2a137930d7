import GrowthBookCore
import Testing

/// The spec's helper categories: hash, bucket ranges, choosing a variation, query-string
/// overrides, namespaces, equal weights.
@Suite struct HelperFixtureTests {
    static func rounded(_ x: Double) -> Double { (x * 1_000_000).rounded() / 1_000_000 }

    @Test(arguments: Fixtures.files)
    func hash(file: String) throws {
        var tally = Tally(file, "hash")
        for c in try Fixtures.cases(file, "hash") {
            let got = gbHash(seed: c[0].stringValue ?? "", value: c[1].stringValue ?? "", version: c[2].intValue ?? 0)
            let expected = c[3].doubleValue
            tally.check(got == expected, "\(c[0].serialized) \(c[1].serialized) v\(c[2].serialized)", "got \(String(describing: got))")
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }

    @Test(arguments: Fixtures.files)
    func getBucketRange(file: String) throws {
        var tally = Tally(file, "getBucketRange")
        for c in try Fixtures.cases(file, "getBucketRange") {
            let args = c[1].arrayValue ?? []
            let weights = args[2].arrayValue?.compactMap { $0.doubleValue }
            let got = bucketRanges(count: args[0].intValue ?? 0, coverage: args[1].doubleValue ?? 1, weights: weights)
                .map { [Self.rounded($0.start), Self.rounded($0.end)] }
            let expected = (c[2].arrayValue ?? []).map { ($0.arrayValue ?? []).map { Self.rounded($0.doubleValue ?? .nan) } }
            tally.check(got == expected, c[0].stringValue ?? "", "got \(got)")
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }

    @Test(arguments: Fixtures.files)
    func chooseVariation(file: String) throws {
        var tally = Tally(file, "chooseVariation")
        for c in try Fixtures.cases(file, "chooseVariation") {
            let ranges = (c[2].arrayValue ?? []).compactMap { BucketRange(json: $0) }
            let got = GrowthBookCore.chooseVariation(c[1].doubleValue ?? 0, ranges: ranges)
            tally.check(got == c[3].intValue, c[0].stringValue ?? "", "got \(got)")
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }

    @Test(arguments: Fixtures.files)
    func getQueryStringOverride(file: String) throws {
        var tally = Tally(file, "getQueryStringOverride")
        for c in try Fixtures.cases(file, "getQueryStringOverride") {
            let got = queryStringOverride(
                id: c[1].stringValue ?? "", url: c[2].stringValue ?? "", variationCount: c[3].intValue ?? 0)
            tally.check(got == c[4].intValue, c[0].stringValue ?? "", "got \(String(describing: got))")
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }

    @Test(arguments: Fixtures.files)
    func inNamespace(file: String) throws {
        var tally = Tally(file, "inNamespace")
        for c in try Fixtures.cases(file, "inNamespace") {
            let got = Namespace(json: c[2])?.contains(userId: c[1].stringValue ?? "")
            tally.check(got == c[3].boolValue, c[0].stringValue ?? "", "got \(String(describing: got))")
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }

    @Test(arguments: Fixtures.files)
    func getEqualWeights(file: String) throws {
        var tally = Tally(file, "getEqualWeights")
        for c in try Fixtures.cases(file, "getEqualWeights") {
            let got = equalWeights(c[0].intValue ?? 0).map(Self.rounded)
            let expected = (c[1].arrayValue ?? []).map { Self.rounded($0.doubleValue ?? .nan) }
            tally.check(got == expected, "n=\(c[0].serialized)", "got \(got)")
        }
        tally.report()
        #expect(tally.failures.isEmpty)
    }
}

/// Categories of the fixture files this suite does not run, said out loud in the summary.
@Suite struct SkippedFixtureCategories {
    static let skipped: [(category: String, reason: String)] = [
        ("urlRedirect", "browser auto-experiments (URL redirects), not part of a server-side evaluator"),
    ]

    @Test(arguments: Fixtures.files)
    func skippedCategoriesAreNamed(file: String) throws {
        let all = try Fixtures.load(file)
        for (category, reason) in Self.skipped {
            let count = all[category]?.arrayValue?.count ?? 0
            #expect(count > 0, "\(file) has no \(category) cases any more; run them or drop this line")
            print("[fixtures] \(file) \(category): \(count) skipped: \(reason)")
        }
        // Every other category of the file has a test (decrypt: GrowthBookRemoteTests); a new
        // category shows up here.
        let known = Set(["specVersion", "decrypt", "evalCondition", "versionCompare", "hash", "getBucketRange", "feature", "run",
            "chooseVariation", "getQueryStringOverride", "inNamespace", "getEqualWeights", "stickyBucket", "contextualBandit"]
            + Self.skipped.map { $0.category })
        #expect(Set(all.keys).subtracting(known).isEmpty, "untested categories: \(Set(all.keys).subtracting(known))")
    }
}
