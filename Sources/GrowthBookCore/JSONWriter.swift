extension JSON {
    /// Compact JSON text (no spaces), UTF-8 kept as is, floats printed as Python's `repr`
    /// prints them (`1.0`, `0.1`, `1e-05`, `1e+16`) so output matches the reference SDK.
    /// Non-finite doubles, which JSON cannot carry, are written as `null`.
    public var serialized: String {
        var out = TextBuffer(capacity: 64)
        write(to: &out)
        return out.string
    }

    /// Appends the compact JSON text to `out`. Recursion depth is that of the value, which the
    /// parser bounds; values built in code are shallow.
    public func write(to out: inout TextBuffer) {
        switch self {
        case .null: out.appendLiteral("null")
        case .bool(let b): b ? out.appendLiteral("true") : out.appendLiteral("false")
        case .int(let i): out.appendInteger(i)
        case .double(let d): JSON.writeDouble(d, to: &out)
        case .bigInteger(let digits): out.append(digits)
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            var first = true
            for item in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o.pairs {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSON.writeString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func writeString(_ s: String, to out: inout TextBuffer) {
        var s = s
        s.withUTF8 { writeJSONString(ByteSpan($0), to: &out) }
    }

    /// Appends `formatDouble(d)`. Numbers with at most 7 decimals and below 1e15 (bucket
    /// values, weights, coverage: nearly every double a result carries) are written from
    /// integer arithmetic without building a String.
    public static func writeDouble(_ d: Double, to out: inout TextBuffer) {
        let magnitude = d.magnitude
        if d.isFinite && magnitude < 1e15 && (magnitude >= 1e-4 || d == 0) && !(d == 0 && d.sign == .minus) {
            var p = 1.0  // 10^k, exact for these k
            for k in 0..<8 {
                defer { p *= 10 }
                let m = (magnitude * p).rounded()
                // m / 10^k is the correctly rounded value of the decimal m·10^-k, so when it
                // equals the number, those k decimals round-trip; the first such k is the
                // shortest, which is what repr prints.
                guard m / p == magnitude, m < 9.0e15 else { continue }
                if d < 0 { out.append(UInt8(ascii: "-")) }
                var digits = UInt64(m)
                let divisor = UInt64(p)
                let whole = digits / divisor
                digits -= whole * divisor
                out.appendDigits(whole)
                out.append(UInt8(ascii: "."))
                out.appendDigits(digits, minimumDigits: k == 0 ? 1 : k)
                return
            }
        }
        out.append(formatDouble(d))
    }

    /// Python's `repr(float)`: the shortest round-tripping digits, in positional notation when
    /// the decimal exponent is in [-4, 16), otherwise scientific with a signed two-digit exponent.
    public static func formatDouble(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest round-trip digits; re-lay them out Python's way.
        let text = d.magnitude.description
        var digits: [UInt8] = []
        var pointPosition = 0  // value = 0.DIGITS * 10^pointPosition
        var seenPoint = false
        var exponent = 0
        var mantissaPart = Substring(text)
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissaPart = text[text.startIndex..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var integerDigits = 0
        for c in mantissaPart.utf8 {
            if c == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            if !seenPoint { integerDigits += 1 }
            digits.append(c)
        }
        // Strip leading zeros (e.g. "0.001").
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == UInt8(ascii: "0") {
            leading += 1
        }
        digits.removeFirst(leading)
        pointPosition = integerDigits - leading + exponent
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }

        var out = d.sign == .minus ? "-" : ""
        let sciExponent = pointPosition - 1
        if sciExponent < -4 || sciExponent >= 16 {
            out += String(decoding: digits[0..<1], as: UTF8.self)
            if digits.count > 1 {
                out += "." + String(decoding: digits[1...], as: UTF8.self)
            }
            out += sciExponent < 0 ? "e-" : "e+"
            let mag = sciExponent.magnitude
            out += mag < 10 ? "0\(mag)" : "\(mag)"
            return out
        }
        if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + String(decoding: digits, as: UTF8.self)
        } else if pointPosition >= digits.count {
            out += String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        } else {
            out += String(decoding: digits[0..<pointPosition], as: UTF8.self) + "."
                + String(decoding: digits[pointPosition...], as: UTF8.self)
        }
        return out
    }
}
