/// JSON values stored flat (see `FlatStorage`): a document is an array of nodes and one buffer
/// of string bytes. Attributes are parsed into a document once (`gb_attributes_create`,
/// `gb_set_attributes_json`), and a snapshot keeps every value its features hold (default
/// values, forced values, variations, condition operands) in one, so that evaluating reads
/// both in place with no reference counting and no allocation.
///
/// The children of an array, and the members of an object (a key node then a value node), are
/// contiguous, so element `i` is found by arithmetic; objects of more than eight members also
/// get an open-addressed table of their keys' hashes.

/// The kind of a node, numbered as the header's `GB_VALUE_*`.
enum ValueKind: UInt8 {
    case null = 0, `false` = 1, `true` = 2, int = 3, double = 4, string = 5, array = 6, object = 7
}

/// One value of a document: 16 bytes.
struct DocNode: FlatRecord {
    var kind: ValueKind
    /// String: byte length. Array: elements. Object: members.
    var count: UInt32
    /// Int and double: the bits. String: byte offset (low 32 bits) and the FNV-1a hash of the
    /// bytes (high 32). Array: the first element's node. Object: the first member's key node
    /// (low 32) and, for a large object, its table's start + 1 (high 32; 0 when none).
    var payload: UInt64

    static var none: DocNode { DocNode(kind: .null, count: 0, payload: 0) }
}

/// A reference to bytes of a document or snapshot byte buffer, with their FNV-1a hash.
struct StringRef: FlatRecord, Equatable {
    var offset: UInt32
    var count: UInt32
    var hash: UInt32

    static var none: StringRef { StringRef(offset: 0, count: 0, hash: fnvOffsetBasis) }
}

/// FNV-1a over UTF-8 bytes: the key hash of objects and paths (`keyHash` of a String).
@inline(__always)
func fnv1aBytes(_ s: ByteSpan) -> UInt32 {
    s.withBuffer { fnv1a($0) }
}

/// Objects with more members than this get a hash table.
let documentTableThreshold = 8

/// Builds a document (or a snapshot's value store): values and strings appended, their node
/// indices and string references returned.
struct DocumentBuilder {
    private(set) var nodes: [DocNode] = []
    private(set) var bytes: [UInt8] = []
    private var tables: [UInt32] = []
    /// Interned strings (keys and paths repeat across a payload), by a 64-bit hash of their
    /// bytes; a hit is checked byte for byte (a collision just stores the string again). Keys
    /// of plain integers keep the table free of one allocation per entry.
    private var interned = InternTable()
    /// Values added with `addShared`, by a hash of their shape; a hit is checked node by node
    /// (`1` and `1.0` stay apart).
    private var sharedValues: [UInt64: Int32] = [:]

    /// Whether strings are interned: worth it for a payload (keys and paths repeat), not for
    /// one value such as attributes, whose few strings rarely repeat and whose intern table
    /// would cost more than the bytes saved.
    private let interns: Bool

    init() { interns = true }

    /// A builder for the one value `value`, sized for it up front: its nodes and string bytes
    /// counted first, so neither array grows, and no string interned.
    init(sizedFor value: JSON) {
        interns = false
        var nodeCount = 0
        var byteCount = 0
        Self.measure(value, nodes: &nodeCount, bytes: &byteCount)
        nodes.reserveCapacity(nodeCount)
        bytes.reserveCapacity(byteCount)
    }

    /// Counts the nodes and string bytes `value` takes (recursion follows the value's depth,
    /// which the parser bounds).
    private static func measure(_ value: JSON, nodes: inout Int, bytes: inout Int) {
        nodes &+= 1
        switch value {
        case .string(let s): bytes &+= s.utf8.count
        case .bigInteger(let digits): bytes &+= digits.utf8.count &+ 2
        case .array(let items):
            for item in items { measure(item, nodes: &nodes, bytes: &bytes) }
        case .object(let o):
            for (k, v) in o.pairs {
                nodes &+= 1
                bytes &+= k.utf8.count
                measure(v, nodes: &nodes, bytes: &bytes)
            }
        case .null, .bool, .int, .double: break
        }
    }

