// JavaScript's semantics (the JS SDK's) on document values, for the js semantics: truthiness
// and ToString, as ECMAScript defines them for the values JSON can hold.

extension JSON {
    /// JavaScript's `Boolean(value)` (`Val.isJSTruthy`).
    var isJSTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0 && !d.isNaN
        case .string(let s): return !s.isEmpty
        case .array, .object: return true
        }
    }
}

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

/// JavaScript's `a === b` on document values: numbers by value (an integer and a double
/// equal when their doubles do, NaN equals nothing, -0 equals 0), strings by their bytes,
/// booleans and null by kind; an array or object is never `===` another value (a condition's
/// operand is a distinct object).
func jsStrictEquals(_ a: Val, _ b: Val) -> Bool {
    switch (a.kind, b.kind) {
    case (.null, .null), (.true, .true), (.false, .false): return true
    case (.string, .string): return a.bytes == b.bytes
    case (.int, .int): return Double(a.int) == Double(b.int)
    case (.int, .double): return Double(a.int) == b.double
    case (.double, .int): return a.double == Double(b.int)
    case (.double, .double): return a.double == b.double
    default: return false
    }
}

/// JavaScript's `a < b`, `a <= b`, `a > b`, `a >= b` (the Abstract Relational Comparison):
/// both sides to primitives (an array is its elements joined with ",", an object
/// "[object Object]"); two strings compare by UTF-16 code units; anything else as numbers
/// (ToNumber: null 0, true 1, a string by JavaScript's numeric grammar), false when either is
/// NaN. `$eq` and `$ne` are strict (`jsStrictEquals`).
func jsRelational(_ kind: ComparisonKind, _ a: Val, _ b: Val) -> Bool {
    switch kind {
    case .eq: return jsStrictEquals(a, b)
    case .ne: return !jsStrictEquals(a, b)
    default: break
    }
    let pa = JSPrimitive(a)
    let pb = JSPrimitive(b)
    let order: Int
    if case .string(let x) = pa, case .string(let y) = pb {
        order = x.utf16.elementsEqual(y.utf16) ? 0 : (x.utf16.lexicographicallyPrecedes(y.utf16) ? -1 : 1)
    } else {
        let x = pa.number
        let y = pb.number
        if x.isNaN || y.isNaN { return false }
        order = x < y ? -1 : (x > y ? 1 : 0)
    }
    switch kind {
    case .lt: return order < 0
    case .lte: return order <= 0
    case .gt: return order > 0
    case .gte: return order >= 0
    case .eq, .ne: return false
    }
}

/// A value after ToPrimitive: a string, or something ToNumber reads directly.
private enum JSPrimitive {
    case string(String)
    case number(Double)

    init(_ v: Val) {
        switch v.kind {
        case .null, .false: self = .number(0)
        case .true: self = .number(1)
        case .int: self = .number(Double(v.int))
        case .double: self = .number(v.double)
        case .string: self = .string(v.bytes.string)
        case .array, .object: self = .string(v.jsString)
        }
    }

    var number: Double {
        switch self {
        case .number(let d): return d
        case .string(let s): return jsStringToNumber(s)
        }
    }
}

/// JavaScript's StringToNumber: surrounding white space ignored; "" is 0; "Infinity" with an
/// optional sign; 0x, 0o and 0b integers; decimal literals (an optional sign, digits with an
/// optional fraction, or a fraction alone, an optional exponent); anything else NaN (no "inf",
/// "nan", "_" or hexadecimal fractions, which Swift's Double(String) would accept).
func jsStringToNumber(_ s: String) -> Double {
    let scalars = Array(s.unicodeScalars)
    var lo = 0
    var hi = scalars.count
    while lo < hi, isJSWhiteSpace(scalars[lo]) { lo += 1 }
    while hi > lo, isJSWhiteSpace(scalars[hi - 1]) { hi -= 1 }
    if lo == hi { return 0 }
    let t = String(String.UnicodeScalarView(scalars[lo..<hi]))
    switch t {
    case "Infinity", "+Infinity": return .infinity
    case "-Infinity": return -.infinity
    default: break
    }
    let b = Array(t.utf8)
    if b.count > 2, b[0] == UInt8(ascii: "0") {
        let radix: Int?
        switch b[1] | 0x20 {
        case UInt8(ascii: "x"): radix = 16
        case UInt8(ascii: "o"): radix = 8
        case UInt8(ascii: "b"): radix = 2
        default: radix = nil
        }
        if let radix {
            var value = 0.0
            for c in b[2...] {
                guard let d = Int(String(UnicodeScalar(c)), radix: radix) else { return .nan }
                value = value * Double(radix) + Double(d)
            }
            return value
        }
    }
    // [+-] (digits [. digits?] | . digits) ([eE] [+-] digits)?
    var i = 0
    if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
    func digits() -> Int {
        let start = i
        while i < b.count, b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") { i += 1 }
        return i - start
    }
    var mantissa = digits()
    if i < b.count, b[i] == UInt8(ascii: ".") {
        i += 1
        mantissa += digits()
    }
    guard mantissa > 0 else { return .nan }
    if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        guard digits() > 0 else { return .nan }
    }
    guard i == b.count else { return .nan }
    return Double(t) ?? .nan
}

