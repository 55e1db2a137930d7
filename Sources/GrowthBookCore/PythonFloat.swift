// Python's `float()` of a string, which the reference's comparisons apply to strings compared
// with numbers.

/// Python's `float(str)`: surrounding whitespace allowed, decimal or exponent notation,
/// `inf`/`infinity`/`nan` in any case, `_` between digits. No hex.
func parsePythonFloat(_ s: String) -> Double? {
    var bytes = Array(s.utf8)[...]
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

private func isPythonSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0d) }
private func isASCIIDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