    /// Reserves room for a payload of `textBytes` bytes of JSON (its nodes and string bytes
    /// take about a tenth and a half of that), so the arrays do not grow by doubling past
    /// what they need.
    mutating func reserve(forTextBytes textBytes: Int) {
        nodes.reserveCapacity(textBytes / 16)
        bytes.reserveCapacity(textBytes / 2)
    }

    /// Appends the bytes of `s` (interned) and returns where they are.
    mutating func string(_ s: String) -> StringRef {
        var s = s
        return s.withUTF8 { string(bytes: $0) }
    }

    /// Appends `b` (interned) and returns where the bytes are.
    mutating func string(bytes b: UnsafeBufferPointer<UInt8>) -> StringRef {
        if !interns { return rawBytes(b) }
        // Both hashes in one pass: the 64-bit one interns, the 32-bit one is the key hash
        // look-ups compare.
        var wide: UInt64 = 0xcbf2_9ce4_8422_2325
        var h = fnvOffsetBasis
        for x in b {
            wide = (wide ^ UInt64(x)) &* 0x100_0000_01b3
            h = (h ^ UInt32(x)) &* 0x0100_0193
        }
        let n = b.count
        let slot = interned.slot(wide)
        if let r = interned.ref(at: slot) {
            if Int(r.count) == n
                && bytes.withUnsafeBufferPointer({ all in
                    bytesEqual(UnsafeBufferPointer(rebasing: all[Int(r.offset)..<Int(r.offset) &+ n]), b)
                })
            {
                return r
            }
        }
        let start = bytes.count
        bytes.append(contentsOf: b)
        let r = StringRef(offset: UInt32(truncatingIfNeeded: start), count: UInt32(truncatingIfNeeded: n), hash: h)
        if interned.ref(at: slot) == nil { interned.insert(r, hash: wide, at: slot) }
        return r
    }

    /// Appends raw bytes (not interned) and returns where they are.
    mutating func rawBytes(_ b: UnsafeBufferPointer<UInt8>) -> StringRef {
        let start = bytes.count
        bytes.append(contentsOf: b)
        return StringRef(
            offset: UInt32(truncatingIfNeeded: start), count: UInt32(truncatingIfNeeded: b.count), hash: fnv1a(b))
    }

    /// Appends `value` and returns its node's index. Recursion follows the value's depth,
    /// which the parser bounds.
    @discardableResult
    mutating func add(_ value: JSON) -> Int32 {
        let index = nodes.count
        nodes.append(.none)
        set(index, value)
        return Int32(truncatingIfNeeded: index)
    }

    /// Appends `value` or returns the node of an equal one (same JSON text) added this way
    /// before: payloads repeat their values (`true`, `[false, true]`, small configs). Nodes are
    /// immutable, so sharing them is safe.
    mutating func addShared(_ value: JSON) -> Int32 {
        var budget = 64  // values bigger than this are rarely repeated: not worth hashing
        var wide: UInt64 = 0xcbf2_9ce4_8422_2325
        guard Self.shapeHash(value, into: &wide, budget: &budget) else { return add(value) }
        if let node = sharedValues[wide], nodeEquals(Int(node), value) { return node }
        let node = add(value)
        if sharedValues[wide] == nil { sharedValues[wide] = node }
        return node
    }

    /// Mixes `value` into `h` (kinds, numbers' forms, strings, order), visiting at most
    /// `budget` values; false when the value is bigger than that.
    private static func shapeHash(_ value: JSON, into h: inout UInt64, budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        @inline(__always) func mix(_ x: UInt64) { h = (h ^ x) &* 0x100_0000_01b3 }
        switch value {
        case .null: mix(1)
        case .bool(let b): mix(b ? 2 : 3)
        case .int(let i):
            mix(4)
            mix(UInt64(bitPattern: i))
        case .double(let d):
            mix(5)
            mix(d.bitPattern)
        case .bigInteger(let digits):
            mix(9)
            for b in digits.utf8 { mix(UInt64(b)) }
        case .string(let s):
            mix(6)
            for b in s.utf8 { mix(UInt64(b)) }
            mix(UInt64(s.utf8.count))
        case .array(let items):
            mix(7)
            mix(UInt64(items.count))
            for item in items where !shapeHash(item, into: &h, budget: &budget) { return false }
        case .object(let o):
            mix(8)
            mix(UInt64(o.count))
            for (k, v) in o.pairs {
                guard shapeHash(.string(k), into: &h, budget: &budget), shapeHash(v, into: &h, budget: &budget) else {
                    return false
                }
            }
        }
        return true
    }

