/// A version string laid out so that plain byte-wise comparison orders versions the way the
/// reference's `paddedVersionString` does: `v` prefix and `+build` suffix dropped, parts split on
/// `-` and `.`, a `~` appended to a three-part version (so a release sorts after its
/// pre-releases), numeric parts left-padded with spaces to five characters.
public struct PaddedVersion: Sendable, Comparable, Hashable {
    /// UTF-8 bytes; byte order equals code-point order, which is how Python compares strings.
    /// (JavaScript compares them by UTF-16 code units: `utf16Order`.)
    public let bytes: [UInt8]

    /// `js`: as the JS SDK's `paddedVersionString` (its regexes' `$` is the very end), else as
    /// Python 1.1.0's (`$` also matches before a final newline).
    public init(_ version: String, js: Bool = false) {
        var out: [UInt8] = []
        PaddedVersion.pad(version, js: js) { out.append(contentsOf: $0) }
        bytes = out
    }

    /// Calls `body` with the padded bytes of `version`, built on the stack when short (an
    /// attribute's version is padded on every evaluation of a version condition).
    static func withPadded<R>(_ version: String, js: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var version = version
        return version.withUTF8 { withPadded(bytes: $0, js: js, body) }
    }

    /// The padded form of an attribute value: a string's bytes, a number's `str` (Python) or
    /// `String()` (JS), anything else "0" (as `text(of:)`).
    static func withPadded<R>(_ value: Val, js: Bool, _ body: (ByteSpan) -> R) -> R {
        if value.kind == .string {
            return value.bytes.withBuffer { b in withPadded(bytes: b, js: js) { body(ByteSpan($0)) } }
        }
        let text = value.isNumber ? (js ? value.jsString : value.pythonString) : "0"
        return withPadded(text, js: js) { body(ByteSpan($0)) }
    }

    private static func withPadded<R>(
        bytes version: UnsafeBufferPointer<UInt8>, js: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        // Padding at most quintuples a part and adds a separator and "~": 5n + 8 bytes.
        let bound = 5 &* version.count &+ 8
        if bound > 256 {
            var out: [UInt8] = []
            pad(bytes: version, js: js) { out.append(contentsOf: $0) }
            return out.withUnsafeBufferPointer(body)
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
            var count = 0
            pad(bytes: version, js: js) { chunk in
                for b in chunk where count < buffer.count {
                    buffer[count] = b
                    count &+= 1
                }
            }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The reference's `paddedVersionString`, handed to `emit` in pieces.
    private static func pad(_ version: String, js: Bool, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        if let done: Void = version.utf8.withContiguousStorageIfAvailable({ pad(bytes: $0, js: js, emit) }) {
            return done
        }
        Array(version.utf8).withUnsafeBufferPointer { pad(bytes: $0, js: js, emit) }
    }

    private static func pad(bytes all: UnsafeBufferPointer<UInt8>, js: Bool, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        let zero: StaticString = "0"
        let newline: StaticString = "\n"
        var bytes = all.count == 0 ? UnsafeBufferPointer(start: zero.utf8Start, count: 1) : all
        if bytes.first == UInt8(ascii: "v") { bytes = UnsafeBufferPointer(rebasing: bytes[1...]) }
        // `\+.*$` removed: a "+" with no line end after it (`.` stops at one: "\n" in Python;
        // "\n", "\r", U+2028, U+2029 in JS), up to the end or, in Python, up to a final
        // newline, which stays.
        let finalNewline = !js && bytes.last == UInt8(ascii: "\n")
        let end = finalNewline ? bytes.count - 1 : bytes.count
        var searchFrom = 0
        for i in 0..<end {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") || (js && b == UInt8(ascii: "\r")) {
                searchFrom = i + 1
            } else if js && b == 0xE2 && i + 2 < end && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) {
                searchFrom = i + 3
            }
        }
        var keepNewline = false
        if let plus = bytes[searchFrom..<end].firstIndex(of: UInt8(ascii: "+")) {
            bytes = UnsafeBufferPointer(rebasing: bytes[..<plus])
            keepNewline = finalNewline
        }
        let isSeparator = { (b: UInt8) in b == UInt8(ascii: "-") || b == UInt8(ascii: ".") }
        var partCount = 1
        for b in bytes where isSeparator(b) { partCount += 1 }
        let spaces: StaticString = "     "
        let dash: StaticString = "-"
        let tilde: StaticString = "~"
        var first = true
        func emitPart(_ part: UnsafeBufferPointer<UInt8>, newline addNewline: Bool = false) {
            if !first { emit(UnsafeBufferPointer(start: dash.utf8Start, count: 1)) }
            first = false
            // `^[0-9]+$`; Python's `$` also matches before a final newline ("12\n" is numeric)
            var digits = part
            let newlineAfter = addNewline || (!js && part.last == UInt8(ascii: "\n"))
            if !addNewline && newlineAfter { digits = UnsafeBufferPointer(rebasing: part.dropLast()) }
            let numeric = !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            // rjust(5) / padStart(5) count characters; a numeric part's are ASCII
            let length = part.count &+ (addNewline ? 1 : 0)
            if numeric && length < 5 { emit(UnsafeBufferPointer(start: spaces.utf8Start, count: 5 - length)) }
            emit(part)
            if addNewline { emit(UnsafeBufferPointer(start: newline.utf8Start, count: 1)) }
        }
        var start = 0
        for i in 0..<bytes.count where isSeparator(bytes[i]) {
            emitPart(UnsafeBufferPointer(rebasing: bytes[start..<i]))
            start = i + 1
        }
        emitPart(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]), newline: keepNewline)
        if partCount == 3 { emitPart(UnsafeBufferPointer(start: tilde.utf8Start, count: 1)) }
    }

    /// Numbers are read as their Python `str` (JS: `String()`); anything else that is not a
    /// non-empty string counts as "0".
    public init(json: JSON, js: Bool = false) {
        self.init(PaddedVersion.text(of: json, js: js), js: js)
    }

    /// The text a JSON value is padded from.
    static func text(of json: JSON, js: Bool) -> String {
        switch json {
        case .string(let s): return s
        case .int, .double, .bigInteger: return js ? jsNumberString(json.doubleValue ?? 0) : json.pythonString
        default: return "0"
        }
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public static func < (a: PaddedVersion, b: PaddedVersion) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}
