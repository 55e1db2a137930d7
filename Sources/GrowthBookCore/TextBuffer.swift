/// A growable buffer of bytes that JSON text is written into: results, values, rule ids.
///
/// Why not `[UInt8]`: a result is written in a few dozen small appends (a literal, a key, a
/// number), and each `Array.append(contentsOf:)` pays a uniqueness check, a generic copy and a
/// `memmove` call, about sixty instructions for a ten-byte piece: a third of the work of
/// `gb_eval_feature_json` went there. Here an append is a capacity check and, for the short
/// pieces text is made of, two overlapping word copies. The buffer is not copyable, so it owns
/// its allocation alone and no reference count or copy-on-write check is involved.
///
/// With `FlatStorage` and `StateCell`, one of the core's three places with pointer code: every
/// write goes through `reserve`, which keeps `count + n <= capacity`.
public struct TextBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    /// The bytes written.
    public private(set) var count: Int
    /// The bytes allocated.
    public private(set) var capacity: Int

    public init(capacity: Int = 256) {
        let c = Swift.max(16, capacity)
        base = .allocate(capacity: c)
        self.capacity = c
        count = 0
    }

    deinit { base.deallocate() }

    /// Forgets the bytes, keeping the allocation.
    public mutating func removeAll() { count = 0 }

    /// Makes room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if n > capacity &- count { grow(n) }
    }

    @inline(never)
    private mutating func grow(_ n: Int) {
        // Sizes are those of text in memory, far from Int's limit.
        let c = Swift.max(capacity &* 2, count &+ n)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        p.initialize(from: base, count: count)
        base.deallocate()
        base = p
        capacity = c
    }

    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        (base + count).initialize(to: byte)
        count &+= 1
    }

    /// Appends `n` bytes from `source`.
    @inline(__always)
    public mutating func append(_ source: UnsafePointer<UInt8>, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        copyBytes(to: base + count, from: source, count: n)
        count &+= n
    }

    @inline(__always)
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let p = bytes.baseAddress { append(p, count: bytes.count) }
    }

    @inline(__always)
    public mutating func append(_ span: ByteSpan) {
        span.withBuffer { append($0) }
    }

    @inline(__always)
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends a literal's UTF-8 straight from static storage.
    @inline(__always)
    public mutating func appendLiteral(_ s: StaticString) {
        append(s.utf8Start, count: s.utf8CodeUnitCount)
    }

    /// Appends a string's UTF-8.
    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    /// Appends the decimal digits of `n`, at least `minimumDigits` of them (zero-padded on the
    /// left), without building a String.
    public mutating func appendDigits(_ n: UInt64, minimumDigits: Int = 1) {
        var digits = 1
        var rest = n / 10
        while rest > 0 {
            digits &+= 1
            rest /= 10
        }
        // A UInt64 has at most 20 digits; padding asked for beyond 20 is written as zeros.
        let width = Swift.max(digits, Swift.min(minimumDigits, 64))
        reserve(width)
        var value = n
        var i = count &+ width
        let end = i
        while i > count {
            i &-= 1
            (base + i).initialize(to: UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0"))
            value /= 10
        }
        count = end
    }

    /// Appends an integer in decimal.
    public mutating func appendInteger<T: BinaryInteger>(_ n: T) {
        if n < 0 { append(UInt8(ascii: "-")) }
        appendDigits(UInt64(truncatingIfNeeded: n.magnitude))
    }

    /// Calls `body` with the bytes written, valid for the call.
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// The bytes written, copied.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    /// The bytes written as a String.
    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}

/// Copies `n > 0` bytes between buffers that do not overlap. Text is written in short pieces,
/// so those are copied with two (possibly overlapping) loads and stores of a word size that
/// covers them; longer ones word by word, or by `memmove` past 64 bytes.
@inline(__always)
func copyBytes(to dst: UnsafeMutablePointer<UInt8>, from src: UnsafePointer<UInt8>, count n: Int) {
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(dst)
    if n >= 8 {
        if n > 64 {
            dst.update(from: src, count: n)
            return
        }
        var i = 0
        while i &+ 8 < n {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), toByteOffset: n &- 8, as: UInt64.self)
    } else if n >= 4 {
        let head = s.loadUnaligned(as: UInt32.self)
        let tail = s.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        d.storeBytes(of: head, as: UInt32.self)
        d.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
    } else if n > 0 {
        dst[0] = src[0]
        dst[n >> 1] = src[n >> 1]
        dst[n &- 1] = src[n &- 1]
    }
}

/// The `n` bytes at `p`, `0 < n < 8`, as a little-endian word (the rest zero), loaded without
/// reading past them.
@inline(__always)
func loadPartialWord(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
    if n >= 4 {
        let head = UInt64(p.loadUnaligned(as: UInt32.self))
        let tail = UInt64(p.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
        return head | tail << (UInt64(truncatingIfNeeded: n &- 4) &* 8)
    }
    var word: UInt64 = 0
    var i = 0
    while i < n {
        word |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (UInt64(truncatingIfNeeded: i) &* 8)
        i &+= 1
    }
    return word
}