    /// Whether node `i` holds exactly `value` (kinds, numbers' forms, strings, order).
    private func nodeEquals(_ i: Int, _ value: JSON) -> Bool {
        guard i >= 0 && i < nodes.count else { return false }
        let n = nodes[i]
        switch value {
        case .null: return n.kind == .null
        case .bool(let b): return n.kind == (b ? .true : .false)
        case .int(let x): return n.kind == .int && n.payload == UInt64(bitPattern: x)
        case .double(let d): return n.kind == .double && n.count == 0 && n.payload == d.bitPattern
        case .bigInteger(let digits):
            guard n.kind == .double, n.count > 0 else { return false }
            return bigIntegerLiteral(n).elementsEqual(digits.utf8)
        case .string(let s):
            guard n.kind == .string, Int(n.count) == s.utf8.count else { return false }
            let start = Int(UInt32(truncatingIfNeeded: n.payload))
            return s.utf8.elementsEqual(bytes[start..<start + Int(n.count)])
        case .array(let items):
            guard n.kind == .array, Int(n.count) == items.count else { return false }
            let first = Int(UInt32(truncatingIfNeeded: n.payload))
            for (k, item) in items.enumerated() where !nodeEquals(first + k, item) { return false }
            return true
        case .object(let o):
            guard n.kind == .object, Int(n.count) == o.count else { return false }
            let first = Int(UInt32(truncatingIfNeeded: n.payload))
            var k = 0
            for (key, v) in o.pairs {
                if !nodeEquals(first + 2 * k, .string(key)) || !nodeEquals(first + 2 * k + 1, v) { return false }
                k += 1
            }
            return true
        }
    }

    private mutating func set(_ index: Int, _ value: JSON) {
        switch value {
        case .null: nodes[index] = .none
        case .bool(let b):
            nodes[index] = DocNode(kind: b ? .true : .false, count: 0, payload: 0)
        case .int(let i):
            nodes[index] = DocNode(kind: .int, count: 0, payload: UInt64(bitPattern: i))
        case .double(let d):
            nodes[index] = DocNode(kind: .double, count: 0, payload: d.bitPattern)
        case .bigInteger(let digits):
            nodes[index] = Self.bigIntegerNode(digits, into: &bytes)
        case .string(let s):
            nodes[index] = stringNode(string(s))
        case .array(let items):
            let first = nodes.count
            nodes.append(contentsOf: repeatElement(.none, count: items.count))
            for (i, item) in items.enumerated() { set(first + i, item) }
            nodes[index] = DocNode(
                kind: .array, count: UInt32(truncatingIfNeeded: items.count),
                payload: UInt64(truncatingIfNeeded: first))
        case .object(let o):
            let n = o.count
            let first = nodes.count
            nodes.append(contentsOf: repeatElement(.none, count: 2 * n))
            var i = 0
            for (k, v) in o.pairs {
                nodes[first + 2 * i] = stringNode(string(k))
                set(first + 2 * i + 1, v)
                i += 1
            }
            let keys = nodes
            let table =
                Self.appendKeyTable(count: n, to: &tables) { m in
                    UInt32(truncatingIfNeeded: keys[first + 2 * m].payload >> 32)
                } ?? 0
            nodes[index] = DocNode(
                kind: .object, count: UInt32(truncatingIfNeeded: n),
                payload: UInt64(truncatingIfNeeded: first) | table)
        }
    }

    /// A big integer's node: a double node (its nearest Double) whose `count` is 1 + the
    /// offset of its literal in `bytes`, stored there after a 2-byte length (`Val.bigIntegerLiteral`).
    static func bigIntegerNode(_ digits: String, into bytes: inout [UInt8]) -> DocNode {
        let n = min(digits.utf8.count, JSON.maxBigIntegerDigits + 1)
        let start = bytes.count
        bytes.append(UInt8(truncatingIfNeeded: n))
        bytes.append(UInt8(truncatingIfNeeded: n >> 8))
        bytes.append(contentsOf: digits.utf8.prefix(n))
        return DocNode(kind: .double, count: UInt32(truncatingIfNeeded: start &+ 1), payload: (Double(digits) ?? 0).bitPattern)
    }

