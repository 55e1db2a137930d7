// JavaScript's semantics (the JS SDK's) on document values, for the js semantics: truthiness
// and ToString, as ECMAScript defines them for the values JSON can hold.

extension Val {
    /// Whether a hash attribute's value is one (not none), as `style` decides.
    @inline(__always)
    func hasHashValue(_ style: HashValueStyle) -> Bool { style == .js ? isJSTruthy : isTruthy }

    /// JavaScript's `Boolean(value)`: null, false, 0, -0, NaN and "" are false; every array
    /// and object is true (Python's `bool` makes [] and {} false).
    var isJSTruthy: Bool {
        switch kind {
        case .null, .false: return false
        case .true, .array, .object: return true
        case .int: return int != 0
        case .double: return double != 0 && !double.isNaN
        case .string: return count > 0
        }
    }

    /// JavaScript's `String(value)` (ToString): numbers as Number::toString, true/false,
    /// "null", an array's elements joined with "," (null elements as ""), an object as
    /// "[object Object]".
    var jsString: String {
        switch kind {
        case .null: return "null"
        case .false: return "false"
        case .true: return "true"
        case .int: return jsNumberString(Double(int))
        case .double: return jsNumberString(double)
        case .string: return bytes.string
        case .object: return "[object Object]"
        case .array:
            var parts: [String] = []
            parts.reserveCapacity(count)
            for i in 0..<count {
                let e = element(i)
                parts.append(e.kind == .null ? "" : e.jsString)
            }
            return parts.joined(separator: ",")
        }
    }
}

/// ECMAScript's Number::toString(x): the shortest digits that round-trip, in plain notation
/// for decimal exponents from -6 to 20 and in exponential notation (`1e+21`, `1.5e-7`)
/// otherwise; -0 is "0". JSON numbers are doubles in JavaScript, so an integer above 2^53
/// prints as the double nearest it.
func jsNumberString(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x == 0 { return "0" }
    if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
    if x < 0 { return "-" + jsNumberString(-x) }
    // Swift's description has the shortest round-trip digits too ("1.5e+20", "0.001",
    // "123.0"): read the digits and the decimal exponent off it.
    let text = Array("\(x)".utf8)
    var digits: [UInt8] = []
    var pointAt = -1
    var exponent = 0
    var i = 0
    while i < text.count, text[i] != UInt8(ascii: "e") {
        if text[i] == UInt8(ascii: ".") { pointAt = digits.count } else { digits.append(text[i]) }
        i += 1
    }
    if i < text.count {
        var sign = 1
        var j = i + 1
        if j < text.count, text[j] == UInt8(ascii: "-") || text[j] == UInt8(ascii: "+") {
            if text[j] == UInt8(ascii: "-") { sign = -1 }
            j += 1
        }
        var e = 0
        while j < text.count {
            e = e &* 10 &+ Int(text[j] &- UInt8(ascii: "0"))
            j += 1
        }
        exponent = sign * e
    }
    if pointAt < 0 { pointAt = digits.count }
    // value = 0.d1d2… × 10^n with n = pointAt + exponent; drop leading and trailing zeros.
    var n = pointAt + exponent
    var lead = 0
    while lead < digits.count - 1, digits[lead] == UInt8(ascii: "0") {
        lead += 1
        n -= 1
    }
    digits.removeFirst(lead)
    while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
    let k = digits.count
    let d = String(decoding: digits, as: UTF8.self)
    if k <= n && n <= 21 { return d + String(repeating: "0", count: n - k) }
    if 0 < n && n <= 21 {
        return String(decoding: digits[..<n], as: UTF8.self) + "." + String(decoding: digits[n...], as: UTF8.self)
    }
    if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + d }
    let e = n - 1
    let exp = (e < 0 ? "e-" : "e+") + String(e.magnitude)
    if k == 1 { return d + exp }
    return String(decoding: digits[..<1], as: UTF8.self) + "." + String(decoding: digits[1...], as: UTF8.self) + exp
}
