import Synchronization

/// Where the compiled representation touches memory through pointers (with `StateCell` and
/// `TextBuffer`, the core's only pointer code).
///
/// A compiled snapshot (features, rules, experiments, conditions, values) and a parsed
/// attributes document are stored as arrays of plain records — integers, doubles and byte
/// offsets, no references — each in one allocation made when it is compiled and never written
/// again. Evaluations read them through `FlatView`, a pointer and a count: copying a view or
/// reading a record through it costs no reference count, so any number of threads read one
/// snapshot at once without writing to a shared cache line (Swift's reference counts on shared
/// objects made threads sharing a handle slower than one).
///
/// Safety rests on two rules, kept by the types that own the storage:
/// - a view is only used while the `FlatBuffer` it came from is alive (the snapshot's owner
///   keeps it alive for the evaluation: see `StateCell`);
/// - every read is bounds-checked: an index out of range reads `Element.none` instead of memory
///   outside the buffer (indices come from the compiler, so this only guards against its bugs).

/// A record stored flat: copied bit for bit, with a value that stands for "nothing".
public protocol FlatRecord: BitwiseCopyable {
    static var none: Self { get }
}

extension UInt8: FlatRecord {
    public static var none: UInt8 { 0 }
}

extension UInt32: FlatRecord {
    public static var none: UInt32 { 0 }
}

extension Int32: FlatRecord {
    public static var none: Int32 { -1 }
}

/// Owns one immutable allocation of records, freed with the buffer. One more record than
/// `count` is stored, `Element.none`, which out-of-range reads return.
public final class FlatBuffer<Element: FlatRecord>: @unchecked Sendable {  // never written after init
    private let base: UnsafeMutablePointer<Element>
    public let count: Int

    public convenience init(_ elements: [Element]) {
        self.init(count: elements.count) { p in
            elements.withUnsafeBufferPointer { src in
                if let s = src.baseAddress { p.initialize(from: s, count: src.count) }
            }
        }
    }

    /// A copy of the records in `elements`.
    public convenience init(copying elements: UnsafeBufferPointer<Element>) {
        self.init(count: elements.count) { p in
            if let s = elements.baseAddress { p.initialize(from: s, count: elements.count) }
        }
    }

    /// `count` records that `initialize` initializes, then `Element.none`.
    private init(count: Int, _ initialize: (UnsafeMutablePointer<Element>) -> Void) {
        self.count = count
        let p = UnsafeMutablePointer<Element>.allocate(capacity: count + 1)
        initialize(p)
        (p + count).initialize(to: .none)
        base = p
    }

    deinit {
        // BitwiseCopyable records need no deinitialization.
        base.deallocate()
    }

    /// A view of the records, valid while this buffer is alive.
    public var view: FlatView<Element> { FlatView(base: UnsafePointer(base), count: count) }

}

/// Records read in place, bounds-checked, with no reference counting and no copy of a whole
/// record to read one field. Valid while the `FlatBuffer` it came from is alive.
public struct FlatView<Element: FlatRecord>: @unchecked Sendable, BitwiseCopyable {
    /// `count` records and then `Element.none`.
    private let base: UnsafePointer<Element>
    public let count: Int

    fileprivate init(base: UnsafePointer<Element>, count: Int) {
        self.base = base
        self.count = count
    }

    /// The record at `i`, or `Element.none` when `i` is out of range.
    @inline(__always)
    public subscript(i: Int) -> Element {
        unsafeAddress { UInt(bitPattern: i) < UInt(bitPattern: count) ? base + i : base + count }
    }

    @inline(__always)
    public subscript(i: Int32) -> Element {
        unsafeAddress {
            let j = Int(i)
            return UInt(bitPattern: j) < UInt(bitPattern: count) ? base + j : base + count
        }
    }
}

extension FlatView where Element == UInt8 {
    /// The bytes `[start, start + length)` (clamped), as a span.
    @inline(__always)
    func bytes(_ start: Int, _ length: Int) -> ByteSpan {
        // A start out of range reads from the end (nothing); the length is clamped to what is
        // left, a negative one to nothing. Branch-free: spans are made on every look-up.
        let s = UInt(bitPattern: start) <= UInt(bitPattern: count) ? start : count
        return ByteSpan(storage: base + s, count: Swift.max(0, Swift.min(length, count &- s)))
    }
}

