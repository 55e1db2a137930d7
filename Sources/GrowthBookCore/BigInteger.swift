// Integers beyond 64 bits, which Python's `json` keeps exact (`JSON.bigInteger`): compared with
// other numbers exactly, as Python compares ints with ints and floats, on the literal's bytes.

extension JSON {
    /// The longest integer literal kept exact: Python 3.11 refuses to convert longer ones
    /// (`sys.get_int_max_str_digits()`); longer literals are read as Doubles.
    public static let maxBigIntegerDigits = 4300
}

/// Comparisons of an integer literal beyond 64 bits ("-"? digits, no leading zeros) with other
/// numbers: -1, 0 or 1.
enum BigInteger {
    /// `a` against `b`, both such literals.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let na = a.first == UInt8(ascii: "-")
        let nb = b.first == UInt8(ascii: "-")
        if na != nb { return na ? -1 : 1 }
        let magnitude = compareMagnitudes(digits(a), digits(b))
        return na ? -magnitude : magnitude
    }

    /// A literal against an Int64: the literal is beyond Int64, so its sign decides.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ i: Int64) -> Int {
        a.first == UInt8(ascii: "-") ? -1 : 1
    }

    /// A literal (whose nearest Double is `approximation`) against `d`; 0 for NaN, as the
    /// reference's `compare()` (neither `>` nor `<`) has it.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, approximation: Double, _ d: Double) -> Int {
        if d.isNaN { return 0 }
        // Rounding is monotonic: a literal whose Double is above (below) d is above (below) d.
        if approximation != d { return approximation > d ? 1 : -1 }
        // Equal Doubles: d is an integer of at least 2^63 in magnitude; compare its digits.
        let negative = a.first == UInt8(ascii: "-")
        if negative != (d < 0) { return negative ? -1 : 1 }
        let magnitude = withDecimalDigits(of: d.magnitude) { compareMagnitudes(digits(a), $0) }
        return negative ? -magnitude : magnitude
    }

    /// `a` against an Int64 or a Double's exact value, for a literal that may be either
    /// (Python's int-to-float comparison is exact; Double(i) is not past 2^53).
    static func compare(_ i: Int64, _ d: Double) -> Int {
        if d.isNaN { return 0 }
        if d >= 0x1p63 { return -1 }
        if d < -0x1p63 { return 1 }
        let whole = d.rounded(.towardZero)
        let w = Int64(whole)  // within Int64: checked above
        if i != w { return i > w ? 1 : -1 }
        return d > whole ? -1 : (d < whole ? 1 : 0)
    }

    private static func digits(_ literal: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        literal.first == UInt8(ascii: "-") ? UnsafeBufferPointer(rebasing: literal.dropFirst()) : literal
    }

    /// Decimal digit strings without leading zeros: longer is larger, then by bytes.
    private static func compareMagnitudes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        if a.count != b.count { return a.count > b.count ? 1 : -1 }
        for i in 0..<a.count where a[i] != b[i] { return a[i] > b[i] ? 1 : -1 }
        return 0
    }

    /// The exact decimal digits of an integral, finite, non-negative Double (at most 309),
    /// on the stack: its significand doubled `exponent` times in base 10^9 limbs.
    static func withDecimalDigits<R>(of d: Double, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard d.isFinite, d >= 1 else {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { z in
                z[0] = 0x30
                return body(UnsafeBufferPointer(z))
            }
        }
        let exponent = Int(d.exponent) - Double.significandBitCount
        var significand = d.significandBitPattern | (d.isNormal ? 1 << UInt64(Double.significandBitCount) : 0)
        var shift = exponent
        // Integral: a negative exponent only drops zero bits.
        while shift < 0 && significand != 0 {
            significand >>= 1
            shift += 1
        }
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 40) { limbs in
            // little-endian base 10^9
            var count = 0
            var s = significand
            repeat {
                limbs[count] = UInt32(s % 1_000_000_000)
                s /= 1_000_000_000
                count += 1
            } while s != 0 && count < 40
            var doublings = max(0, shift)
            while doublings > 0 {
                var carry: UInt64 = 0
                for i in 0..<count {
                    let v = UInt64(limbs[i]) * 2 + carry
                    limbs[i] = UInt32(v % 1_000_000_000)
                    carry = v / 1_000_000_000
                }
                if carry != 0 && count < 40 {
                    limbs[count] = UInt32(carry)
                    count += 1
                }
                doublings -= 1
            }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 9 * 40) { text in
                var n = 0
                var i = count - 1
                var leading = true
                while i >= 0 {
                    var limb = limbs[i]
                    var chunk: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
                    withUnsafeMutableBytes(of: &chunk) { c in
                        for k in stride(from: 8, through: 0, by: -1) {
                            c[k] = UInt8(limb % 10) + 0x30
                            limb /= 10
                        }
                        for k in 0..<9 {
                            if leading && c[k] == 0x30 && !(i == 0 && k == 8) { continue }
                            leading = false
                            text[n] = c[k]
                            n += 1
                        }
                    }
                    i -= 1
                }
                return body(UnsafeBufferPointer(rebasing: text[0..<n]))
            }
        }
    }
}

extension JSON {
    /// `.bigInteger(digits)` against a Double, exactly (0 when equal).
    static func compareBigInteger(_ digits: String, _ d: Double) -> Int {
        var text = digits
        let approximation = Double(digits) ?? 0
        return text.withUTF8 { BigInteger.compare($0, approximation: approximation, d) }
    }
}
