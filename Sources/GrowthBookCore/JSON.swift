/// A JSON value.
///
/// Integers written without a fraction or exponent that fit in 64 bits stay `.int`, so that they
/// print back the way the reference SDK (Python's `json`) prints them: `1` stays `1`, `1.0` stays
/// `1.0`. Objects keep their keys in insertion order.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// An integer literal beyond 64 bits, as written ("-" and digits, no leading zeros, at
    /// most `JSON.maxBigIntegerDigits`): Python's `json` keeps it an exact int, which
    /// python-1.1.0 compares, hashes and prints exactly; as a number elsewhere (and in js,
    /// where every number is a double) it is its nearest Double. Written back as given.
    case bigInteger(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

extension JSON {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The number as a Double, for `.int` and `.double` (never for booleans).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bigInteger(let digits): return Double(digits)
        default: return nil
        }
    }

    /// The number as an Int when it is integral and representable (`2.0` counts; `2.5` does not).
    public var intValue: Int? {
        switch self {
        case .int(let i): return Int(exactly: i)
        case .double(let d): return Int(exactly: d)
        default: return nil
        }
    }

    public var isNumber: Bool {
        switch self {
        case .int, .double, .bigInteger: return true
        default: return false
        }
    }

    /// Looks up a key when this is an object.
    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Python's `bool(value)`: null, false, 0, "", [] and {} are false; all else is true.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .bigInteger: return true  // never 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// The type name the condition operator `$type` uses.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double, .bigInteger: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSON: Equatable {
    /// Structural equality in the reference's sense: `1 == 1.0`, objects ignore key order.
    /// Booleans equal only booleans (as in JSON and the JavaScript SDK).
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bigInteger(let a), .bigInteger(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double):
            return lhs.doubleValue == rhs.doubleValue
        case (.bigInteger(let a), .double(let d)), (.double(let d), .bigInteger(let a)):
            return JSON.compareBigInteger(a, d) == 0 && !d.isNaN
        case (.string(let a), .string(let b)): return codePointsEqual(a, b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSON: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .bigInteger(let digits): hasher.combine(Double(digits) ?? 0)  // as the Double it may equal
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): hasher.combine(o.count)
        }
    }
}

// Deliberately not ExpressibleByNilLiteral: `nil` in a closure returning JSON would silently
// become `.null` instead of "absent" (it once turned a rule's `"force": null` into a force).
extension JSON: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

/// FNV-1a over a key's UTF-8 bytes: cheap for the short keys objects have.
@inline(__always)
func keyHash(_ s: String) -> UInt32 {
    // Native strings are contiguous UTF-8: hashed as a buffer, not through the view's
    // iterator (several times the instructions per byte).
    s.utf8.withContiguousStorageIfAvailable { fnv1a($0) } ?? fnv1a(s.utf8)
}

/// A JSON object: keys in insertion order, a later duplicate key replacing the earlier value in
/// place (as Python's `json.loads` does). Keys match by code points, as Python's dict keys do.
///
/// Members (key, value, hash of the key) are stored in the same allocation as the object's
/// header, so an object costs one allocation. A look-up compares hashes and checks the bytes of
/// the one key whose hash matches; objects of more than eight keys get an open-addressed
/// table of positions as well.
///
/// A value type backed by one copy-on-write storage object, so that copying an object (every
/// pattern match on `JSON.object` does) costs one reference count.
public struct JSONObject: @unchecked Sendable {
    // In this order the hash fills the value's padding: 40 bytes a member, not 48.
    struct Member {
        let key: String
        var value: JSON
        let hash: UInt32
    }

    struct Header {
        var count: Int
        /// Open-addressed positions (index + 1; 0 is empty), probed linearly from the hash;
        /// empty below `indexThreshold` keys.
        var table: [Int32]
    }

    // Storage is never mutated once shared (copy on write), so sharing it across threads is safe.
    private final class Storage: ManagedBuffer<Header, Member> {
        deinit {
            _ = withUnsafeMutablePointers { h, m in m.deinitialize(count: h.pointee.count) }
        }

        static func make(capacity: Int) -> Storage {
            let b = Storage.create(minimumCapacity: capacity) { _ in Header(count: 0, table: []) }
            // `create` returns the class it was called on.
            return unsafeDowncast(b, to: Storage.self)
        }

        /// A copy with room for at least `capacity` members.
        func copy(capacity: Int) -> Storage {
            let new = Storage.make(capacity: Swift.max(capacity, header.count))
            withUnsafeMutablePointers { h, m in
                new.withUnsafeMutablePointers { nh, nm in
                    nm.initialize(from: m, count: h.pointee.count)
                    nh.pointee.count = h.pointee.count
                    nh.pointee.table = h.pointee.table
                }
            }
            return new
        }
    }