    /// For an object of more than `documentTableThreshold` members: appends its table of key
    /// hashes (`hash(m)` for member `m`) to `tables` and returns the bits its node's payload
    /// gets for it (its start + 1, high 32 bits); 0 for a smaller object. With `sameKey`, two
    /// members with the same key are looked for on the way: nil, with nothing appended, when
    /// there are.
    @inline(__always)
    static func appendKeyTable(
        count n: Int, to tables: inout [UInt32], hash: (Int) -> UInt32, sameKey: ((Int, Int) -> Bool)? = nil
    ) -> UInt64? {
        guard n > documentTableThreshold else { return 0 }
        // The table's size, then its slots (member index + 1; 0 is empty).
        var size = 16
        while size < 2 * n { size <<= 1 }
        let start = tables.count
        tables.append(UInt32(truncatingIfNeeded: size))
        tables.append(contentsOf: repeatElement(0, count: size))
        let mask = size - 1
        for m in 0..<n {
            let h = hash(m)
            var slot = Int(h) & mask
            while tables[start + 1 + slot] != 0 {
                if let sameKey {
                    let other = Int(tables[start + 1 + slot]) - 1
                    if hash(other) == h && sameKey(other, m) {
                        tables.removeLast(tables.count - start)
                        return nil
                    }
                }
                slot = (slot + 1) & mask
            }
            tables[start + 1 + slot] = UInt32(truncatingIfNeeded: m + 1)
        }
        return UInt64(truncatingIfNeeded: start + 1) << 32
    }

    /// The literal of a big integer's node, from the bytes being built.
    private func bigIntegerLiteral(_ n: DocNode) -> ArraySlice<UInt8> {
        let start = Int(n.count) &- 1
        guard start >= 0, start &+ 2 <= bytes.count else { return [] }
        let length = Int(bytes[start]) | Int(bytes[start &+ 1]) << 8
        return bytes[(start &+ 2)..<min(bytes.count, start &+ 2 &+ length)]
    }

    /// A string node for bytes already stored.
    func stringNode(_ r: StringRef) -> DocNode {
        DocNode(
            kind: .string, count: r.count,
            payload: UInt64(r.offset) | UInt64(r.hash) << 32)
    }

    /// Appends a node for a string already stored (for strings the compiler derives, e.g. a
    /// lower-cased operand) and returns its index.
    mutating func addString(_ s: String) -> Int32 {
        let index = nodes.count
        nodes.append(stringNode(string(s)))
        return Int32(truncatingIfNeeded: index)
    }

    func finish() -> Document {
        Document(
            nodes: FlatBuffer(nodes), bytes: FlatBuffer(bytes),
            tables: tables.isEmpty ? Document.noTables : FlatBuffer(tables))
    }
}

/// The strings a builder interned, by a 64-bit hash of their bytes: open addressing with
/// linear probing, at most half full (a Dictionary spent more on hashing its UInt64 keys than
/// this spends on the whole look-up).
struct InternTable {
    /// The hash in each slot (0: empty; a hash of 0 is stored as 1). Both arrays are
    /// allocated at the first insert, then grown by doubling (a builder that interns nothing
    /// allocates nothing here).
    private var hashes: [UInt64] = []
    private var refs: [StringRef] = []
    private var count = 0

    private static func key(_ hash: UInt64) -> UInt64 { hash == 0 ? 1 : hash }

    /// The slot holding `hash`, or the empty slot where it would go.
    func slot(_ hash: UInt64) -> Int {
        guard !hashes.isEmpty else { return -1 }
        let k = Self.key(hash)
        let mask = hashes.count &- 1
        var i = Int(truncatingIfNeeded: k ^ (k >> 29)) & mask
        while hashes[i] != 0 && hashes[i] != k { i = (i &+ 1) & mask }
        return i
    }

