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
        case .bigInteger: return true
        case .string(let s): return !s.isEmpty
        case .array, .object: return true
        }
    }
}

extension Val {
    /// Truthiness as the reference of `style` has it: whether a hash attribute's value is one
    /// (not none), and whether a result is on.
    @inline(__always)
    func isTruthy(_ style: HashValueStyle) -> Bool { style == .js ? isJSTruthy : isTruthy }

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
    // Two strings, the common case: compared in place.
    if a.kind == .string && b.kind == .string { return kind.holds(utf16Order(a.bytes, b.bytes)) }
    if a.becomesString && b.becomesString {
        // An array or object beside a string or another: by their strings.
        var x = a.kind == .string ? a.bytes.string : a.jsString
        var y = b.kind == .string ? b.bytes.string : b.jsString
        return x.withUTF8 { xb in y.withUTF8 { yb in kind.holds(utf16Order(ByteSpan(xb), ByteSpan(yb))) } }
    }
    let x = a.jsNumber
    let y = b.jsNumber
    if x.isNaN || y.isNaN { return false }
    return kind.holds(x < y ? -1 : (x > y ? 1 : 0))
}

extension Val {
    /// ToPrimitive gives a string: strings, arrays and objects.
    fileprivate var becomesString: Bool { kind == .string || kind == .array || kind == .object }
}

/// The order of two UTF-8 strings by their UTF-16 code units (JavaScript's string order),
/// -1/0/1, without decoding them: byte order is code point order, which differs from
/// UTF-16's only between a character above U+FFFF (surrogates, 0xD800...) and one in
/// U+E000...U+FFFF, which sorts after it in UTF-16.
func utf16Order(_ a: ByteSpan, _ b: ByteSpan) -> Int {
    let n = min(a.count, b.count)
    var i = 0
    while i < n && a[i] == b[i] { i += 1 }
    if i == n { return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0) }
    // The lead bytes of the two characters that differ (their earlier bytes are equal).
    var lead = i
    while lead > 0 && a[lead] & 0xC0 == 0x80 { lead -= 1 }
    let la = a[lead]
    let lb = b[lead]
    if la >= 0xF0 && (lb == 0xEE || lb == 0xEF) { return -1 }
    if lb >= 0xF0 && (la == 0xEE || la == 0xEF) { return 1 }
    return a[i] < b[i] ? -1 : 1
}

/// JavaScript's StringToNumber: surrounding white space ignored; "" is 0; "Infinity" with an
/// optional sign; 0x, 0o and 0b integers; decimal literals (an optional sign, digits with an
/// optional fraction, or a fraction alone, an optional exponent); anything else NaN (no "inf",
/// "nan", "_" or hexadecimal fractions, which Swift's Double(String) would accept).
func jsStringToNumber(_ s: String) -> Double {
    let scalars = s.unicodeScalars
    var lo = scalars.startIndex
    var hi = scalars.endIndex
    while lo < hi, isJSWhiteSpace(scalars[lo]) { lo = scalars.index(after: lo) }
    while hi > lo, isJSWhiteSpace(scalars[scalars.index(before: hi)]) { hi = scalars.index(before: hi) }
    if lo == hi { return 0 }
    let t = Substring(scalars[lo..<hi])
    switch t {
    case "Infinity", "+Infinity": return .infinity
    case "-Infinity": return -.infinity
    default: break
    }
    let b = t.utf8
    var i = b.startIndex
    func peek(_ ahead: Int = 0) -> UInt8? {
        guard let j = b.index(i, offsetBy: ahead, limitedBy: b.endIndex), j < b.endIndex else { return nil }
        return b[j]
    }
    if b.count > 2, peek() == UInt8(ascii: "0"), let x = peek(1) {
        let radix: Int? =
            switch x | 0x20 {
            case UInt8(ascii: "x"): 16
            case UInt8(ascii: "o"): 8
            case UInt8(ascii: "b"): 2
            default: nil
            }
        if let radix {
            var value = 0.0
            for c in b.dropFirst(2) {
                guard let d = hexValue(c), Int(d) < radix else { return .nan }
                value = value * Double(radix) + Double(d)
            }
            return value
        }
    }
    // [+-] (digits [. digits?] | . digits) ([eE] [+-] digits)?
    if let c = peek(), c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { i = b.index(after: i) }
    func digits() -> Int {
        var n = 0
        while let c = peek(), c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
            i = b.index(after: i)
            n += 1
        }
        return n
    }
    var mantissa = digits()
    if peek() == UInt8(ascii: ".") {
        i = b.index(after: i)
        mantissa += digits()
    }
    guard mantissa > 0 else { return .nan }
    if let c = peek(), c | 0x20 == UInt8(ascii: "e") {
        i = b.index(after: i)
        if let c = peek(), c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { i = b.index(after: i) }
        guard digits() > 0 else { return .nan }
    }
    guard i == b.endIndex else { return .nan }
    return Double(t) ?? .nan
}

/// JavaScript's WhiteSpace and LineTerminator code points.
func isJSWhiteSpace(_ c: Unicode.Scalar) -> Bool {
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

    /// Appends JavaScript's `JSON.stringify(value)`: numbers as Number::toString (NaN and
    /// infinities as null), strings escaped as this library writes JSON (the same escapes),
    /// members in their order, no white space.
    func writeJSJSON(to out: inout TextBuffer) {
        switch kind {
        case .null: out.appendLiteral("null")
        case .false: out.appendLiteral("false")
        case .true: out.appendLiteral("true")
        case .int, .double:
            let d = kind == .int ? Double(int) : double
            if d.isFinite {
                var text = jsNumberString(d)
                text.withUTF8 { out.append($0) }
            } else {
                out.appendLiteral("null")
            }
        case .string: writeJSONString(bytes, to: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for i in 0..<count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element(i).writeJSJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            for i in 0..<count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                let m = member(i)
                writeJSONString(m.key.bytes, to: &out)
                out.append(UInt8(ascii: ":"))
                m.value.writeJSJSON(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

extension JSON {
    /// `Val.writeJSJSON` of a tree, as text (a condition's operand, when compiled).
    var jsJSON: String {
        var out = TextBuffer()
        let doc = Document(self)  // the Val reads the document in place: kept alive while it does
        withExtendedLifetime(doc) { doc.root.writeJSJSON(to: &out) }
        return out.string
    }
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
        case .int, .double, .bigInteger: self = .number
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
            var text = attribute.jsString
            return text.withUTF8 { ByteSpan($0) == operand.bytes }
        case .number:
            let x = attribute.jsNumber
            return x == (operand.kind == .int ? Double(operand.int) : operand.double)
        case .boolean:
            return attribute.kind != .null && attribute.isJSTruthy == (operand.kind == .true)
        case .null:
            return attribute.kind == .null
        case .json:
            var text = TextBuffer()
            attribute.writeJSJSON(to: &text)
            return text.withBytes { ByteSpan($0) == operand.bytes }
        }
    }
}
