/// A half-open bucket range [start, end).
public struct BucketRange: Sendable, Equatable {
    public var start: Double
    public var end: Double

    public init(_ start: Double, _ end: Double) {
        self.start = start
        self.end = end
    }

    @inlinable
    public func contains(_ n: Double) -> Bool { start <= n && n < end }

    public var json: JSON { .array([.double(start), .double(end)]) }

    /// Reads `[start, end]`; anything else is `nil`.
    public init?(json: JSON) {
        guard case .array(let a) = json, a.count >= 2, let s = a[0].doubleValue, let e = a[1].doubleValue else {
            return nil
        }
        self.init(s, e)
    }
}

/// `n` weights of `1/n` each; empty for `n < 1`.
public func equalWeights(_ n: Int) -> [Double] {
    guard n >= 1 else { return [] }
    return [Double](repeating: 1 / Double(n), count: n)
}

/// The bucket ranges for `count` variations: coverage clamped to [0, 1], and equal weights when
/// the weights are missing, of the wrong count, or do not sum to 1 (±0.01).
public func bucketRanges(count: Int, coverage: Double = 1, weights: [Double]? = nil) -> [BucketRange] {
    let coverage = coverage.isNaN ? 0 : min(max(coverage, 0), 1)
    var w = weights ?? equalWeights(count)
    if w.count != count { w = equalWeights(count) }
    var sum = 0.0
    for x in w { sum += x }
    if !(sum >= 0.99 && sum <= 1.01) { w = equalWeights(count) }
    var cumulative = 0.0
    var ranges: [BucketRange] = []
    ranges.reserveCapacity(w.count)
    for x in w {
        let start = cumulative
        cumulative += x
        ranges.append(BucketRange(start, start + coverage * x))
    }
    return ranges
}

/// The index of the first range containing `n`, or -1.
public func chooseVariation(_ n: Double, ranges: [BucketRange]) -> Int {
    for (i, r) in ranges.enumerated() where r.contains(n) { return i }
    return -1
}

/// A namespace: users whose namespace hash falls in [start, end) are in it.
public struct Namespace: Sendable, Equatable {
    public let id: String
    public let start: Double
    public let end: Double
    /// `"__" + id`, the seed the namespace hash uses.
    private let seed: HashSeed

    public init(id: String, start: Double, end: Double) {
        self.id = id
        self.start = start
        self.end = end
        seed = HashSeed("__" + id)
    }

    /// Reads `["id", start, end]`.
    public init?(json: JSON) {
        guard case .array(let a) = json, a.count >= 3, let id = a[0].stringValue,
            let s = a[1].doubleValue, let e = a[2].doubleValue
        else { return nil }
        self.init(id: id, start: s, end: e)
    }

    public func contains(userId: String) -> Bool {
        guard let n = gbHash(seed: seed, value: userId, version: 1) else { return false }
        return start <= n && n < end
    }
}