    /// The string at `slot`, nil when the slot is empty.
    func ref(at slot: Int) -> StringRef? { slot < 0 || hashes[slot] == 0 ? nil : refs[slot] }

    /// Stores `ref` in the empty `slot` that `slot(hash)` returned.
    mutating func insert(_ ref: StringRef, hash: UInt64, at slot: Int) {
        if slot < 0 {  // the first insert: no table yet
            hashes = [UInt64](repeating: 0, count: 64)
            refs = [StringRef](repeating: .none, count: 64)
            insert(ref, hash: hash, at: self.slot(hash))
            return
        }
        hashes[slot] = Self.key(hash)
        refs[slot] = ref
        count &+= 1
        if count &* 2 > hashes.count { grow() }
    }

    private mutating func grow() {
        let oldHashes = hashes
        let oldRefs = refs
        hashes = [UInt64](repeating: 0, count: oldHashes.count &* 2)
        refs = [StringRef](repeating: .none, count: oldHashes.count &* 2)
        for i in 0..<oldHashes.count where oldHashes[i] != 0 {
            let s = slot(oldHashes[i])
            hashes[s] = oldHashes[i]
            refs[s] = oldRefs[i]
        }
    }
}

/// An immutable document: what a builder made.
public final class Document: Sendable {
    let nodes: FlatBuffer<DocNode>
    let bytes: FlatBuffer<UInt8>
    let tables: FlatBuffer<UInt32>
    private let views: FlatBox<DocTables>

    init(nodes: FlatBuffer<DocNode>, bytes: FlatBuffer<UInt8>, tables: FlatBuffer<UInt32>) {
        self.nodes = nodes
        self.bytes = bytes
        self.tables = tables
        views = FlatBox(DocTables(nodes: nodes.view, bytes: bytes.view, tables: tables.view))
    }

    /// A document of one value (its root, node 0).
    public convenience init(_ value: JSON) {
        var b = DocumentBuilder(sizedFor: value)
        b.add(value)
        let d = b.finish()
        self.init(nodes: d.nodes, bytes: d.bytes, tables: d.tables)
    }

    /// Whether `other` holds the same nodes, bytes and tables (the same value, laid out the same).
    func hasSameContents(as other: Document) -> Bool {
        if self === other { return true }
        let (a, b) = (view, other.view)
        guard a.nodes.count == b.nodes.count, a.bytes.count == b.bytes.count, a.tables.count == b.tables.count else {
            return false
        }
        for i in 0..<a.nodes.count {
            let (x, y) = (a.nodes[i], b.nodes[i])  // field by field: the records' padding is not compared
            if x.kind != y.kind || x.count != y.count || x.payload != y.payload { return false }
        }
        for i in 0..<a.tables.count where a.tables[i] != b.tables[i] { return false }
        return a.bytes.bytes(0, a.bytes.count) == b.bytes.bytes(0, b.bytes.count)
    }

    /// Views of the storage, valid while this document is alive.
    var view: DocView { DocView(views.ref) }

    /// The root value.
    var root: Val { Val(view, 0) }

    public static let emptyObject = Document(.object(JSONObject()))

    /// The tables of every document without an object of more than `documentTableThreshold`
    /// members (most attribute documents): shared, not allocated each.
    static let noTables = FlatBuffer<UInt32>([])
}

/// The views of a document's storage, kept out of line in the document (see `DocView`).
struct DocTables: BitwiseCopyable {
    let nodes: FlatView<DocNode>
    let bytes: FlatView<UInt8>
    let tables: FlatView<UInt32>
}

/// The storage of a document, read in place: one pointer to its views. Valid while the
/// document is alive.
struct DocView: Sendable {
    private let ref: FlatRef<DocTables>

    init(_ ref: FlatRef<DocTables>) { self.ref = ref }

    var nodes: FlatView<DocNode> { ref.pointee.nodes }
    var bytes: FlatView<UInt8> { ref.pointee.bytes }
    var tables: FlatView<UInt32> { ref.pointee.tables }

    /// The view of no document: every node reads as null.
    static var empty: DocView { emptyDocument.view }

    @inline(__always)
    func span(_ r: StringRef) -> ByteSpan { bytes.bytes(Int(r.offset), Int(r.count)) }
}

