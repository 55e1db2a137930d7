/// A version string laid out so that plain byte-wise comparison orders versions the way the
/// reference's `paddedVersionString` does: `v` prefix and `+build` suffix dropped, parts split on
/// `-` and `.`, a `~` appended to a three-part version (so a release sorts after its
/// pre-releases), numeric parts left-padded with spaces to five characters.
public struct PaddedVersion: Sendable, Comparable, Hashable {
    /// UTF-8 bytes; byte order equals code-point order, which is how Python compares strings.
    public let bytes: [UInt8]

    public init(_ version: String) {
        var s = Substring(version)
        if s.isEmpty { s = "0" }
        if s.first == "v" { s = s.dropFirst() }
        if let plus = s.firstIndex(of: "+") { s = s[..<plus] }
        var parts = Array(s.utf8).split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        if parts.count == 3 { parts.append([UInt8(ascii: "~")][...]) }
        var out: [UInt8] = []
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "-")) }
            let numeric = !part.isEmpty && part.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            if numeric && part.count < 5 {
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 5 - part.count))
            }
            out.append(contentsOf: part)
        }
        bytes = out
    }

    /// Numbers are read as their Python `str`; anything else that is not a non-empty string
    /// counts as "0".
    public init(json: JSON) {
        switch json {
        case .string(let s): self.init(s)
        case .int, .double: self.init(json.pythonString)
        default: self.init("0")
        }
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public static func < (a: PaddedVersion, b: PaddedVersion) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}
