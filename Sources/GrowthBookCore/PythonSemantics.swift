// The reference SDK is Python; conditions compare values the way Python's operators do.
// These helpers reproduce exactly the parts of Python's semantics the reference relies on.

extension JSON {
    /// Python's `float(value)` for the values `compare` converts, with `None` as 0 (the reference
    /// substitutes 0 for a missing value before converting). `nil` where Python would raise.
    var pythonFloat: Double? {
        switch self {
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return parsePythonFloat(s)
        case .array, .object: return nil
        }
    }
}

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

/// The reference's `compare(a, b)`: if exactly one side is a number, the other is converted with
/// `float()` (`None` as 0); then Python ordering. Returns -1, 0 or 1, or `nil` where Python raises
/// (the reference then treats the operator as failed).
func pythonCompare(_ a: JSON, _ b: JSON) -> Int? {
    var a = a
    var b = b
    if a.isNumber && !b.isNumber {
        guard let x = b.pythonFloat else { return nil }
        b = .double(x)
    } else if b.isNumber && !a.isNumber {
        guard let x = a.pythonFloat else { return nil }
        a = .double(x)
    }
    return pythonOrder(a, b)
}

/// Python's `>` then `<` between two values, as -1/0/1; `nil` for unorderable types.
func pythonOrder(_ a: JSON, _ b: JSON) -> Int? {
    switch (a, b) {
    case (.int(let x), .int(let y)):
        return x > y ? 1 : (x < y ? -1 : 0)
    case (.string(let x), .string(let y)):
        if x.utf8.elementsEqual(y.utf8) { return 0 }
        return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
    case (.array(let x), .array(let y)):
        // Lexicographic: the first unequal pair decides, else the shorter list is smaller.
        var i = 0
        while i < x.count && i < y.count {
            if !pythonEquals(x[i], y[i]) { return pythonOrder(x[i], y[i]) }
            i += 1
        }
        return x.count > y.count ? 1 : (x.count < y.count ? -1 : 0)
    default:
        guard let x = a.orderableNumber, let y = b.orderableNumber else { return nil }
        // NaN compares neither greater nor less, so Python's compare() gives 0.
        return x > y ? 1 : (x < y ? -1 : 0)
    }
}

extension JSON {
    /// Numbers and booleans (a Python bool is an int) as a Double for ordering.
    var orderableNumber: Double? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}

/// Python's `==` between two values as the reference holds them: a bool is an int there, so
/// `True == 1 == 1.0`; numbers compare by value; strings by code points; lists and dicts
/// element by element.
func pythonEquals(_ a: JSON, _ b: JSON) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.string(let x), .string(let y)): return codePointsEqual(x, y)
    case (.int(let x), .int(let y)): return x == y
    case (.array(let x), .array(let y)):
        guard x.count == y.count else { return false }
        for i in 0..<x.count where !pythonEquals(x[i], y[i]) { return false }
        return true
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        for (k, v) in x.pairs {
            guard let w = y[k], pythonEquals(v, w) else { return false }
        }
        return true
    default:
        guard let x = a.orderableNumber, let y = b.orderableNumber else { return false }
        return x == y
    }
}

extension JSON {
    /// The value as Python would hash it for set membership: booleans as the ints they are.
    var pythonHashKey: JSON {
        if case .bool(let b) = self { return .int(b ? 1 : 0) }
        return self
    }
}
