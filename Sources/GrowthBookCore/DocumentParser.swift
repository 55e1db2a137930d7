/// JSON text parsed straight into a `Document`, with no `JSON` tree between: attributes arrive
/// as text on every request (`gb_attributes_create`, `gb_set_attributes_json`), and building
/// a tree only to flatten it and free it cost about twice the flat document itself.
///
/// The text is read by the one parser (`JSONParser`, so the same inputs are accepted and
/// rejected with the same errors); this sink lays its nodes out as `DocumentBuilder` does:
/// node 0 is the root, and each array's elements and object's members are contiguous. A
/// container's children are gathered on a stack while it is open and copied out as one block
/// when it closes (its own children's blocks are already written by then), so nothing is
/// moved twice. A key given twice keeps its first position and its last value, as
/// `JSONObject` (and Python's `json.loads`) do.
extension Document {
    /// The document of one JSON text.
    public convenience init(parsing text: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        try JSON.checkSize(text)
        var parser = JSONParser(bytes: text, sink: DocumentSink(textBytes: text.count))
        defer { parser.sink.deallocate() }
        try parser.parseDocument()
        let d = parser.sink.finish()
        self.init(nodes: d.nodes, bytes: d.bytes, tables: d.tables)
    }
}

/// Records appended to memory of their own, without `Array`'s per-append uniqueness and
/// capacity bookkeeping (a parse appends a few records per byte of text). Owned by the one
/// `DocumentSink` that made it, which frees it (`deallocate`) when the parse ends, however it ends.
struct RecordStack<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 8)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    /// Room for `n` more records.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        guard capacity &- count < n else { return }
        // Sizes are those of memory the host handed in, far from Int's limit (as TextBuffer's).
        let c = max(capacity &* 2, count &+ n)
        let p = UnsafeMutablePointer<Element>.allocate(capacity: c)
        p.initialize(from: base, count: count)
        base.deallocate()
        base = p
        capacity = c
    }

    @inline(__always)
    mutating func append(_ e: Element) {
        reserve(1)
        (base + count).initialize(to: e)
        count &+= 1
    }

    @inline(__always)
    mutating func append(contentsOf b: UnsafeBufferPointer<Element>) {
        guard let src = b.baseAddress, b.count > 0 else { return }
        reserve(b.count)
        (base + count).initialize(from: src, count: b.count)
        count &+= b.count
    }

    /// Moves the records from `start` on to the end of `other`.
    @inline(__always)
    mutating func move(from start: Int, to other: inout RecordStack) {
        other.append(contentsOf: UnsafeBufferPointer(start: base + start, count: count &- start))
        count = start
    }

    mutating func removeLast(to newCount: Int) { count = min(count, max(newCount, 0)) }

    mutating func popLast() -> Element? {
        guard count > 0 else { return nil }
        count &-= 1
        return base[count]
    }

    subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }
}

struct DocumentSink: JSONSink {
    private var nodes: RecordStack<DocNode>
    private var bytes: RecordStack<UInt8>
    private var tables: [UInt32] = []
    /// The children of the open arrays and objects (an object's as key, value, key, ...), and
    /// then the value just completed.
    private var pending: RecordStack<DocNode>
    /// Where each open array's or object's children start in `pending`.
    private var starts: RecordStack<Int>

    init(textBytes: Int) {
        // Enough for small texts (a node takes at least two bytes of text; decoded strings are
        // no longer than their text), estimates past 4 KiB; both grow when needed.
        let n = min(textBytes, 4096)
        nodes = RecordStack(capacity: n / 2 &+ 1)
        nodes.append(.none)  // node 0, the root, is written when it is complete
        bytes = RecordStack(capacity: n &+ 2)
        pending = RecordStack(capacity: 32)
        starts = RecordStack(capacity: 16)
    }

    /// Empty again, keeping its memory (a builder reused for the next attributes).
    mutating func reset() {
        nodes.removeLast(to: 0)
        nodes.append(.none)
        bytes.removeLast(to: 0)
        pending.removeLast(to: 0)
        starts.removeLast(to: 0)
        tables.removeAll(keepingCapacity: true)
    }

    func deallocate() {
        nodes.deallocate()
        bytes.deallocate()
        pending.deallocate()
        starts.deallocate()
    }

    /// The document's storage: the root in node 0.
    mutating func finish() -> (nodes: FlatBuffer<DocNode>, bytes: FlatBuffer<UInt8>, tables: FlatBuffer<UInt32>) {
        nodes[0] = pending.count > 0 ? pending[pending.count &- 1] : .none
        return (
            FlatBuffer(copying: nodes.buffer), FlatBuffer(copying: bytes.buffer),
            tables.isEmpty ? Document.noTables : FlatBuffer(tables)
        )
    }

