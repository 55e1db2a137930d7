/// A set of code points (or, for the JavaScript dialect's UTF-16 program, code units) as sorted,
/// disjoint, non-adjacent closed ranges: what a regex dialect's character class, case-folded
/// literal or `\w` matches, worked out by the translator and written out as one explicit PCRE2
/// class (`RegexPCRE2Writer`). Built while translating, never during an evaluation.
struct CodePointSet: Hashable, Sendable {
    /// lo, hi, lo, hi, ... (sorted, disjoint, non-adjacent).
    private(set) var bounds: [UInt32]

    static let maxCodePoint: UInt32 = 0x10FFFF
    static let empty = CodePointSet(normalized: [])
    static let all = CodePointSet(normalized: [0, maxCodePoint])

    private init(normalized: [UInt32]) { bounds = normalized }

    init(_ c: UInt32) { bounds = [c, c] }

    init(_ lo: UInt32, _ hi: UInt32) { bounds = lo <= hi ? [lo, hi] : [] }

    /// From a generated table: closed ranges, lo and hi in turn, already sorted and disjoint.
    init(table: [UInt32]) { self.init(ranges: table) }

    /// From closed ranges (lo, hi in turn) in any order, overlapping or not.
    init(ranges flat: [UInt32]) {
        var pairs: [(UInt32, UInt32)] = []
        pairs.reserveCapacity(flat.count / 2)
        var i = 0
        while i + 1 < flat.count {
            if flat[i] <= flat[i + 1] { pairs.append((flat[i], flat[i + 1])) }
            i += 2
        }
        self.init(pairs: pairs)
    }

    /// From single code points in any order.
    init(points: [UInt32]) { self.init(pairs: points.map { ($0, $0) }) }

    private init(pairs: [(UInt32, UInt32)]) {
        let sorted = pairs.sorted { $0.0 < $1.0 }
        var out: [UInt32] = []
        out.reserveCapacity(sorted.count * 2)
        for (lo, hi) in sorted {
            if let last = out.last, lo <= last || lo == last &+ 1 && last != UInt32.max {
                if hi > last { out[out.count - 1] = hi }
            } else {
                out.append(lo)
                out.append(hi)
            }
        }
        bounds = out
    }

    var isEmpty: Bool { bounds.isEmpty }
    var rangeCount: Int { bounds.count / 2 }

    /// The ranges, as (lo, hi).
    var ranges: [(lo: UInt32, hi: UInt32)] {
        stride(from: 0, to: bounds.count - 1, by: 2).map { (bounds[$0], bounds[$0 + 1]) }
    }

    /// The only member, when there is exactly one.
    var single: UInt32? { bounds.count == 2 && bounds[0] == bounds[1] ? bounds[0] : nil }

    func contains(_ c: UInt32) -> Bool {
        // The last range whose lo is <= c.
        var lo = 0
        var hi = bounds.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid * 2] <= c { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return false }
        return c <= bounds[(lo - 1) * 2 + 1]
    }

    func union(_ other: CodePointSet) -> CodePointSet {
        if other.isEmpty { return self }
        if isEmpty { return other }
        return CodePointSet(ranges: bounds + other.bounds)
    }

    /// The code points up to `limit` that are not in the set.
    func complement(upTo limit: UInt32 = maxCodePoint) -> CodePointSet {
        var out: [UInt32] = []
        var next: UInt32 = 0
        var done = false
        for (lo, hi) in ranges {
            if lo > limit { break }
            if lo > next { out.append(next); out.append(lo - 1) }
            if hi >= limit { done = true; break }
            next = hi + 1
        }
        if !done { out.append(next); out.append(limit) }
        return CodePointSet(normalized: out)
    }

    func intersection(_ other: CodePointSet) -> CodePointSet {
        var out: [UInt32] = []
        let a = ranges
        let b = other.ranges
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            let lo = Swift.max(a[i].lo, b[j].lo)
            let hi = Swift.min(a[i].hi, b[j].hi)
            if lo <= hi { out.append(lo); out.append(hi) }
            if a[i].hi < b[j].hi { i += 1 } else { j += 1 }
        }
        return CodePointSet(normalized: out)
    }

    func subtracting(_ other: CodePointSet) -> CodePointSet {
        intersection(other.complement(upTo: UInt32.max))
    }

    /// The code points `c` whose image `map(c)` is in the set, where `map` changes only the
    /// code points of `mapping.domain` (every other one maps to itself).
    func preimage(_ mapping: CodePointMapping) -> CodePointSet {
        var points: [UInt32] = []
        for (lo, hi) in ranges { mapping.forEachPair(imageIn: lo, hi) { c, _ in points.append(c) } }
        return subtracting(mapping.domain).union(CodePointSet(points: points))
    }

    /// The images of the members under `mapping`.
    func image(_ mapping: CodePointMapping) -> CodePointSet {
        var points: [UInt32] = []
        for (lo, hi) in ranges { mapping.forEachPair(keyIn: lo, hi) { _, image in points.append(image) } }
        guard !points.isEmpty else { return self }
        return subtracting(mapping.domain).union(CodePointSet(points: points))
    }
}