/// A run of UTF-8 bytes inside a flat buffer or a caller's string, read in place.
public struct ByteSpan: @unchecked Sendable, BitwiseCopyable {
    fileprivate let base: UnsafePointer<UInt8>?
    public let count: Int

    fileprivate init(base: UnsafePointer<UInt8>?, count: Int) {
        self.base = base
        self.count = base == nil ? 0 : count
    }

    /// Bytes of a flat buffer (never nil), `count >= 0` of them.
    @inline(__always)
    fileprivate init(storage: UnsafePointer<UInt8>, count: Int) {
        self.base = storage
        self.count = count
    }

    public static var empty: ByteSpan { ByteSpan(base: nil, count: 0) }

    /// The bytes of a caller's buffer, valid while it is.
    public init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.init(base: buffer.baseAddress, count: buffer.count)
    }

    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    public subscript(i: Int) -> UInt8 {
        guard i >= 0 && i < count, let base else { return 0 }
        return base[i]
    }

    /// Calls `body` with the bytes as a buffer (for the few routines written on buffers).
    @inline(__always)
    func withBuffer<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Byte equality, eight bytes at a time.
    @inline(__always)
    public static func == (a: ByteSpan, b: ByteSpan) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.base, let pb = b.base else { return true }
        if pa == pb { return true }
        return bytesEqual(UnsafeBufferPointer(start: pa, count: a.count), UnsafeBufferPointer(start: pb, count: b.count))
    }

    /// Byte order (which is code-point order for UTF-8): -1, 0 or 1.
    func compare(_ other: ByteSpan) -> Int {
        let n = Swift.min(count, other.count)
        var i = 0
        while i < n {
            let x = self[i]
            let y = other[i]
            if x != y { return x < y ? -1 : 1 }
            i &+= 1
        }
        return count == other.count ? 0 : (count < other.count ? -1 : 1)
    }

    /// The bytes as a String (allocates; for results and the rare paths that need one).
    public var string: String {
        String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    /// A hash of the bytes taken eight at a time (feature keys are looked up on every
    /// evaluation, and real keys run to tens of bytes).
    @inline(__always)
    var wordHash: UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        guard let base else { return h ^ (h >> 29) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i &+ 8 <= count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i &+= 8
        }
        if i < count {
            h = (h ^ loadPartialWord(raw + i, count &- i)) &* 0x94D0_49BB_1331_11EB
        }
        return h ^ (h >> 29)
    }
}

/// A fixed table of atomic words: a handle's assignment bookkeeping stamps, one per experiment
/// of its snapshot (see `Bookkeeping`; they live in the handle's state, not in the shared
/// snapshot), and `StateCell`'s reader counters.
public final class AtomicWords: @unchecked Sendable {  // every access is atomic
    /// At least one word is allocated (so `base` is never nil and a read checks one bound),
    /// aligned to 128 bytes: no other object shares a cache line (or a pair of them, which
    /// processors fetch together) with the words, so threads writing their own word never
    /// slow down threads reading a neighbouring object (measured: `StateCell`'s counters
    /// beside the cell's objects cost 3-4% of two-thread throughput).
    private let base: UnsafeMutablePointer<Atomic<UInt64>>
    public let count: Int

    static var alignment: Int { 128 }

    /// No words, shared (every access is out of range): states of feature sets without
    /// experiments need no allocation of their own.
    public static let none = AtomicWords(count: 0)