    mutating func null() { pending.append(.none) }
    mutating func bool(_ value: Bool) { pending.append(DocNode(kind: value ? .true : .false, count: 0, payload: 0)) }
    mutating func int(_ value: Int64) { pending.append(DocNode(kind: .int, count: 0, payload: UInt64(bitPattern: value))) }
    mutating func double(_ value: Double) { pending.append(DocNode(kind: .double, count: 0, payload: value.bitPattern)) }
    mutating func bigInteger(_ literal: UnsafeBufferPointer<UInt8>) {
        var b: [UInt8] = []
        let node = DocumentBuilder.bigIntegerNode(String(decoding: literal, as: UTF8.self), into: &b)
        let offset = bytes.count
        b.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        // the node's count is 1 + the literal's offset in `b`: moved by where `b` went
        pending.append(DocNode(kind: .double, count: node.count &+ UInt32(truncatingIfNeeded: offset), payload: node.payload))
    }
    mutating func string(_ b: UnsafeBufferPointer<UInt8>) { pending.append(stringNode(b)) }
    mutating func key(_ b: UnsafeBufferPointer<UInt8>) { pending.append(stringNode(b)) }
    mutating func endMember(depth: Int) {}
    mutating func beginArray() { starts.append(pending.count) }
    mutating func beginObject() { starts.append(pending.count) }

    mutating func endArray() {
        let start = starts.popLast() ?? pending.count
        let first = nodes.count
        pending.move(from: start, to: &nodes)
        pending.append(
            DocNode(kind: .array, count: UInt32(truncatingIfNeeded: nodes.count &- first), payload: UInt64(first)))
    }

    mutating func endObject() {
        let start = starts.popLast() ?? pending.count
        var table: UInt64 = 0
        if (pending.count &- start) / 2 <= documentTableThreshold {
            if hasDuplicateKey(from: start) { mergeDuplicateKeys(from: start) }
        } else {
            if let t = keyTable(from: start) {
                table = t
            } else {
                mergeDuplicateKeys(from: start)
                table = keyTable(from: start) ?? 0
            }
        }
        let first = nodes.count
        pending.move(from: start, to: &nodes)
        let n = (nodes.count &- first) / 2
        pending.append(DocNode(kind: .object, count: UInt32(truncatingIfNeeded: n), payload: UInt64(first) | table))
    }

    /// The key table of the open object whose members start at `start` (see
    /// `DocumentBuilder.appendKeyTable`); nil when a key repeats.
    private mutating func keyTable(from start: Int) -> UInt64? {
        let keys = pending
        let n = (keys.count &- start) / 2
        let text = bytes
        return DocumentBuilder.appendKeyTable(
            count: n, to: &tables,
            hash: { m in UInt32(truncatingIfNeeded: keys[start &+ 2 &* m].payload >> 32) },
            sameKey: { a, b in Self.sameKey(keys[start &+ 2 &* a], keys[start &+ 2 &* b], text) })
    }

    private mutating func stringNode(_ b: UnsafeBufferPointer<UInt8>) -> DocNode {
        let offset = bytes.count
        bytes.append(contentsOf: b)
        return DocNode(
            kind: .string, count: UInt32(truncatingIfNeeded: b.count),
            payload: UInt64(truncatingIfNeeded: offset) | UInt64(fnv1a(b)) << 32)
    }

    /// Whether key nodes `a` and `b` hold the same bytes.
    private static func sameKey(_ a: DocNode, _ b: DocNode, _ text: RecordStack<UInt8>) -> Bool {
        guard a.payload >> 32 == b.payload >> 32, a.count == b.count else { return false }
        let x = Int(UInt32(truncatingIfNeeded: a.payload))
        let y = Int(UInt32(truncatingIfNeeded: b.payload))
        let all = text.buffer
        return UnsafeBufferPointer(rebasing: all[x..<(x &+ Int(a.count))])
            .elementsEqual(UnsafeBufferPointer(rebasing: all[y..<(y &+ Int(b.count))]))
    }

    /// Whether the open object's members (keys at `start`, `start + 2`, ...) repeat a key: for
    /// objects without a key table.
    private func hasDuplicateKey(from start: Int) -> Bool {
        let n = (pending.count &- start) / 2
        for i in 0..<n {
            for j in 0..<i where Self.sameKey(pending[start &+ 2 &* i], pending[start &+ 2 &* j], bytes) { return true }
        }
        return false
    }

    /// Keeps one member per key: at its first position, with its last value. The members kept
    /// are found by key through an open-addressed table of their indices, so a large object with
    /// a repeated key costs linear time, as JSONObject's merge does.
    private mutating func mergeDuplicateKeys(from start: Int) {
        let n = (pending.count &- start) / 2
        var size = 16
        while size < 2 &* n { size <<= 1 }
        let mask = size &- 1
        var slots = [Int](repeating: -1, count: size)  // kept member index, -1: empty
        var kept = 0  // members kept so far, compacted at the front
        for i in 0..<n {
            let k = start &+ 2 &* i
            var slot = Int(UInt32(truncatingIfNeeded: pending[k].payload >> 32)) & mask
            var earlier = -1
            while slots[slot] >= 0 {
                if Self.sameKey(pending[start &+ 2 &* slots[slot]], pending[k], bytes) {
                    earlier = slots[slot]
                    break
                }
                slot = (slot &+ 1) & mask
            }
            if earlier >= 0 {
                pending[start &+ 2 &* earlier &+ 1] = pending[k &+ 1]
            } else {
                pending[start &+ 2 &* kept] = pending[k]
                pending[start &+ 2 &* kept &+ 1] = pending[k &+ 1]
                slots[slot] = kept
                kept &+= 1
            }
        }
        pending.removeLast(to: start &+ 2 &* kept)
    }
}

