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
        guard value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard let v = Int(value), v >= 0, v < variationCount else { return nil }
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

private func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - 0x30
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - 0x61 + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - 0x41 + 10
    default: return nil
    }
}