    private var storage: Storage

    private static let indexThreshold = 8
    // Shared by every empty object; never written (a write copies it first, as it is shared).
    nonisolated(unsafe) private static let empty = Storage.make(capacity: 0)

    public init() {
        storage = JSONObject.empty
    }

    /// An object of these members in order (exactly-sized storage from the parser); a key
    /// given twice keeps its first position and its last value, as assigning one by one would.
    init(parsedKeys keys: [String], values: [JSON]) {
        let n = Swift.min(keys.count, values.count)
        let s = Storage.make(capacity: n)
        var unique = true
        s.withUnsafeMutablePointers { h, m in
            // Duplicates are looked for here in small objects, and by the table in large ones.
            let small = n <= Self.indexThreshold
            for i in 0..<n {
                let hash = keyHash(keys[i])
                if small && unique {
                    for j in 0..<i where m[j].hash == hash && codePointsEqual(m[j].key, keys[i]) {
                        unique = false
                        break
                    }
                }
                (m + i).initialize(to: Member(key: keys[i], value: values[i], hash: hash))
                h.pointee.count = i + 1
            }
        }
        storage = s
        if n > Self.indexThreshold { unique = rebuildTable() }
        if !unique {
            // A key given twice: its first position, its last value, as assigning one by one does.
            self = JSONObject()
            for i in 0..<n { self[keys[i]] = values[i] }
        }
    }

    /// The members, read in place.
    @inline(__always)
    private func withMembers<R>(_ body: (UnsafeBufferPointer<Member>, Header) -> R) -> R {
        storage.withUnsafeMutablePointers { h, m in body(UnsafeBufferPointer(start: m, count: h.pointee.count), h.pointee) }
    }

    public var keys: [String] { withMembers { m, _ in m.map { $0.key } } }
    public var values: [JSON] { withMembers { m, _ in m.map { $0.value } } }
    public var count: Int { storage.header.count }
    public var isEmpty: Bool { storage.header.count == 0 }

    public func firstIndex(of key: String) -> Int? {
        firstIndex(of: key, hash: keyHash(key))
    }

    private func firstIndex(of key: String, hash: UInt32) -> Int? {
        withMembers { members, header -> Int? in
            if !header.table.isEmpty {
                let table = header.table
                let mask = table.count - 1
                var slot = Int(hash) & mask
                while true {
                    let entry = Int(table[slot])
                    if entry == 0 || entry > members.count { return nil }
                    if members[entry - 1].hash == hash && codePointsEqual(members[entry - 1].key, key) {
                        return entry - 1
                    }
                    slot = (slot + 1) & mask
                }
            }
            var i = 0
            while i < members.count {
                if members[i].hash == hash && codePointsEqual(members[i].key, key) { return i }
                i &+= 1
            }
            return nil
        }
    }

    /// The value at a position `firstIndex` returned (nil out of range).
    @inline(__always)
    public func value(at i: Int) -> JSON {
        withMembers { m, _ in i >= 0 && i < m.count ? m[i].value : .null }
    }

    public subscript(key: String) -> JSON? {
        get {
            guard let i = firstIndex(of: key) else { return nil }
            return value(at: i)
        }
        set {
            let hash = keyHash(key)
            let found = firstIndex(of: key, hash: hash)
            if let i = found, let newValue {
                makeUnique(capacity: count)
                storage.withUnsafeMutablePointers { _, m in m[i].value = newValue }
            } else if let i = found {
                // Removal: rebuilt without the member.
                var keys = self.keys
                var values = self.values
                keys.remove(at: i)
                values.remove(at: i)
                self = JSONObject()
                for (k, v) in zip(keys, values) { self[k] = v }
            } else if let newValue {
                let n = count
                makeUnique(capacity: n + 1)
                storage.withUnsafeMutablePointers { h, m in
                    (m + n).initialize(to: Member(key: key, value: newValue, hash: hash))
                    h.pointee.count = n + 1
                }
                if n + 1 > Self.indexThreshold {
                    // Kept at most half full: rebuilt at twice the size when it would be fuller.
                    if storage.header.table.count < 2 * (n + 1) {
                        rebuildTable()
                    } else {
                        insert(position: n)
                    }
                }
            }
        }
    }