extension JSON {
    /// Parses a JSON text whose top-level member `member` (the attributes of a handle's options)
    /// is wanted as a `Document`: that member's value is read into a document of its own and is
    /// null in the tree returned; everything else is the tree `parse` returns. (The last of
    /// repeated members wins, as in the tree.)
    public static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, documentFor member: StaticString
    ) throws(JSONError) -> (json: JSON, document: Document?) {
        try checkSize(bytes)
        var parser = JSONParser(bytes: bytes, sink: SplitSink(member: member, textBytes: bytes.count))
        defer { parser.sink.deallocate() }
        try parser.parseDocument()
        return parser.sink.finish()
    }
}

/// The sink of `JSON.parse(_:documentFor:)`: events go to a tree sink, except those of one
/// top-level member's value, which go to a document sink (the tree gets null in its place).
struct SplitSink: JSONSink {
    private var tree = JSONTreeSink()
    private var document: DocumentSink
    /// The document sink holds a value (the member was seen).
    private var hasDocument = false
    private let member: StaticString
    /// Containers open (1: inside the top-level object).
    private var depth = 0
    /// The last key was `member`, at depth 1: the next value is the document's.
    private var next = false
    /// The depth at which the document's value started, while it is being read.
    private var routedDepth: Int? = nil

    init(member: StaticString, textBytes: Int) {
        self.member = member
        document = DocumentSink(textBytes: textBytes)
    }

    func deallocate() { document.deallocate() }

    mutating func finish() -> (json: JSON, document: Document?) {
        let json = tree.finish()
        guard hasDocument else { return (json, nil) }
        let storage = document.finish()  // (deallocate() still frees its stacks)
        return (json, Document(nodes: storage.nodes, bytes: storage.bytes, tables: storage.tables))
    }

    /// Before a value: whether it (and everything in it) is the document's.
    @inline(__always)
    private mutating func routes() -> Bool {
        if routedDepth != nil { return true }
        guard next else { return false }
        next = false
        if hasDocument { document.reset() }  // a repeated member: the last one wins
        hasDocument = true
        routedDepth = depth
        return true
    }

    /// After a value the document took: ends its turn when the value is complete.
    @inline(__always)
    private mutating func routedValueEnded() {
        guard routedDepth == depth else { return }
        routedDepth = nil
        tree.null()
    }

    /// A scalar: the document's when it is routed (and then the routed value may be complete),
    /// else the tree's.
    @inline(__always)
    private mutating func scalar(_ toDocument: (inout DocumentSink) -> Void, _ toTree: (inout JSONTreeSink) -> Void) {
        if routes() {
            toDocument(&document)
            routedValueEnded()
        } else {
            toTree(&tree)
        }
    }

    mutating func null() { scalar({ $0.null() }, { $0.null() }) }
    mutating func bool(_ value: Bool) { scalar({ $0.bool(value) }, { $0.bool(value) }) }
    mutating func int(_ value: Int64) { scalar({ $0.int(value) }, { $0.int(value) }) }
    mutating func double(_ value: Double) { scalar({ $0.double(value) }, { $0.double(value) }) }
    mutating func bigInteger(_ literal: UnsafeBufferPointer<UInt8>) {
        scalar({ $0.bigInteger(literal) }, { $0.bigInteger(literal) })
    }
    mutating func string(_ b: UnsafeBufferPointer<UInt8>) { scalar({ $0.string(b) }, { $0.string(b) }) }

    mutating func key(_ b: UnsafeBufferPointer<UInt8>) {
        if routedDepth != nil {
            document.key(b)
            return
        }
        next = depth == 1 && b.elementsEqual(UnsafeBufferPointer(start: member.utf8Start, count: member.utf8CodeUnitCount))
        tree.key(b)
    }

    mutating func endMember(depth: Int) {
        if routedDepth == nil { tree.endMember(depth: depth) }
    }

    mutating func beginArray() {
        if routes() { document.beginArray() } else { tree.beginArray() }
        depth &+= 1
    }

    mutating func beginObject() {
        if routes() { document.beginObject() } else { tree.beginObject() }
        depth &+= 1
    }

    mutating func endArray() {
        depth &-= 1
        if routedDepth != nil {
            document.endArray()
            routedValueEnded()
        } else {
            tree.endArray()
        }
    }

    mutating func endObject() {
        depth &-= 1
        if routedDepth != nil {
            document.endObject()
            routedValueEnded()
        } else {
            tree.endObject()
        }
    }
}