/// A map of code points that changes a few of them (a case mapping), from a generated table of
/// (code point, image) pairs.
struct CodePointMapping: Sendable {
    /// (code point, image), sorted by code point; and the same sorted by image.
    let pairs: [(UInt32, UInt32)]
    private let byImage: [(UInt32, UInt32)]
    let domain: CodePointSet
    /// The code points mapped onto each image.
    private let inverse: [UInt32: [UInt32]]
    private let forward: [UInt32: UInt32]

    /// `table`: a code point and its image in turn.
    init(table: [UInt32]) {
        var pairs: [(UInt32, UInt32)] = []
        var i = 0
        while i + 1 < table.count {
            pairs.append((table[i], table[i + 1]))
            i += 2
        }
        self.init(pairs: pairs)
    }

    init(pairs: [(UInt32, UInt32)]) {
        self.pairs = pairs.sorted { $0.0 < $1.0 }
        byImage = pairs.sorted { $0.1 < $1.1 }
        domain = CodePointSet(points: pairs.map { $0.0 })
        var inverse: [UInt32: [UInt32]] = [:]
        var forward: [UInt32: UInt32] = [:]
        for (c, image) in pairs {
            inverse[image, default: []].append(c)
            forward[c] = image
        }
        self.inverse = inverse
        self.forward = forward
    }

    func callAsFunction(_ c: UInt32) -> UInt32 { forward[c] ?? c }

    /// Whether the map changes `c`.
    func changes(_ c: UInt32) -> Bool { forward[c] != nil }

    /// The code points mapped onto `image` (itself included when the map keeps it).
    func preimage(of image: UInt32) -> [UInt32] {
        var out = inverse[image] ?? []
        if forward[image] == nil { out.append(image) }
        return out
    }

    /// Calls `body` with each pair whose code point is in lo...hi.
    func forEachPair(keyIn lo: UInt32, _ hi: UInt32, _ body: (UInt32, UInt32) -> Void) {
        var k = Self.lowerBound(pairs, lo) { $0.0 }
        while k < pairs.count && pairs[k].0 <= hi {
            body(pairs[k].0, pairs[k].1)
            k += 1
        }
    }

    /// Calls `body` with each pair whose image is in lo...hi.
    func forEachPair(imageIn lo: UInt32, _ hi: UInt32, _ body: (UInt32, UInt32) -> Void) {
        var k = Self.lowerBound(byImage, lo) { $0.1 }
        while k < byImage.count && byImage[k].1 <= hi {
            body(byImage[k].0, byImage[k].1)
            k += 1
        }
    }

    private static func lowerBound(_ a: [(UInt32, UInt32)], _ v: UInt32, _ key: ((UInt32, UInt32)) -> UInt32) -> Int {
        var lo = 0
        var hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if key(a[mid]) < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
