// Python's semantics (the reference SDK's) on document values: truthiness, `==`, ordering,
// `str()`, read in place (`JSON.pythonString` and `parsePythonFloat` serve the trees).

extension Val {
    /// Python's `bool(value)`.
    var isTruthy: Bool {
        switch kind {
        case .null, .false: return false
        case .true: return true
        case .int: return int != 0
        case .double: return double != 0
        case .string, .array, .object: return count > 0
        }
    }

    var isNumber: Bool { kind == .int || kind == .double }

    var isScalar: Bool { kind != .array && kind != .object }

    /// Whether an array has an array or object element (which Python cannot put in a set).
    var hasContainerElement: Bool {
        for i in 0..<count where !element(i).isScalar { return true }
        return false
    }

    /// Numbers and booleans (a Python bool is an int) as a Double.
    var orderableNumber: Double? {
        switch kind {
        case .false: return 0
        case .true: return 1
        case .int: return Double(int)
        case .double: return double
        default: return nil
        }
    }

    /// The number as a Double (never for booleans).
    var doubleValue: Double? {
        switch kind {
        case .int: return Double(int)
        case .double: return double
        default: return nil
        }
    }

    /// Python's `float(value)` with `None` as 0; nil where Python raises.
    var pythonFloat: Double? {
        switch kind {
        case .null, .false: return 0
        case .true: return 1
        case .int: return Double(int)
        case .double: return double
        case .string: return parsePythonFloat(bytes.string)
        case .array, .object: return nil
        }
    }

    /// The `$type` name.
    var typeName: StaticString {
        switch kind {
        case .null: return "null"
        case .false, .true: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Python's `str(value)`: a string's bytes as they are, anything else as the tree's
    /// `pythonString` (allocates: hashing writes strings and integers itself, see
    /// `withHashBytes`; other kinds of hash attribute are rare).
    var pythonString: String {
        kind == .string ? bytes.string : json.pythonString
    }

    /// A hash consistent with `pythonEquals` for scalars (booleans as ints, `1 == 1.0`), for
    /// the membership tables of long `$in` lists.
    var scalarHash: UInt64 {
        switch kind {
        case .null: return mix64(0x6e75_6c6c)
        case .string: return mix64(UInt64(stringHash) | 0x5_0000_0000)
        default:
            guard var d = orderableNumber else { return 0 }
            if d == 0 { d = 0 }  // -0.0 equals 0.0
            return mix64(d.bitPattern)
        }
    }
}

/// Python's `==` between two values (as `pythonEquals` on trees).
func pythonEquals(_ a: Val, _ b: Val) -> Bool {
    let ka = a.kind
    let kb = b.kind
    switch (ka, kb) {
    case (.null, .null): return true
    case (.string, .string): return a.bytes == b.bytes
    case (.int, .int): return a.int == b.int
    case (.array, .array):
        let n = a.count
        guard n == b.count else { return false }
        for i in 0..<n where !pythonEquals(a.element(i), b.element(i)) { return false }
        return true
    case (.object, .object):
        let n = a.count
        guard n == b.count else { return false }
        for i in 0..<n {
            let m = a.member(i)
            guard let w = b.lookup(m.key.bytes, hash: m.key.stringHash), pythonEquals(m.value, w) else { return false }
        }
        return true
    default:
        guard let x = a.orderableNumber, let y = b.orderableNumber else { return false }
        if x != y || x.isNaN { return false }
        // Equal Doubles: exact unless an integer beyond 2^53 is involved.
        return a.isExactDouble && b.isExactDouble ? true : pythonNumberOrder(a, b) == 0
    }
}

/// The reference's `compare(a, b)`: a number against a non-number converts the other side
/// with `float()`; then Python ordering. -1/0/1, or nil where Python raises.
func pythonCompare(_ a: Val, _ b: Val) -> Int? {
    if a.isNumber && !b.isNumber {
        guard let y = b.pythonFloat else { return nil }
        return pythonNumberOrder(a, y)
    }
    if b.isNumber && !a.isNumber {
        guard let x = a.pythonFloat else { return nil }
        return pythonNumberOrder(b, x).map { -$0 }
    }
    return pythonOrder(a, b)
}

/// Python's `>` then `<`, as -1/0/1; nil for unorderable types.
func pythonOrder(_ a: Val, _ b: Val) -> Int? {
    switch (a.kind, b.kind) {
    case (.int, .int):
        let x = a.int
        let y = b.int
        return x > y ? 1 : (x < y ? -1 : 0)
    case (.string, .string):
        return a.bytes.compare(b.bytes)
    case (.array, .array):
        var i = 0
        let n = a.count
        let m = b.count
        while i < n && i < m {
            let x = a.element(i)
            let y = b.element(i)
            if !pythonEquals(x, y) { return pythonOrder(x, y) }
            i += 1
        }
        return n > m ? 1 : (n < m ? -1 : 0)
    default:
        guard let x = a.orderableNumber, let y = b.orderableNumber else { return nil }
        if a.isExactDouble && b.isExactDouble { return x > y ? 1 : (x < y ? -1 : 0) }
        return pythonNumberOrder(a, b)
    }
}

extension Val {
    /// Whether the value is exactly its `orderableNumber` (not an integer beyond 2^53, nor a
    /// big integer), so that comparing Doubles compares it as Python does.
    @inline(__always)
    var isExactDouble: Bool {
        switch kind {
        case .int: return int.magnitude <= 1 << 53
        case .double: return node.count == 0
        default: return true
        }
    }
}

/// Python's exact order of number `a` (an int or float) and the float `y`.
func pythonNumberOrder(_ a: Val, _ y: Double) -> Int? {
    if let literal = a.bigIntegerLiteral {
        return literal.withBuffer { BigInteger.compare($0, approximation: a.double, y) }
    }
    switch a.kind {
    case .int: return BigInteger.compare(a.int, y)
    case .double:
        let x = a.double
        return x > y ? 1 : (x < y ? -1 : 0)
    default: return nil
    }
}

/// Python's exact order of two numbers (bools, Int64s, doubles, big integers), for the pairs
/// that Doubles cannot compare exactly; nil when either is not a number.
func pythonNumberOrder(_ a: Val, _ b: Val) -> Int? {
    @inline(__always) func integer(_ v: Val) -> Int64? {
        switch v.kind {
        case .false: return 0
        case .true: return 1
        case .int: return v.int
        default: return nil
        }
    }
    if let x = integer(a), let y = integer(b) { return x > y ? 1 : (x < y ? -1 : 0) }
    if let la = a.bigIntegerLiteral {
        return la.withBuffer { pa in
            if let lb = b.bigIntegerLiteral { return lb.withBuffer { BigInteger.compare(pa, $0) } }
            if let y = integer(b) { return BigInteger.compare(pa, y) }
            guard b.kind == .double else { return nil }
            return BigInteger.compare(pa, approximation: a.double, b.double)
        }
    }
    if b.bigIntegerLiteral != nil { return pythonNumberOrder(b, a).map { -$0 } }
    if let x = integer(a), b.kind == .double { return BigInteger.compare(x, b.double) }
    if let y = integer(b), a.kind == .double { return -BigInteger.compare(y, a.double) }
    guard let x = a.orderableNumber, let y = b.orderableNumber else { return nil }
    return x > y ? 1 : (x < y ? -1 : 0)
}

/// splitmix64's finalizer: every input bit affects every output bit (the bit patterns of small
/// integral doubles differ only in their high bits).
@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
