/// Why a JSON text was rejected, and where.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case syntax
        case invalidUTF8
        case tooDeep
        case tooLarge
    }

    public var kind: Kind
    public var message: String
    /// Byte offset into the input where the problem was found.
    public var offset: Int

    public var description: String { "\(message) at byte offset \(offset)" }
}

extension JSON {
    /// Nesting deeper than this is rejected, so parsing (and everything that follows a value's
    /// depth: compiling, evaluating and writing it) never recurses without bound. 128 keeps any
    /// call within a 64 KiB thread stack (Tests/c/test_hostile.c runs them on one).
    public static let maxDepth = 128
    /// Inputs larger than this are rejected before parsing.
    public static let maxInputBytes = 512 * 1024 * 1024

    /// Parses one JSON text (RFC 8259) from UTF-8 bytes. Leading and trailing whitespace is
    /// allowed; anything else after the value is an error.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSON {
        try checkSize(bytes)
        var parser = JSONParser(bytes: bytes, sink: JSONTreeSink())
        try parser.parseDocument()
        return parser.sink.finish()
    }

    public static func parse(_ text: String) throws(JSONError) -> JSON {
        var copy = text
        let result: Result<JSON, JSONError> = copy.withUTF8 { buffer in
            do throws(JSONError) {
                return .success(try JSON.parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSON {
        let result: Result<JSON, JSONError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONError) {
                return .success(try JSON.parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func checkSize(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        guard bytes.count <= maxInputBytes else {
            throw JSONError(
                kind: .tooLarge, message: "input of \(bytes.count) bytes exceeds the limit of \(maxInputBytes)",
                offset: 0)
        }
    }
}

extension JSON {
    /// Parses a JSON text whose top-level value is an object one member at a time, handing
    /// each key and value to `body` as soon as it is parsed, so the caller can compile the value
    /// and drop it before the next one is parsed: the whole tree never exists at once.
    /// Returns false (having called `body` for nothing) when the top-level value is not an object.
    /// `hadWhitespace`: whether the text had any whitespace between tokens.
    public static func forEachMember(
        _ bytes: UnsafeBufferPointer<UInt8>, hadWhitespace: inout Bool, _ body: (String, JSON) -> Void
    ) throws(JSONError) -> Bool {
        try checkSize(bytes)
        // The handler is only called during the parse (the sink's property is formally escaping).
        return try withoutActuallyEscaping(body) { (handler) throws(JSONError) -> Bool in
            var parser = JSONParser(bytes: bytes, sink: JSONTreeSink(memberHandler: handler))
            defer { hadWhitespace = parser.skippedWhitespace }
            return try parser.parseDocumentMembers()
        }
    }
}

/// What a `JSONParser` hands its values to, in document order: scalars as they are read, an
/// array's or object's end after its elements or members (an object's keys before their
/// values). The tree parser (`JSONTreeSink`) builds `JSON` values; `DocumentSink` writes a
/// `Document`'s nodes directly.
protocol JSONSink {
    mutating func null()
    mutating func bool(_ value: Bool)
    mutating func int(_ value: Int64)
    mutating func double(_ value: Double)
    /// An integer literal beyond 64 bits with a finite Double (`JSON.bigInteger`).
    mutating func bigInteger(_ literal: UnsafeBufferPointer<UInt8>)
    /// A string's bytes, escapes decoded and validated UTF-8; valid during the call only.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>)
    mutating func beginArray()
    mutating func endArray()
    mutating func beginObject()
    /// An object key (as `string`), before its value.
    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>)
    /// After each member's value; `depth` 1 is a member of the top-level object.
    mutating func endMember(depth: Int)
    mutating func endObject()
}

/// The elements of `stack` from `start` on, in a new array of exactly that capacity. (Through
/// `Array(ArraySlice)`, which is specialized for the element type: the generic
/// `Array(unsafeUninitializedCapacity:)` looked its storage's metadata up at run time, about
/// 600 instructions per array parsed.)
@inline(__always)
private func exactCopy<T>(_ stack: [T], from start: Int) -> [T] {
    Array(stack[start...])
}

/// Builds `JSON` trees: elements and members of the arrays and objects being parsed are
/// gathered on stacks and copied into exactly-sized arrays when each closes (no growth by
/// doubling, no slack kept).
struct JSONTreeSink: JSONSink {
    private var values: [JSON] = []
    private var keys: [String] = []
    /// Where each open array's or object's values start in `values`.
    private var starts: [Int] = []
    /// Takes the members of the top-level object instead of the stacks (`JSON.forEachMember`).
    private let memberHandler: ((String, JSON) -> Void)?

    init(memberHandler: ((String, JSON) -> Void)? = nil) {
        self.memberHandler = memberHandler
    }

    /// The one value parsed.
    mutating func finish() -> JSON { values.popLast() ?? .null }

    mutating func null() { values.append(.null) }
    mutating func bool(_ value: Bool) { values.append(.bool(value)) }
    mutating func int(_ value: Int64) { values.append(.int(value)) }
    mutating func double(_ value: Double) { values.append(.double(value)) }
    mutating func bigInteger(_ literal: UnsafeBufferPointer<UInt8>) {
        values.append(.bigInteger(String(decoding: literal, as: UTF8.self)))
    }
    // Validated UTF-8: decoding cannot substitute anything.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) {
        values.append(.string(String(decoding: bytes, as: UTF8.self)))
    }
    mutating func beginArray() { starts.append(values.count) }
    mutating func endArray() {
        let base = starts.popLast() ?? values.count
        if base == values.count {
            values.append(.array([]))
            return
        }
        let items = exactCopy(values, from: base)
        values.removeLast(values.count - base)
        values.append(.array(items))
    }
    mutating func beginObject() { starts.append(values.count) }
    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) { keys.append(String(decoding: bytes, as: UTF8.self)) }
    mutating func endMember(depth: Int) {
        guard depth == 1, let memberHandler, let value = values.popLast(), let key = keys.popLast() else { return }
        memberHandler(key, value)
    }
    mutating func endObject() {
        let base = starts.popLast() ?? values.count
        let n = values.count - base
        if n == 0 {
            values.append(.object(JSONObject()))
            return
        }
        let object = JSONObject(
            parsedKeys: exactCopy(keys, from: keys.count - n), values: exactCopy(values, from: base))
        keys.removeLast(n)
        values.removeLast(n)
        values.append(.object(object))
    }
}

/// A byte-level recursive-descent parser handing what it reads to a `JSONSink`; recursion is
/// bounded by `JSON.maxDepth`.
struct JSONParser<Sink: JSONSink> {
    let bytes: UnsafeBufferPointer<UInt8>
    var sink: Sink
    var pos = 0
    var depth = 0
    /// Some whitespace between tokens was skipped.
    var skippedWhitespace = false
    /// The bytes of a string with escapes, decoded (reused from string to string).
    private var decoded: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, sink: Sink) {
        self.bytes = bytes
        self.sink = sink
    }

    mutating func parseDocument() throws(JSONError) {
        skipWhitespace()
        try parseValue()
        skipWhitespace()
        if pos < bytes.count {
            throw error(.syntax, "unexpected \(describeByte(bytes[pos])) after the JSON value")
        }
    }

    /// `parseDocument` for a top-level object (the sink takes its members one by one): false,
    /// having parsed the whole text, when the top-level value is something else.
    mutating func parseDocumentMembers() throws(JSONError) -> Bool {
        skipWhitespace()
        let isObject = pos < bytes.count && bytes[pos] == UInt8(ascii: "{")
        try parseDocument()  // a syntax error is reported as such
        return isObject
    }

    private func error(_ kind: JSONError.Kind, _ message: String) -> JSONError {
        JSONError(kind: kind, message: message, offset: pos)
    }

    private func describeByte(_ b: UInt8) -> String {
        if b >= 0x20 && b < 0x7f { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16))"
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0a, 0x0d:
                pos += 1
                skippedWhitespace = true
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONError) {
        guard pos < bytes.count else { throw error(.syntax, "unexpected end of input, expected a value") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): try parseObject()
        case UInt8(ascii: "["): try parseArray()
        case UInt8(ascii: "\""): try parseString(isKey: false)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            sink.bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            sink.bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            sink.null()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
        default:
            throw error(.syntax, "unexpected \(describeByte(bytes[pos])), expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let n = literal.utf8CodeUnitCount
        guard bytes.count - pos >= n else { throw error(.syntax, "invalid literal, expected '\(literal)'") }
        let p = literal.utf8Start
        for i in 0..<n where bytes[pos + i] != p[i] {
            throw error(.syntax, "invalid literal, expected '\(literal)'")
        }
        pos += n
    }

    private mutating func enter() throws(JSONError) {
        depth += 1
        if depth > JSON.maxDepth {
            throw error(.tooDeep, "nesting deeper than \(JSON.maxDepth) levels")
        }
    }

    private mutating func parseArray() throws(JSONError) {
        try enter()
        pos += 1  // [
        sink.beginArray()
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            sink.endArray()
            return
        }
        while true {
            skipWhitespace()
            try parseValue()
            skipWhitespace()
            guard pos < bytes.count else { throw error(.syntax, "unexpected end of input in an array") }
            let b = bytes[pos]
            pos += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "]") { break }
            pos -= 1
            throw error(.syntax, "unexpected \(describeByte(b)) in an array, expected ',' or ']'")
        }
        depth -= 1
        sink.endArray()
    }

    /// Parses an object from its opening brace at `pos` to its closing one.
    private mutating func parseObject() throws(JSONError) {
        try enter()
        pos += 1  // {
        sink.beginObject()
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            sink.endObject()
            return
        }
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw error(.syntax, "unexpected end of input in an object") }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                throw error(.syntax, "unexpected \(describeByte(bytes[pos])), expected a string key")
            }
            try parseString(isKey: true)
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
                throw error(.syntax, "expected ':' after an object key")
            }
            pos += 1
            skipWhitespace()
            try parseValue()
            sink.endMember(depth: depth)
            skipWhitespace()
            guard pos < bytes.count else { throw error(.syntax, "unexpected end of input in an object") }
            let b = bytes[pos]
            pos += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "}") { break }
            pos -= 1
            throw error(.syntax, "unexpected \(describeByte(b)) in an object, expected ',' or '}'")
        }
        depth -= 1
        sink.endObject()
    }

    /// Hands a string (a key when `isKey`) to the sink: the input's own bytes when it has no
    /// escapes, else its decoded bytes.
    private mutating func emit(_ b: UnsafeBufferPointer<UInt8>, isKey: Bool) {
        if isKey { sink.key(b) } else { sink.string(b) }
    }

    private mutating func parseString(isKey: Bool) throws(JSONError) {
        let start = pos
        pos += 1  // opening quote
        let contentStart = pos
        // Fast path: no escapes. The scan runs on locals (the parser's fields would be stored
        // back on every byte).
        if let base = bytes.baseAddress {
            let n = bytes.count
            var p = pos
            var high: UInt8 = 0
            while p < n {
                let b = base[p]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
                high |= b
                p &+= 1
            }
            pos = p
            if p < n && base[p] == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(start: base + contentStart, count: p &- contentStart)
                if high >= 0x80, let bad = invalidUTF8Offset(slice) {
                    pos = contentStart + bad
                    throw error(.invalidUTF8, "invalid UTF-8 in a string")
                }
                pos += 1
                emit(slice, isKey: isKey)
                return
            }
        }
        // Not closed by a quote: an escape, a control character or the end. (The scan below
        // starts again from the string's start, so that its errors are exactly as they were.)
        pos = contentStart
        var ascii = true
        while pos < bytes.count {
            let b = bytes[pos]
            if b >= 0x80 { ascii = false }
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[contentStart..<pos])
                if !ascii {
                    if let bad = invalidUTF8Offset(slice) {
                        pos = contentStart + bad
                        throw error(.invalidUTF8, "invalid UTF-8 in a string")
                    }
                }
                pos += 1
                emit(slice, isKey: isKey)
                return
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error(.syntax, "unescaped control character in a string") }
            pos += 1
        }
        if pos >= bytes.count {
            pos = start
            throw error(.syntax, "unterminated string")
        }
        // Slow path: decode escapes into a byte buffer.
        var buffer = decoded
        decoded = []
        defer { decoded = buffer }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<pos]))
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                if buffer.withUnsafeBufferPointer({ invalidUTF8Offset($0) }) != nil {
                    pos = start
                    throw error(.invalidUTF8, "invalid UTF-8 in a string")
                }
                pos += 1
                buffer.withUnsafeBufferPointer { emit($0, isKey: isKey) }
                return
            }
            if b < 0x20 { throw error(.syntax, "unescaped control character in a string") }
            if b != UInt8(ascii: "\\") {
                buffer.append(b)
                pos += 1
                continue
            }
            pos += 1
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): buffer.append(0x22)
            case UInt8(ascii: "\\"): buffer.append(0x5c)
            case UInt8(ascii: "/"): buffer.append(0x2f)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0c)
            case UInt8(ascii: "n"): buffer.append(0x0a)
            case UInt8(ascii: "r"): buffer.append(0x0d)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var scalarValue = try parseHex4()
                if scalarValue >= 0xD800 && scalarValue < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard bytes.count - pos >= 6, bytes[pos] == UInt8(ascii: "\\"),
                        bytes[pos + 1] == UInt8(ascii: "u")
                    else { throw error(.invalidUTF8, "lone surrogate in a \\u escape") }
                    pos += 2
                    let low = try parseHex4()
                    guard low >= 0xDC00 && low < 0xE000 else {
                        throw error(.invalidUTF8, "lone surrogate in a \\u escape")
                    }
                    scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                } else if scalarValue >= 0xDC00 && scalarValue < 0xE000 {
                    throw error(.invalidUTF8, "lone surrogate in a \\u escape")
                }
                guard let scalar = Unicode.Scalar(scalarValue) else {
                    throw error(.invalidUTF8, "invalid \\u escape")
                }
                if let units = UTF8.encode(scalar) { buffer.append(contentsOf: units) }
            default:
                pos -= 2  // at the backslash
                throw error(.syntax, "invalid escape '\\\(describeByte(e))'")
            }
        }
        pos = start
        throw error(.syntax, "unterminated string")
    }

    private mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard bytes.count - pos >= 4 else { throw error(.syntax, "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b &- 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b &- 0x61 &+ 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b &- 0x41 &+ 10)
            default: throw error(.syntax, "invalid hex digit in a \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    private mutating func parseNumber() throws(JSONError) {
        let start = pos
        var isInteger = true
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw error(.syntax, "invalid number") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count && isDigit(bytes[pos]) {
                throw error(.syntax, "leading zeros are not allowed in a number")
            }
        } else {
            while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count && bytes[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else {
                throw error(.syntax, "expected a digit after the decimal point")
            }
            while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
            isInteger = false
            pos += 1
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) {
                pos += 1
            }
            guard pos < bytes.count, isDigit(bytes[pos]) else {
                throw error(.syntax, "expected a digit in the exponent")
            }
            while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<pos])
        if isInteger, let i = parseInt64(slice) {
            sink.int(i)
            return
        }
        let text = String(decoding: slice, as: UTF8.self)
        // An integer beyond 64 bits is kept as written (Python keeps it exact), if its Double
        // is finite, as for any number.
        if isInteger && slice.count <= JSON.maxBigIntegerDigits + 1, let d = Double(text), d.isFinite {
            sink.bigInteger(slice)
            return
        }
        guard let d = Double(text) else {
            pos = start
            throw error(.syntax, "invalid number")
        }
        // Out-of-range literals become ±infinity in strtod; JSON cannot carry them.
        guard d.isFinite else {
            pos = start
            throw error(.syntax, "number out of range")
        }
        sink.double(d)
    }

    private func parseInt64(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        var negative = false
        var i = 0
        if digits.count > 0 && digits[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        var value: Int64 = 0
        while i < digits.count {
            let d = Int64(digits[i] &- 0x30)
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            if o1 { return nil }
            let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            if o2 { return nil }
            value = s
            i += 1
        }
        return value
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// The offset of the first byte that makes `bytes` invalid UTF-8, or nil when they are valid.
/// ASCII is checked eight bytes at a time; only text with other bytes pays for full decoding.
public func invalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    let n = bytes.count
    guard let base = bytes.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i &+ 8 <= n {
        if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
        i &+= 8
    }
    while i < n && bytes[i] < 0x80 { i &+= 1 }
    if i == n { return nil }
    var decoder = UTF8()
    var iterator = UnsafeBufferPointer(rebasing: bytes[i...]).makeIterator()
    var offset = i
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let s): offset += UTF8.width(s)
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}

/// Appends valid JSON text without the whitespace between its tokens (strings are copied as
/// they are, escapes included).
func appendWithoutWhitespace(_ text: UnsafeBufferPointer<UInt8>, to out: inout TextBuffer) {
    var i = 0
    var runStart = 0
    var inString = false
    while i < text.count {
        let c = text[i]
        if inString {
            if c == UInt8(ascii: "\\") {
                i &+= 1  // the escaped character, whatever it is
            } else if c == UInt8(ascii: "\"") {
                inString = false
            }
        } else if c == UInt8(ascii: "\"") {
            inString = true
        } else if c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 {
            if let base = text.baseAddress, i > runStart { out.append(base + runStart, count: i &- runStart) }
            runStart = i &+ 1
        }
        i &+= 1
    }
    if let base = text.baseAddress, text.count > runStart { out.append(base + runStart, count: text.count &- runStart) }
}
