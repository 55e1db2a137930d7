/// Attributes built from typed values, one call per value (`gb_attributes_builder`): for
/// bindings holding the attributes as their language's values, which would otherwise write
/// JSON text only for the library to parse it again. The values go to the same sink the
/// parser writes to (`DocumentSink`), so a document built here is laid out exactly as the
/// parsed text of the same value is (repeated keys: the first position, the last value).
///
/// The top-level object is open from the start: its members are given as key, value, key,
/// value, ... and `finish` closes it. Every call checks that it fits where it comes (a key
/// where a key is due, containers closed in order, at most `JSON.maxDepth` levels, strings of
/// valid UTF-8, finite doubles, integer literals as JSON writes them) and throws without
/// changing anything when it does not, so the caller may go on with another call.
/// Not thread-safe: one thread at a time builds.
public struct AttributesBuilder: ~Copyable {
    private var sink = DocumentSink(textBytes: 256)
    /// The open containers, innermost last: true for an object. The top-level object is the first.
    private var open: [Bool] = [true]
    /// Inside an object, a key was given and its value is due.
    private var valueDue = false

    public init() { sink.beginObject() }

    deinit { sink.deallocate() }

    private func checkValue() throws(GrowthBookError) {
        guard let inObject = open.last, !inObject || valueDue else {
            throw .invalidArgument("a key is due before a value in an object")
        }
    }

    /// After a complete value.
    private mutating func valueGiven() { valueDue = false }

    private static func checkUTF8(_ b: UnsafeBufferPointer<UInt8>, _ what: String) throws(GrowthBookError) {
        if let bad = invalidUTF8Offset(b) { throw .invalidUTF8(what, offset: bad) }
    }

    public mutating func key(_ b: UnsafeBufferPointer<UInt8>) throws(GrowthBookError) {
        guard open.last == true, !valueDue else {
            throw .invalidArgument(valueDue ? "a value is due after the key" : "a key outside an object")
        }
        try Self.checkUTF8(b, "key")
        sink.key(b)
        valueDue = true
    }

    public mutating func string(_ b: UnsafeBufferPointer<UInt8>) throws(GrowthBookError) {
        try checkValue()
        try Self.checkUTF8(b, "string")
        sink.string(b)
        valueGiven()
    }

    public mutating func int(_ v: Int64) throws(GrowthBookError) {
        try checkValue()
        sink.int(v)
        valueGiven()
    }

    public mutating func double(_ v: Double) throws(GrowthBookError) {
        try checkValue()
        guard v.isFinite else { throw .invalidArgument("a double must be finite (JSON has no NaN or infinity)") }
        sink.double(v)
        valueGiven()
    }

    public mutating func bool(_ v: Bool) throws(GrowthBookError) {
        try checkValue()
        sink.bool(v)
        valueGiven()
    }

    public mutating func null() throws(GrowthBookError) {
        try checkValue()
        sink.null()
        valueGiven()
    }

    /// An integer given as its decimal literal (`-?[1-9][0-9]*` or `0`): one that fits in 64
    /// bits is an integer, a longer one is kept as written (`JSON.bigInteger`), as the parser
    /// reads the same literal.
    public mutating func integerLiteral(_ b: UnsafeBufferPointer<UInt8>) throws(GrowthBookError) {
        try checkValue()
        let digits = b.first == UInt8(ascii: "-") ? UnsafeBufferPointer(rebasing: b.dropFirst()) : b
        guard let first = digits.first, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            first != UInt8(ascii: "0") || digits.count == 1
        else { throw .invalidArgument("an integer literal must be -?[1-9][0-9]* or 0") }
        guard b.count <= JSON.maxBigIntegerDigits + 1 else {
            throw .invalidArgument("an integer literal of more than \(JSON.maxBigIntegerDigits) digits")
        }
        // As the parser reads the literal: an Int64, or a big integer.
        let text = String(decoding: b, as: UTF8.self)
        if let i = Int64(text) {
            sink.int(i)
        } else {
            guard let d = Double(text), d.isFinite else { throw .invalidArgument("an integer literal out of range") }
            sink.bigInteger(b)
        }
        valueGiven()
    }

    private mutating func begin(object: Bool) throws(GrowthBookError) {
        try checkValue()
        guard open.count < JSON.maxDepth else { throw .invalidArgument("nesting deeper than \(JSON.maxDepth) levels") }
        if object { sink.beginObject() } else { sink.beginArray() }
        open.append(object)
        valueDue = false
    }

    public mutating func beginArray() throws(GrowthBookError) { try begin(object: false) }
    public mutating func beginObject() throws(GrowthBookError) { try begin(object: true) }

    private mutating func end(object: Bool) throws(GrowthBookError) {
        guard open.count > 1, open.last == object else {
            throw .invalidArgument(object ? "no object is open" : "no array is open")
        }
        guard !valueDue else { throw .invalidArgument("a value is due after the key") }
        open.removeLast()
        if object { sink.endObject() } else { sink.endArray() }
        valueGiven()
    }

    public mutating func endArray() throws(GrowthBookError) { try end(object: false) }
    public mutating func endObject() throws(GrowthBookError) { try end(object: true) }

    /// The attributes built, with the builder emptied for the next ones.
    public mutating func finish() throws(GrowthBookError) -> Attributes {
        guard open.count == 1 else { throw .invalidArgument("\(open.count - 1) array or object still open") }
        guard !valueDue else { throw .invalidArgument("a value is due after the key") }
        sink.endObject()
        let storage = sink.finish()
        sink.reset()
        sink.beginObject()
        return Attributes(document: Document(nodes: storage.nodes, bytes: storage.bytes, tables: storage.tables))
    }
}
