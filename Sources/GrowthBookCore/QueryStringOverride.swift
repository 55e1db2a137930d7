/// The variation forced by the URL's query string (`?experiment-key=1`), as the reference reads
/// it with `urlparse` and `parse_qs`: the first value of the key, decimal digits only, and a valid
/// variation index; otherwise `nil`.
public func queryStringOverride(id: String, url: String, variationCount: Int) -> Int? {
    var rest = Substring(url)
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    guard let q = rest.firstIndex(of: "?") else { return nil }
    let query = rest[rest.index(after: q)...]
    if query.isEmpty { return nil }
    for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
        guard let eq = pair.firstIndex(of: "=") else { continue }
        let value = percentDecode(pair[pair.index(after: eq)...])
        // parse_qs drops pairs with blank values.
        if value.isEmpty { continue }
        guard percentDecode(pair[..<eq]) == id else { continue }
        // `str.isdigit()`, then `int()`: decimal digits of any script ("١" is 1). A digit that
        // is not decimal ("²") passes isdigit and makes int() raise: no override either.
        var v = 0
        for scalar in value.unicodeScalars {
            guard let d = pythonDecimalDigit(scalar.value) else { return nil }
            let (times10, o1) = v.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int(d))
            guard !o1, !o2 else { return nil }
            v = next
        }
        guard v < variationCount else { return nil }
        return v
    }
    return nil
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; bytes that are
/// not valid UTF-8 become U+FFFD, as Python's `unquote` does by default.
func percentDecode(_ s: Substring) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count)
    var it = Array(s.utf8)[...]
    while let b = it.popFirst() {
        if b == UInt8(ascii: "+") {
            out.append(0x20)
        } else if b == UInt8(ascii: "%"), it.count >= 2, let hi = hexValue(it[it.startIndex]),
            let lo = hexValue(it[it.startIndex + 1])
        {
            out.append(hi << 4 | lo)
            it.removeFirst(2)
        } else {
            out.append(b)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// A hexadecimal digit's value (0-9, a-f, A-F), or nil.
func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - 0x30
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - 0x61 + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - 0x41 + 10
    default: return nil
    }
}

/// The JS SDK's `getQueryStringOverride`: the raw text between the URL's first and second
/// "?", cut at "#", split at "&" into pairs cut at "=" (the first two pieces), no
/// percent-decoding; the first pair whose key is `id` exactly decides, its value read by
/// `parseInt` (leading white space, a sign, "0x" for hexadecimal, then the digits that
/// follow: "1abc" is 1, "-0" is 0); in range or nil.
public func jsQueryStringOverride(id: String, url: String, variationCount: Int) -> Int? {
    let parts = url.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count > 1, !parts[1].isEmpty else { return nil }
    var search = parts[1]
    if let hash = search.firstIndex(of: "#") { search = search[..<hash] }
    for kv in search.split(separator: "&", omittingEmptySubsequences: false) {
        let pieces = kv.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces[0] == Substring(id) else { continue }
        guard pieces.count > 1, let n = jsParseInt(pieces[1]), n >= 0, n < Double(variationCount) else { return nil }
        return Int(n)
    }
    return nil
}

/// JavaScript's `parseInt(s)` (no radix) as a Double; nil for NaN.
func jsParseInt(_ s: Substring) -> Double? {
    var scalars = Substring(s).unicodeScalars[...]
    while let c = scalars.first, isJSWhiteSpace(c) { scalars = scalars.dropFirst() }
    var sign = 1.0
    if let c = scalars.first, c == "-" || c == "+" {
        if c == "-" { sign = -1 }
        scalars = scalars.dropFirst()
    }
    var radix = 10.0
    if scalars.count >= 2, scalars.first == "0", let x = scalars.dropFirst().first, x == "x" || x == "X" {
        radix = 16
        scalars = scalars.dropFirst(2)
    }
    var value = 0.0
    var digits = 0
    for c in scalars {
        guard c.isASCII, let d = hexValue(UInt8(c.value)), Double(d) < radix else { break }
        value = value * radix + Double(d)
        digits += 1
    }
    guard digits > 0 else { return nil }
    return sign * value
}
