/// Strict standard base64 (RFC 4648 alphabet with `=` padding): any other character is an
/// error rather than skipped, so a corrupted key or payload is reported, not half-decoded.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        decode(text.utf8)
    }

    /// Decodes in one pass into one buffer (no intermediate copy of the text), with room for
    /// `extraCapacity` more bytes after the data (so a caller can work in place).
    static func decode<C: Collection>(_ text: C, extraCapacity: Int = 0) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3 + 3 + extraCapacity)
        var quad: UInt32 = 0
        var inQuad = 0
        var padding = 0
        var symbols = 0
        for c in text {
            if c == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            if padding > 0 { return nil }  // data after padding
            guard let v = value(c) else { return nil }
            symbols += 1
            quad = quad << 6 | UInt32(v)
            inQuad += 1
            if inQuad == 4 {
                out.append(UInt8(truncatingIfNeeded: quad >> 16))
                out.append(UInt8(truncatingIfNeeded: quad >> 8))
                out.append(UInt8(truncatingIfNeeded: quad))
                quad = 0
                inQuad = 0
            }
        }
        guard padding <= 2, (symbols + padding) % 4 == 0 || padding == 0 else { return nil }
        switch inQuad {
        case 1:
            return nil
        case 2:
            out.append(UInt8(truncatingIfNeeded: quad >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: quad >> 10))
            out.append(UInt8(truncatingIfNeeded: quad >> 2))
        default:
            break
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - 65
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - 97 + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48 + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