    public init(count: Int) {
        self.count = Swift.max(0, count)
        let allocated = Swift.max(1, self.count)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: allocated * MemoryLayout<Atomic<UInt64>>.stride, alignment: Self.alignment)
        base = raw.bindMemory(to: Atomic<UInt64>.self, capacity: allocated)
        for i in 0..<allocated { (base + i).initialize(to: Atomic(0)) }
    }

    deinit {
        base.deinitialize(count: Swift.max(1, count))
        UnsafeMutableRawPointer(base).deallocate()
    }

    @inline(__always)
    private func inRange(_ i: Int) -> Bool { UInt(bitPattern: i) < UInt(bitPattern: count) }

    /// The word at `i` (0 out of range).
    @inline(__always)
    public func load(_ i: Int) -> UInt64 {
        guard inRange(i) else { return 0 }
        return base[i].load(ordering: .relaxed)
    }

    @inline(__always)
    public func store(_ i: Int, _ value: UInt64) {
        guard inRange(i) else { return }
        base[i].store(value, ordering: .relaxed)
    }

    /// Adds `delta` (sequentially consistent: the reclamation protocol of `StateCell` needs a
    /// total order of these additions and the cell's pointer loads).
    @inline(__always)
    func add(_ i: Int, _ delta: UInt64) {
        guard inRange(i) else { return }
        base[i].wrappingAdd(delta, ordering: .sequentiallyConsistent)
    }

    @inline(__always)
    func loadOrdered(_ i: Int) -> UInt64 {
        guard inRange(i) else { return 0 }
        return base[i].load(ordering: .sequentiallyConsistent)
    }
}

/// An object referred to without a reference count: whoever makes the reference keeps the
/// object alive for as long as it is used. A snapshot names its compiled regexes this way
/// (holding them in an array of its own); an evaluation names the state's objects this way
/// (the state outlives the evaluation).
struct ObjectRef<T: AnyObject>: FlatRecord, @unchecked Sendable {  // names immutable, Sendable objects
    private let ref: Unmanaged<T>?

    init(_ object: T) { ref = Unmanaged.passUnretained(object) }
    private init() { ref = nil }

    static var none: ObjectRef { ObjectRef() }

    /// Calls `body` with the object (nil for `none`), borrowed in place.
    @inline(__always)
    func with<R>(_ body: (T) -> R) -> R? {
        ref?._withUnsafeGuaranteedRef(body)
    }
}

/// A small number that tends to differ between threads and stays the same within one: taken
/// from the address of the caller's stack (threads' stacks are far apart). Spreads readers over
/// `StateCell`'s counters; correctness never depends on it.
@inline(__always)
func threadStripe(_ count: Int) -> Int {
    var marker: UInt8 = 0
    let address = withUnsafePointer(to: &marker) { UInt(bitPattern: $0) }
    let h = (UInt64(address) >> 16) &* 0x9E37_79B9_7F4A_7C15
    return Int(truncatingIfNeeded: h >> 58) % Swift.max(1, count)
}

/// One immutable plain value stored out of line (a snapshot's or a document's table of
/// views), so that what evaluations pass around is one pointer, not the whole table.
final class FlatBox<T: BitwiseCopyable>: @unchecked Sendable {  // never written after init
    private let pointer: UnsafeMutablePointer<T>

    init(_ value: T) {
        pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
    }

    deinit { pointer.deallocate() }

    /// A reference to the value, valid while this box is alive.
    var ref: FlatRef<T> { FlatRef(UnsafePointer(pointer)) }
}

/// Calls `body` with a reference to `value`, kept on the caller's stack and valid only during
/// the call: for the few values an evaluation makes up rather than reads (a `$size` test's
/// array length), which have no buffer to live in.
@inline(__always)
func withTemporaryFlatRef<T: BitwiseCopyable, R>(_ value: T, _ body: (FlatRef<T>) -> R) -> R {
    var v = value
    return withUnsafePointer(to: &v) { body(FlatRef($0)) }
}

extension FlatView {
    /// Calls `body` with a view of the one record `record` (then `Element.none`), kept on the
    /// caller's stack and valid only during the call.
    @inline(__always)
    static func withTemporary<R>(_ record: Element, _ body: (FlatView<Element>) -> R) -> R {
        // A tuple of one type is laid out as an array of it: element i at i * stride.
        var records = (record, Element.none)
        return withUnsafePointer(to: &records) { p in
            body(FlatView(base: UnsafeRawPointer(p).assumingMemoryBound(to: Element.self), count: 1))
        }
    }
}

/// The value of a `FlatBox`, read in place (a field read through it loads that field only).
struct FlatRef<T: BitwiseCopyable>: @unchecked Sendable, BitwiseCopyable {
    private let pointer: UnsafePointer<T>

    fileprivate init(_ pointer: UnsafePointer<T>) { self.pointer = pointer }

    var pointee: T {
        @inline(__always) unsafeAddress { pointer }
    }
}