/// A document of no nodes (its node 0 reads as `DocNode.none`, null).
private let emptyDocument = DocumentBuilder().finish()

/// A value of a document: the document's views and a node index. Index -1 (or any index out
/// of range) is null: a missing attribute reads as null, as in the reference. Two words, so
/// that values pass in registers.
struct Val: Sendable {
    let doc: DocView
    let index: Int32

    @inline(__always)
    init(_ doc: DocView, _ index: Int32) {
        self.doc = doc
        self.index = index
    }

    static var null: Val { Val(.empty, -1) }

    /// Calls `body` with an integer made up for the call (a `$size` test's array length): a
    /// one-node document on the stack, beside `doc`'s bytes and tables, valid during the call.
    static func withInteger<R>(_ n: Int64, beside doc: DocView, _ body: (Val) -> R) -> R {
        FlatView.withTemporary(DocNode(kind: .int, count: 0, payload: UInt64(bitPattern: n))) { nodes in
            withTemporaryFlatRef(DocTables(nodes: nodes, bytes: doc.bytes, tables: doc.tables)) { tables in
                body(Val(DocView(tables), 0))
            }
        }
    }

    @inline(__always)
    var node: DocNode { doc.nodes[index] }

    @inline(__always)
    var kind: ValueKind { doc.nodes[index].kind }

    var isNull: Bool { kind == .null }

    var int: Int64 { Int64(bitPattern: node.payload) }

    var double: Double { Double(bitPattern: node.payload) }

    /// The literal of an integer beyond 64 bits (`JSON.bigInteger`, a double node holding its
    /// nearest Double), or nil for any other value.
    var bigIntegerLiteral: ByteSpan? {
        let n = node
        guard n.kind == .double, n.count > 0 else { return nil }
        let start = Int(n.count) &- 1
        let prefix = doc.bytes.bytes(start, 2)
        guard prefix.count == 2 else { return nil }
        return doc.bytes.bytes(start &+ 2, Int(prefix[0]) | Int(prefix[1]) << 8)
    }

    /// A string's bytes (empty for anything else).
    @inline(__always)
    var bytes: ByteSpan {
        let n = node
        guard n.kind == .string else { return .empty }
        return doc.bytes.bytes(Int(UInt32(truncatingIfNeeded: n.payload)), Int(n.count))
    }

    /// A string's FNV-1a hash.
    var stringHash: UInt32 { UInt32(truncatingIfNeeded: node.payload >> 32) }

    /// Elements of an array, members of an object, bytes of a string.
    var count: Int { Int(node.count) }

    /// Element `i` of an array (null out of range or for other kinds).
    @inline(__always)
    func element(_ i: Int) -> Val {
        let n = node
        guard n.kind == .array, i >= 0, i < Int(n.count) else { return Val(doc, -1) }
        return Val(doc, Int32(truncatingIfNeeded: Int(truncatingIfNeeded: n.payload) &+ i))
    }

    /// Member `i` of an object: its key and value.
    @inline(__always)
    func member(_ i: Int) -> (key: Val, value: Val) {
        let n = node
        guard n.kind == .object, i >= 0, i < Int(n.count) else { return (Val(doc, -1), Val(doc, -1)) }
        let first = Int(UInt32(truncatingIfNeeded: n.payload)) &+ 2 &* i
        return (Val(doc, Int32(truncatingIfNeeded: first)), Val(doc, Int32(truncatingIfNeeded: first &+ 1)))
    }

    /// The value of the member whose key has these bytes (and hash), or nil.
    @inline(__always)
    func lookup(_ key: ByteSpan, hash: UInt32) -> Val? {
        lookup(hash: hash, count: key.count) { key }
    }

