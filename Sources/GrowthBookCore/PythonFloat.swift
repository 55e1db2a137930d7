// Python's `float()` of a string, which the reference's comparisons apply to strings compared
// with numbers.

/// Python's `float(str)`: surrounding whitespace allowed, decimal or exponent notation,
/// `inf`/`infinity`/`nan` in any case, `_` between digits. No hex. Python first rewrites a
/// string's non-ASCII characters (`_PyUnicode_TransformDecimalAndSpaceToASCII`): a Unicode
/// decimal digit as its ASCII digit (`float("١٢")` is 12.0), Unicode whitespace as a space;
/// any other non-ASCII character makes the text invalid.
func parsePythonFloat(_ s: String) -> Double? {
    var bytes: ArraySlice<UInt8>
    if s.utf8.allSatisfy({ $0 < 0x80 }) {
        bytes = Array(s.utf8)[...]
    } else {
        var ascii: [UInt8] = []
        ascii.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            if scalar.value < 0x80 {
                ascii.append(UInt8(truncatingIfNeeded: scalar.value))
            } else if let d = pythonDecimalDigit(scalar.value) {
                ascii.append(0x30 + d)
            } else if isPythonUnicodeSpace(scalar.value) {
                ascii.append(0x20)
            } else {
                return nil
            }
        }
        bytes = ascii[...]
    }
    while let f = bytes.first, isPythonSpace(f) { bytes.removeFirst() }
    while let l = bytes.last, isPythonSpace(l) { bytes.removeLast() }
    guard !bytes.isEmpty else { return nil }
    var cleaned: [UInt8] = []
    cleaned.reserveCapacity(bytes.count)
    var previous: UInt8 = 0
    let list = Array(bytes)
    for (i, b) in list.enumerated() {
        if b == UInt8(ascii: "_") {
            // Only allowed between two digits.
            let next: UInt8 = i + 1 < list.count ? list[i + 1] : 0
            guard isASCIIDigit(previous), isASCIIDigit(next) else { return nil }
            previous = b
            continue
        }
        if b == UInt8(ascii: "x") || b == UInt8(ascii: "X") || b == UInt8(ascii: "p") || b == UInt8(ascii: "P") {
            return nil
        }
        cleaned.append(b)
        previous = b
    }
    return Double(String(decoding: cleaned, as: UTF8.self))
}

/// The value of a Unicode decimal digit (general category Nd, Unicode 14.0 as Python 3.11 has
/// it), which Python's `int()`, `float()` and `str.isdecimal()` accept in any script; nil for
/// any other scalar. Every Nd digit belongs to a run of ten, 0 to 9, so the table holds the
/// zeros only.
func pythonDecimalDigit(_ scalar: UInt32) -> UInt8? {
    var lo = 0
    var hi = decimalDigitZeros.count
    // The last zero not above `scalar`.
    while lo < hi {
        let mid = lo + (hi - lo) / 2
        if decimalDigitZeros[mid] <= scalar { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0 else { return nil }
    let offset = scalar &- decimalDigitZeros[lo - 1]
    return offset < 10 ? UInt8(truncatingIfNeeded: offset) : nil
}

/// The first code point of each run of Nd digits (from Python 3.11's `unicodedata.decimal`).
private let decimalDigitZeros: [UInt32] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
]

/// The non-ASCII characters Python's `str.isspace()` holds (which `float()` reads as spaces).
private func isPythonUnicodeSpace(_ c: UInt32) -> Bool {
    switch c {
    case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
    default: return false
    }
}

private func isPythonSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0d) }
private func isASCIIDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