    /// Makes the storage this value's own, with room for `capacity` members (growing by
    /// doubling, so appending one by one stays linear).
    private mutating func makeUnique(capacity: Int) {
        let unique = isKnownUniquelyReferenced(&storage)
        let room = storage.capacity
        if unique && room >= capacity { return }
        let newCapacity = room >= capacity ? room : Swift.max(capacity, room * 2, 4)
        if unique {
            // Move the members into a larger buffer; the old one then holds none.
            let new = Storage.make(capacity: newCapacity)
            storage.withUnsafeMutablePointers { h, m in
                new.withUnsafeMutablePointers { nh, nm in
                    nm.moveInitialize(from: m, count: h.pointee.count)
                    nh.pointee.count = h.pointee.count
                    nh.pointee.table = h.pointee.table
                    h.pointee.count = 0
                }
            }
            storage = new
        } else {
            storage = storage.copy(capacity: newCapacity)
        }
    }

    public func contains(_ key: String) -> Bool { firstIndex(of: key) != nil }

    /// Builds the table of positions for an object past `indexThreshold` members (or drops it
    /// below); false when two members have the same key (the table then finds the first).
    @discardableResult
    private func rebuildTable() -> Bool {
        let n = count
        guard n > Self.indexThreshold else {
            storage.header.table = []
            return true
        }
        var size = 16
        while size < 4 * n { size <<= 1 }
        storage.header.table = [Int32](repeating: 0, count: size)
        var unique = true
        for i in 0..<n where !insert(position: i) { unique = false }
        return unique
    }

    /// Records position `i` in the table (which has a free slot: it is at most half full);
    /// false, recording nothing, when an earlier member has the same key.
    @discardableResult
    private func insert(position i: Int) -> Bool {
        storage.withUnsafeMutablePointers { h, m in
            let hash = m[i].hash
            let mask = h.pointee.table.count - 1
            var slot = Int(hash) & mask
            while h.pointee.table[slot] != 0 {
                let j = Int(h.pointee.table[slot]) - 1
                if m[j].hash == hash && codePointsEqual(m[j].key, m[i].key) { return false }
                slot = (slot + 1) & mask
            }
            h.pointee.table[slot] = Int32(truncatingIfNeeded: i + 1)
            return true
        }
    }

    /// Key-value pairs in insertion order.
    public var pairs: Pairs { Pairs(object: self) }

    /// The members of an object as (key, value) pairs, in order.
    public struct Pairs: Sequence {
        fileprivate let object: JSONObject

        public struct Iterator: IteratorProtocol {
            fileprivate let object: JSONObject
            fileprivate var index = 0

            public mutating func next() -> (String, JSON)? {
                let i = index
                return object.withMembers { m, _ -> (String, JSON)? in
                    guard i < m.count else { return nil }
                    index = i + 1
                    return (m[i].key, m[i].value)
                }
            }
        }

        public func makeIterator() -> Iterator { Iterator(object: object) }
        public var underestimatedCount: Int { object.count }
    }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (k, v) in lhs.pairs {
            guard let other = rhs[k], other == v else { return false }
        }
        return true
    }
}

/// String equality by code points, as Python compares (Swift's `==` compares canonical
/// equivalence instead). Compares contiguous UTF-8 storage directly when it can.
@inline(__always)
func codePointsEqual(_ a: String, _ b: String) -> Bool {
    // Same representation (small strings hold their bytes inline): equal without a look at
    // the bytes.
    if a._isIdentical(to: b) { return true }
    let au = a.utf8
    let bu = b.utf8
    guard au.count == bu.count else { return false }
    if let r = au.withContiguousStorageIfAvailable({ x in
        bu.withContiguousStorageIfAvailable { y in bytesEqual(x, y) }
    }), let equal = r {
        return equal
    }
    return au.elementsEqual(bu)
}

/// Byte equality of two buffers, eight bytes at a time (a last, overlapping word for the
/// tail; below eight bytes, two overlapping four-byte words, or the first, middle and last
/// byte).
@inline(__always)
func bytesEqual(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = x.count
    guard n == y.count else { return false }
    guard n > 0, let px = x.baseAddress, let py = y.baseAddress else { return true }
    let rx = UnsafeRawPointer(px)
    let ry = UnsafeRawPointer(py)
    if n < 8 {
        if n >= 4 {
            return rx.loadUnaligned(as: UInt32.self) == ry.loadUnaligned(as: UInt32.self)
                && rx.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
                    == ry.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        }
        // One to three bytes: the first, the middle and the last cover them.
        return px[0] == py[0] && px[n >> 1] == py[n >> 1] && px[n &- 1] == py[n &- 1]
    }
    var i = 0
    while i &+ 8 < n {
        if rx.loadUnaligned(fromByteOffset: i, as: UInt64.self) != ry.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i &+= 8
    }
    return rx.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) == ry.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
}

extension JSON {
    /// Not an array or an object.
    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }
}
