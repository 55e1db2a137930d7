/// A version string laid out so that plain byte-wise comparison orders versions the way the
/// reference's `paddedVersionString` does: `v` prefix and `+build` suffix dropped, parts split on
/// `-` and `.`, a `~` appended to a three-part version (so a release sorts after its
/// pre-releases), numeric parts left-padded with spaces to five characters.
public struct PaddedVersion: Sendable, Comparable, Hashable {
    /// UTF-8 bytes; byte order equals code-point order, which is how Python compares strings.
    public let bytes: [UInt8]

    public init(_ version: String) {
        var out: [UInt8] = []
        PaddedVersion.pad(version) { out.append(contentsOf: $0) }
        bytes = out
    }

    /// Calls `body` with the padded bytes of `version`, built on the stack when short (an
    /// attribute's version is padded on every evaluation of a version condition).
    static func withPadded<R>(_ version: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var version = version
        return version.withUTF8 { withPadded(bytes: $0, body) }
    }

    /// The padded form of an attribute value: a string's bytes, a number's Python `str`,
    /// anything else "0" (as `text(of:)`).
    static func withPadded<R>(_ value: Val, _ body: (ByteSpan) -> R) -> R {
        if value.kind == .string {
            return value.bytes.withBuffer { b in withPadded(bytes: b) { body(ByteSpan($0)) } }
        }
        return withPadded(value.isNumber ? value.pythonString : "0") { body(ByteSpan($0)) }
    }

    private static func withPadded<R>(bytes version: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        // Padding at most quintuples a part and adds a separator and "~": 5n + 8 bytes.
        let bound = 5 &* version.count &+ 8
        if bound > 256 {
            var out: [UInt8] = []
            pad(bytes: version) { out.append(contentsOf: $0) }
            return out.withUnsafeBufferPointer(body)
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
            var count = 0
            pad(bytes: version) { chunk in
                for b in chunk where count < buffer.count {
                    buffer[count] = b
                    count &+= 1
                }
            }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The reference's `paddedVersionString`, handed to `emit` in pieces.
    private static func pad(_ version: String, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if let done: Void = version.utf8.withContiguousStorageIfAvailable({ pad(bytes: $0, emit) }) { return done }
        Array(version.utf8).withUnsafeBufferPointer { pad(bytes: $0, emit) }
    }

    private static func pad(bytes all: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let zero: StaticString = "0"
        var bytes = all.count == 0 ? UnsafeBufferPointer(start: zero.utf8Start, count: 1) : all
        if bytes.first == UInt8(ascii: "v") { bytes = UnsafeBufferPointer(rebasing: bytes[1...]) }
        if let plus = bytes.firstIndex(of: UInt8(ascii: "+")) { bytes = UnsafeBufferPointer(rebasing: bytes[..<plus]) }
        let isSeparator = { (b: UInt8) in b == UInt8(ascii: "-") || b == UInt8(ascii: ".") }
        var partCount = 1
        for b in bytes where isSeparator(b) { partCount += 1 }
        let spaces: StaticString = "     "
        let dash: StaticString = "-"
        let tilde: StaticString = "~"
        var first = true
        func emitPart(_ part: UnsafeBufferPointer<UInt8>) {
            if !first { emit(UnsafeBufferPointer(start: dash.utf8Start, count: 1)) }
            first = false
            let numeric = !part.isEmpty && part.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            if numeric && part.count < 5 { emit(UnsafeBufferPointer(start: spaces.utf8Start, count: 5 - part.count)) }
            emit(part)
        }
        var start = 0
        for i in 0..<bytes.count where isSeparator(bytes[i]) {
            emitPart(UnsafeBufferPointer(rebasing: bytes[start..<i]))
            start = i + 1
        }
        emitPart(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        if partCount == 3 { emitPart(UnsafeBufferPointer(start: tilde.utf8Start, count: 1)) }
    }

    /// Numbers are read as their Python `str`; anything else that is not a non-empty string
    /// counts as "0".
    public init(json: JSON) {
        self.init(PaddedVersion.text(of: json))
    }

    /// The text a JSON value is padded from.
    static func text(of json: JSON) -> String {
        switch json {
        case .string(let s): return s
        case .int, .double, .bigInteger: return json.pythonString
        default: return "0"
        }
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public static func < (a: PaddedVersion, b: PaddedVersion) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}