    /// The value of the member whose key has this hash, length and bytes, or nil; `key` gives
    /// the bytes, read only for a member whose hash and length match.
    @inline(__always)
    func lookup(hash: UInt32, count keyCount: Int, _ key: () -> ByteSpan) -> Val? {
        let nodes = doc.nodes
        let n = nodes[index]
        guard n.kind == .object else { return nil }
        let first = Int(UInt32(truncatingIfNeeded: n.payload))
        let table = Int(UInt32(truncatingIfNeeded: n.payload >> 32))
        let count = Int(n.count)
        let bytes = doc.bytes
        /// Whether member `m`'s key is `key`.
        @inline(__always) func matches(_ m: Int) -> Bool {
            let k = nodes[first &+ 2 &* m]
            return UInt32(truncatingIfNeeded: k.payload >> 32) == hash && Int(k.count) == keyCount
                && bytes.bytes(Int(UInt32(truncatingIfNeeded: k.payload)), Int(k.count)) == key()
        }
        if table > 0 {
            let tables = doc.tables
            let start = table - 1
            let size = Int(tables[start])
            guard size > 0 else { return nil }
            let mask = size - 1
            var slot = Int(hash) & mask
            var probes = 0
            while probes < size {
                let entry = Int(tables[start + 1 + slot])
                if entry == 0 || entry > count { return nil }
                if matches(entry - 1) { return Val(doc, Int32(truncatingIfNeeded: first &+ 2 &* (entry - 1) &+ 1)) }
                slot = (slot + 1) & mask
                probes += 1
            }
            return nil
        }
        var m = 0
        while m < count {
            if matches(m) { return Val(doc, Int32(truncatingIfNeeded: first &+ 2 &* m &+ 1)) }
            m &+= 1
        }
        return nil
    }

    /// The value of the member named `name`, or nil (for the rare look-ups by a name not
    /// compiled into a snapshot).
    func member(named name: String) -> Val? {
        var name = name
        return name.withUTF8 { b in lookup(ByteSpan(b), hash: fnv1a(b)) }
    }

    /// The value as a tree (allocates: for results and the rare paths that need one).
    /// Recursion follows the document's depth, which its builder's input bounds.
    var json: JSON {
        switch kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .int: return .int(int)
        case .double: return bigIntegerLiteral.map { .bigInteger($0.string) } ?? .double(double)
        case .string: return .string(bytes.string)
        case .array: return .array((0..<count).map { element($0).json })
        case .object:
            var o = JSONObject()
            for i in 0..<count {
                let m = member(i)
                o[m.key.bytes.string] = m.value.json
            }
            return .object(o)
        }
    }

    /// Appends the value as compact JSON text, as `JSON.write` writes it.
    func write(to out: inout TextBuffer) {
        switch kind {
        case .null: out.appendLiteral("null")
        case .false: out.appendLiteral("false")
        case .true: out.appendLiteral("true")
        case .int: out.appendInteger(int)
        case .double:
            if let literal = bigIntegerLiteral { out.append(literal) } else { JSON.writeDouble(double, to: &out) }
        case .string: writeJSONString(bytes, to: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for i in 0..<count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element(i).write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            for i in 0..<count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                let m = member(i)
                writeJSONString(m.key.bytes, to: &out)
                out.append(UInt8(ascii: ":"))
                m.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// Appends bytes as a JSON string: quotes, backslashes and control characters escaped, all
/// else (UTF-8 included) as it is. The one escaper: `JSON.writeString` uses it too.
func writeJSONString(_ s: ByteSpan, to out: inout TextBuffer) {
    out.append(UInt8(ascii: "\""))
    var plain = true
    var i = 0
    while i < s.count {
        let b = s[i]
        if b < 0x20 || b == 0x22 || b == 0x5c {
            plain = false
            break
        }
        i &+= 1
    }
    if plain {
        out.append(s)
    } else {
        for j in 0..<s.count {
            let b = s[j]
            switch b {
            case 0x22: out.appendLiteral(#"\""#)
            case 0x5c: out.appendLiteral(#"\\"#)
            case 0x0a: out.appendLiteral(#"\n"#)
            case 0x0d: out.appendLiteral(#"\r"#)
            case 0x09: out.appendLiteral(#"\t"#)
            case 0x08: out.appendLiteral(#"\b"#)
            case 0x0c: out.appendLiteral(#"\f"#)
            case 0..<0x20:
                out.appendLiteral(#"\u00"#)
                out.append(hexDigit(b >> 4))
                out.append(hexDigit(b & 0xf))
            default: out.append(b)
            }
        }
    }
    out.append(UInt8(ascii: "\""))
}

@inline(__always)
private func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 &+ n : 0x57 &+ n }