/// JavaScript's WhiteSpace and LineTerminator code points.
func jsIsWhiteSpace(_ c: Unicode.Scalar) -> Bool { isJSWhiteSpace(c) }

private func isJSWhiteSpace(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
        0xFEFF:
        return true
    default:
        return false
    }
}

extension Val {
    /// JavaScript's `Number(value)` (ToNumber): null and false 0, true 1, a string by
    /// JavaScript's numeric grammar, an array or object through its string.
    var jsNumber: Double {
        switch kind {
        case .null, .false: return 0
        case .true: return 1
        case .int: return Double(int)
        case .double: return double
        case .string: return jsStringToNumber(bytes.string)
        case .array, .object: return jsStringToNumber(jsString)
        }
    }

    /// JavaScript's `JSON.stringify(value)`: numbers as Number::toString (NaN and infinities as
    /// null), members in their order, no white space.
    var jsJSON: String {
        var out = ""
        writeJSJSON(to: &out)
        return out
    }

    fileprivate func writeJSJSON(to out: inout String) {
        switch kind {
        case .null: out += "null"
        case .false: out += "false"
        case .true: out += "true"
        case .int: out += jsNumberString(Double(int))
        case .double: out += double.isFinite ? jsNumberString(double) : "null"
        case .string: appendJSJSONString(bytes.string, to: &out)
        case .array:
            out += "["
            for i in 0..<count {
                if i > 0 { out += "," }
                element(i).writeJSJSON(to: &out)
            }
            out += "]"
        case .object:
            out += "{"
            for i in 0..<count {
                if i > 0 { out += "," }
                let m = member(i)
                appendJSJSONString(m.key.bytes.string, to: &out)
                out += ":"
                m.value.writeJSJSON(to: &out)
            }
            out += "}"
        }
    }
}

extension JSON {
    /// `Val.jsJSON` of a tree (a condition's operand, when compiled).
    var jsJSON: String {
        var out = ""
        writeJSJSON(to: &out)
        return out
    }

    private func writeJSJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += jsNumberString(Double(i))
        case .double(let d): out += d.isFinite ? jsNumberString(d) : "null"
        case .string(let s): appendJSJSONString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, e) in items.enumerated() {
                if i > 0 { out += "," }
                e.writeJSJSON(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in o.pairs.enumerated() {
                if i > 0 { out += "," }
                appendJSJSONString(k, to: &out)
                out += ":"
                v.writeJSJSON(to: &out)
            }
            out += "}"
        }
    }
}

/// A string as JSON.stringify writes it: `"` and `\` escaped, \b \f \n \r \t, other control
/// characters as \u00xx, everything else as it is.
private func appendJSJSONString(_ s: String, to out: inout String) {
    out += "\""
    for c in s.unicodeScalars {
        switch c.value {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0..<0x20:
            let hex = String(c.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(c)
        }
    }
    out += "\""
}

/// How a literal condition value compares with an attribute in JavaScript (the JS SDK's
/// `evalConditionValue`), by the literal's type.
enum JSLiteralKind: UInt8 {
    /// `String(attribute) === literal`
    case string
    /// `Number(attribute) === literal`
    case number
    /// `attribute !== null && Boolean(attribute) === literal`
    case boolean
    /// `attribute === null`
    case null
    /// `JSON.stringify(attribute) === JSON.stringify(literal)` (arrays and objects, `{}` too)
    case json

    init(_ literal: JSON) {
        switch literal {
        case .string: self = .string
        case .int, .double: self = .number
        case .bool: self = .boolean
        case .null: self = .null
        case .array, .object: self = .json
        }
    }

    /// Whether `attribute` equals `operand` (for `.json`, the string node of the literal's
    /// JSON text; else the literal itself).
    func holds(_ attribute: Val, _ operand: Val) -> Bool {
        switch self {
        case .string:
            if attribute.kind == .string { return attribute.bytes == operand.bytes }
            return attribute.jsString.utf8.elementsEqual(operand.bytes.string.utf8)
        case .number:
            let x = attribute.jsNumber
            return x == (operand.kind == .int ? Double(operand.int) : operand.double)
        case .boolean:
            return attribute.kind != .null && attribute.isJSTruthy == (operand.kind == .true)
        case .null:
            return attribute.kind == .null
        case .json:
            return attribute.jsJSON.utf8.elementsEqual(operand.bytes.string.utf8)
        }
    }
}
