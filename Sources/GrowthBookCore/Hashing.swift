/// FNV-1a, 32-bit, over Unicode scalar values (the reference hashes Python `str` characters,
/// i.e. code points, not UTF-8 bytes). ASCII, where bytes and code points agree, is hashed
/// straight from the UTF-8 bytes.
@inline(__always)
func fnv1a32(_ s: String, into hash: inout UInt32) {
    // Native strings are contiguous UTF-8: hash the bytes straight from storage.
    let fast: Bool? = s.utf8.withContiguousStorageIfAvailable { bytes in
        var h = hash
        for b in bytes {
            if b >= 0x80 { return false }
            h = (h ^ UInt32(b)) &* 0x0100_0193
        }
        hash = h
        return true
    }
    if fast == true { return }
    let start = hash
    var ascii = true
    for b in s.utf8 {
        if b >= 0x80 {
            ascii = false
            break
        }
        hash = (hash ^ UInt32(b)) &* 0x0100_0193
    }
    if ascii { return }
    hash = start
    for scalar in s.unicodeScalars {
        hash = (hash ^ scalar.value) &* 0x0100_0193
    }
}

let fnvOffsetBasis: UInt32 = 0x811C_9DC5

/// FNV-1a, 32-bit, over bytes (UTF-8: object keys, paths, strings of documents). Hash v1 and
/// v2 hash code points instead (`fnv1a32`).
@inline(__always)
func fnv1a<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    var h = fnvOffsetBasis
    for b in bytes { h = (h ^ UInt32(b)) &* 0x0100_0193 }
    return h
}

/// A hash seed with its FNV-1a state computed once (when features are compiled): hash
/// version 2 hashes the seed first, so evaluations start from `state`.
public struct HashSeed: Sendable, Equatable {
    public let string: String
    let state: UInt32

    public init(_ string: String) {
        self.string = string
        var h = fnvOffsetBasis
        fnv1a32(string, into: &h)
        state = h
    }
}

/// The GrowthBook hash: a number in [0, 1) from a seed and a value, or `nil` for an
/// unsupported hash version. No string is built: the seed and value are hashed in place.
public func gbHash(seed: String, value: String, version: Int) -> Double? {
    gbHash(seed: HashSeed(seed), value: value, version: version)
}

public func gbHash(seed: HashSeed, value: String, version: Int) -> Double? {
    switch version {
    case 2:
        var h = seed.state
        fnv1a32(value, into: &h)
        return secondRound(h)
    case 1:
        var h = fnvOffsetBasis
        fnv1a32(value, into: &h)
        fnv1a32(seed.string, into: &h)
        return Double(h % 1000) / 1000
    default:
        return nil
    }
}

/// A payload's `hashVersion`: its integer value, 1 when it is missing, 0 or not an integer (the
/// reference's `hashVersion or 1`). Versions other than 1 and 2 make `gbHash` return nil.
func hashVersionOf(_ json: JSON?, js: Bool = false) -> Int {
    // `hashVersion or 1` (Python) / `hashVersion || 1` (JS): a falsy value is 1; any other is
    // compared with 1 and 2 as it is, so a string, `[]` or 2.5 is an unknown version (0, no
    // hash: not in the experiment). Python's True equals 1.
    guard let json, js ? json.isJSTruthy : json.isTruthy else { return 1 }
    if !js, case .bool(true) = json { return 1 }
    return json.isNumber ? json.intValue ?? 0 : 0
}

/// `fnv1a32` over the code points of UTF-8 bytes (valid UTF-8: documents are built from
/// Strings), ASCII straight from the bytes; with `utf16`, over UTF-16 code units (as
/// JavaScript's `charCodeAt`: a code point above U+FFFF is its two surrogates).
@inline(__always)
func fnv1a32(bytes s: ByteSpan, into hash: inout UInt32, utf16: Bool = false) {
    s.withBuffer { b in
        var h = hash
        var i = 0
        let n = b.count
        while i < n {
            let x = b[i]
            if x >= 0x80 { break }
            h = (h ^ UInt32(x)) &* 0x0100_0193
            i &+= 1
        }
        if i == n {
            hash = h
            return
        }
        // Decode the rest into scalars (valid UTF-8: widths and continuation bytes are sound).
        while i < n {
            let b0 = UInt32(b[i])
            var scalar: UInt32
            var width: Int
            if b0 < 0x80 {
                scalar = b0
                width = 1
            } else if b0 < 0xE0 {
                scalar = b0 & 0x1F
                width = 2
            } else if b0 < 0xF0 {
                scalar = b0 & 0x0F
                width = 3
            } else {
                scalar = b0 & 0x07
                width = 4
            }
            var k = 1
            while k < width && i &+ k < n {
                scalar = scalar << 6 | (UInt32(b[i &+ k]) & 0x3F)
                k &+= 1
            }
            if utf16 && scalar > 0xFFFF {
                let v = scalar &- 0x10000
                h = (h ^ (0xD800 | v >> 10)) &* 0x0100_0193
                h = (h ^ (0xDC00 | v & 0x3FF)) &* 0x0100_0193
            } else {
                h = (h ^ scalar) &* 0x0100_0193
            }
            i &+= width
        }
        hash = h
    }
}

/// A hash seed stored in a snapshot: its bytes and its FNV-1a state (as `HashSeed`).
struct SeedRef: FlatRecord {
    var bytes: StringRef
    var state: UInt32

    static var none: SeedRef { SeedRef(bytes: .none, state: fnvOffsetBasis) }
}

/// `gbHash` on bytes: the seed's bytes and state, the value's bytes; `utf16` as in
/// `fnv1a32(bytes:into:utf16:)` (the seed's state was computed the same way).
func gbHash(seed: ByteSpan, seedState: UInt32, value: ByteSpan, version: Int, utf16: Bool = false) -> Double? {
    switch version {
    case 2:
        var h = seedState
        fnv1a32(bytes: value, into: &h, utf16: utf16)
        return secondRound(h)
    case 1:
        var h = fnvOffsetBasis
        fnv1a32(bytes: value, into: &h, utf16: utf16)
        fnv1a32(bytes: seed, into: &h, utf16: utf16)
        return Double(h % 1000) / 1000
    default:
        return nil
    }
}

/// Hash v2's second round: the decimal digits of the first hash, most significant first.
@inline(__always)
func secondRound(_ first: UInt32) -> Double {
    // The digits are taken least significant first (division by the constant 10 is a
    // multiplication) into nibbles that come out in the order they are hashed.
    var n = first
    var digits: UInt64 = 0
    var count = 0
    // Two digits a step while at least two remain (one division by the constant 100).
    while n >= 100 {
        let pair = n % 100
        digits = digits << 8 | UInt64(pair % 10) << 4 | UInt64(pair / 10)
        n /= 100
        count &+= 2
    }
    if n >= 10 {
        digits = digits << 8 | UInt64(n % 10) << 4 | UInt64(n / 10)
        count &+= 2
    } else {
        digits = digits << 4 | UInt64(n)
        count &+= 1
    }
    var h2 = fnvOffsetBasis
    for _ in 0..<count {
        h2 = (h2 ^ (UInt32(truncatingIfNeeded: digits & 0xF) &+ 0x30)) &* 0x0100_0193
        digits >>= 4
    }
    return Double(h2 % 10000) / 10000
}
