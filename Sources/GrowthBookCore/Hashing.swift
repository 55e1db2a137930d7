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

/// The GrowthBook hash: a number in [0, 1) from a seed and a value, or `nil` for an
/// unsupported hash version. No string is built: the seed and value are hashed in place.
public func gbHash(seed: String, value: String, version: Int) -> Double? {
    switch version {
    case 2:
        var h = fnvOffsetBasis
        fnv1a32(seed, into: &h)
        fnv1a32(value, into: &h)
        // Second round hashes the decimal digits of the first.
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var n = h
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[count] = UInt8(truncatingIfNeeded: n % 10)
                n /= 10
                count += 1
            } while n > 0 && count < 10
            var h2 = fnvOffsetBasis
            var i = count - 1
            while i >= 0 {
                h2 = (h2 ^ (UInt32(buf[i]) + 0x30)) &* 0x0100_0193
                i -= 1
            }
            n = h2
        }
        return Double(n % 10000) / 10000
    case 1:
        var h = fnvOffsetBasis
        fnv1a32(value, into: &h)
        fnv1a32(seed, into: &h)
        return Double(h % 1000) / 1000
    default:
        return nil
    }
}
