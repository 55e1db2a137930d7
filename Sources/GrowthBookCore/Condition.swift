/// A targeting condition (GrowthBook's MongoDB-like syntax), compiled once: paths split,
/// operands stored in a document, regexes built, version strings padded, long `$in` lists
/// given a hash table, saved groups resolved. Evaluating it does no parsing, no string matching
/// on operator names and, for the common operators, no allocation or reference counting.
///
/// Conditions compile into a `ConditionProgram`: flat nodes addressed by index (a snapshot
/// compiles all of its conditions into one). This type is a condition on its own, with a
/// program of its own, for the spec helper `evalCondition` and for tests.
public struct Condition: Sendable {
    let program: ConditionProgram
    let values: Document
    let root: Int32

    /// Compiles `json`. Saved groups are resolved now, for `$inGroup` and `$notInGroup`. A
    /// malformed condition compiles to one that never passes (where the reference would raise).
    public init(_ json: JSON, savedGroups: JSONObject? = nil, semantics: Semantics = .default) {
        var values = DocumentBuilder()
        var builder = ConditionProgramBuilder(semantics.rules)
        root = builder.compileCondition(json, savedGroups: savedGroups, values: &values)
        program = builder.finish()
        self.values = values.finish()
    }

    /// Whether `attributes` satisfy the condition (`evalCondition` in the reference).
    public func evaluate(_ attributes: JSON) -> Bool {
        evaluate(Document(attributes))
    }

    public func evaluate(_ attributes: Document) -> Bool {
        ConditionReader(program, values: values.view).evaluate(root, ConditionRoot(attributes.root))
    }
}

/// What a condition's node does.
enum ConditionOp: UInt8 {
    // Conditions, evaluated against a root (the attributes).
    /// Every child passes: `a` list start, `b` count.
    case and
    /// Any child passes (an empty list passes).
    case or
    /// No child passes (an empty list fails).
    case nor
    /// `a` fails.
    case not
    /// `flag` (0 or 1).
    case constant
    /// The value at a path (keys `a` ..< `a + c`) passes test `b`.
    case attribute
    /// The value at a path equals string node `b` (the common `{"country": "US"}`).
    case attributeEqualsString

    // Tests, evaluated against one value.
    /// Python `==` with value node `b`; `c`: its lower-cased form when it is a string (for
    /// `$alli`), else -1.
    case equals
    /// Every test of list `a` (count `b`) passes.
    case operators
    /// `$eq $ne $lt $lte $gt $gte` (`flag`: a `ComparisonKind`) against value node `b`.
    case compare
    /// `$veq ...` (`flag`: a `ComparisonKind`) against the padded version in string node `b`.
    case version
    /// `$eq $ne $lt $lte $gt $gte` as JavaScript has them (`flag`: a `ComparisonKind`) against
    /// node `b`: strict equality, the Abstract Relational Comparison (`jsRelational`).
    case jsCompare
    /// A literal compared as JavaScript does (`flag`: a `JSLiteralKind`) with node `b` (for
    /// arrays and objects, the string node of the literal's JSON text).
    case jsEquals
    /// `$in $nin $ini $nini $inGroup $notInGroup`: array node `a` (lower-cased when
    /// insensitive); `b`, `c`: its membership table's start and size (-1, 0 when none).
    /// `flag`: 1 negated, 2 insensitive.
    case membership
    /// `$regex`, `$regexi`: regex `a` (-1: the pattern did not compile); `flag` 2: a non-string is tested as its `String()`.
    case regex
    /// Some element passes test `b`.
    case elemMatchValue
    /// Some element, as attributes, passes condition `b`.
    case elemMatchCondition
    /// The array's length passes test `b`.
    case size
    /// `$all $alli`: every test of list `a` (count `b`) passes for some element; `flag` 1:
    /// case-insensitive.
    case all
    /// `flag` 1: the value is not null; 0: it is.
    case exists
    /// The value's `$type` name equals string node `b`.
    case type
    /// Test `b` fails.
    case notTest
    /// `flag` (0 or 1).
    case constantTest
}

enum ComparisonKind: UInt8 {
    case eq, ne, lt, lte, gt, gte

    @inline(__always)
    func holds(_ order: Int) -> Bool {
        switch self {
        case .eq: return order == 0
        case .ne: return order != 0
        case .lt: return order < 0
        case .lte: return order <= 0
        case .gt: return order > 0
        case .gte: return order >= 0
        }
    }
}

/// One node of a compiled condition: 16 bytes.
struct ConditionNode: FlatRecord {
    var op: ConditionOp
    var flag: UInt8
    var a: Int32
    var b: Int32
    var c: Int32

    init(_ op: ConditionOp, flag: UInt8 = 0, a: Int32 = -1, b: Int32 = -1, c: Int32 = -1) {
        self.op = op
        self.flag = flag
        self.a = a
        self.b = b
        self.c = c
    }

    /// Never passes.
    static var none: ConditionNode { ConditionNode(.constant, flag: 0) }
}

/// Compiled conditions: nodes, the lists of children, path segments, membership tables and
/// regexes, read in place by `ConditionReader`. Operands live in a document beside it.
final class ConditionProgram: Sendable {
    let nodes: FlatBuffer<ConditionNode>
    let lists: FlatBuffer<Int32>
    let keys: FlatBuffer<StringRef>
    let slots: FlatBuffer<Int32>
    let regexRefs: FlatBuffer<ObjectRef<CompiledRegex>>
    /// Keeps the regexes `regexRefs` names alive.
    private let regexes: [CompiledRegex]
    /// How many regexes were compiled (each pattern once).
    var regexCount: Int { regexes.count }
    /// The views a reader reads, kept out of line (so a reader is two pointers).
    let tables: FlatBox<ConditionTables>

    init(
        nodes: [ConditionNode], lists: [Int32], keys: [StringRef], slots: [Int32], regexes: [CompiledRegex]
    ) {
        self.nodes = FlatBuffer(nodes)
        self.lists = FlatBuffer(lists)
        self.keys = FlatBuffer(keys)
        self.slots = FlatBuffer(slots)
        self.regexes = regexes
        regexRefs = FlatBuffer(regexes.map { ObjectRef($0) })
        tables = FlatBox(
            ConditionTables(
                nodes: self.nodes.view, lists: self.lists.view, keys: self.keys.view, slots: self.slots.view,
                regexes: regexRefs.view))
    }
}

/// Compiles conditions, appending operands to a document builder. Recursion follows the JSON,
/// whose depth the parser bounds.
struct ConditionProgramBuilder {
    private var nodes: [ConditionNode] = []
    private var lists: [Int32] = []
    private var keys: [StringRef] = []
    private var slots: [Int32] = []
    private var regexes: [CompiledRegex] = []
    /// Each pattern is compiled once per program (payloads repeat a few patterns across many
    /// rules): its index in `regexes`, or -1 when it does not compile, by flag and pattern (a
    /// program is compiled for one semantics, so one dialect: `switches.regexDialect`).
    private var regexIndex: [String: Int32] = [:]
    let switches: SemanticsRules

    init(_ switches: SemanticsRules) { self.switches = switches }

    func finish() -> ConditionProgram {
        ConditionProgram(nodes: nodes, lists: lists, keys: keys, slots: slots, regexes: regexes)
    }

    private mutating func add(_ node: ConditionNode) -> Int32 {
        nodes.append(node)
        return Int32(truncatingIfNeeded: nodes.count - 1)
    }

    private mutating func list(_ items: [Int32]) -> (start: Int32, count: Int32) {
        let start = Int32(truncatingIfNeeded: lists.count)
        lists.append(contentsOf: items)
        return (start, Int32(truncatingIfNeeded: items.count))
    }

    /// A condition object: its root node.
    mutating func compileCondition(_ json: JSON, savedGroups: JSONObject?, values: inout DocumentBuilder) -> Int32 {
        guard case .object(var object) = json else { return add(ConditionNode(.constant, flag: 0)) }
        if switches.logicalOperatorDecidesAlone {
            // The first of these decides, the object's other keys ignored.
            for op in ["$or", "$nor", "$and", "$not"] {
                if let v = object[op] {
                    object = JSONObject()
                    object[op] = v
                    break
                }
            }
        }
        var children: [Int32] = []
        children.reserveCapacity(object.count)
        for (key, value) in object.pairs {
            switch key {
            case "$or", "$nor", "$and":
                guard case .array(let items) = value else {
                    children.append(add(ConditionNode(.constant, flag: 0)))
                    continue
                }
                let compiled = items.map { compileCondition($0, savedGroups: savedGroups, values: &values) }
                let l = list(compiled)
                let op: ConditionOp = key == "$or" ? .or : (key == "$nor" ? .nor : .and)
                children.append(add(ConditionNode(op, a: l.start, b: l.count)))
            case "$not":
                let child = compileCondition(value, savedGroups: savedGroups, values: &values)
                children.append(add(ConditionNode(.not, a: child)))
            default:
                let path = self.path(key, values: &values)
                if case .string = value {
                    // (flag 1: a non-string attribute compares as its String(), JavaScript's
                    // literal rule; `SemanticsRules.jsLiterals`)
                    let expected = values.addShared(value)
                    children.append(
                        add(
                            ConditionNode(
                                .attributeEqualsString, flag: (switches.jsLiterals ? 1 : 0) | pathFlag, a: path.start,
                                b: expected, c: path.count)))
                } else {
                    let test = compileValueTest(value, savedGroups: savedGroups, values: &values)
                    children.append(add(ConditionNode(.attribute, flag: pathFlag, a: path.start, b: test, c: path.count)))
                }
            }
        }
        if children.count == 1 { return children[0] }
        let l = list(children)
        return add(ConditionNode(.and, a: l.start, b: l.count))
    }

    /// Flag 2 of an attribute node: its path goes into arrays by index (JavaScript's `getPath`:
    /// `a.0`; `SemanticsRules.jsPathsIntoArrays`).
    private var pathFlag: UInt8 { switches.jsPathsIntoArrays ? 2 : 0 }

    /// A dotted attribute path, split once.
    private mutating func path(_ path: String, values: inout DocumentBuilder) -> (start: Int32, count: Int32) {
        let start = Int32(truncatingIfNeeded: keys.count)
        var text = path
        text.withUTF8 { bytes in
            // Segments split at every ".", empty ones kept (as Python's str.split does).
            var segmentStart = 0
            var i = 0
            while i <= bytes.count {
                if i == bytes.count || bytes[i] == UInt8(ascii: ".") {
                    keys.append(values.string(bytes: UnsafeBufferPointer(rebasing: bytes[segmentStart..<i])))
                    segmentStart = i &+ 1
                }
                i &+= 1
            }
        }
        return (start, Int32(truncatingIfNeeded: keys.count) - start)
    }

    /// The lower-cased form of a string literal that `$alli` compares with (-1: not a string):
    /// the literal's own node `expected` when lower-casing cannot change it (ASCII without
    /// capitals, nearly every literal).
    private func foldedString(_ json: JSON, _ expected: Int32, values: inout DocumentBuilder) -> Int32 {
        guard let string = json.stringValue else { return -1 }
        return string.utf8.allSatisfy({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5a) })
            ? expected : values.addString(string.lowercased())
    }

    private static func isOperatorObject(_ object: JSONObject) -> Bool {
        object.keys.allSatisfy { $0.utf8.first == UInt8(ascii: "$") }
    }

    /// An operator object (every key starts with `$`; in JavaScript, and at least one) or a
    /// literal to compare for equality.
    mutating func compileValueTest(_ json: JSON, savedGroups: JSONObject?, values: inout DocumentBuilder) -> Int32 {
        if switches.jsLiterals, !(json.objectValue.map { !$0.isEmpty && Self.isOperatorObject($0) } ?? false) {
            let kind = JSLiteralKind(json)
            let operand = kind == .json ? values.addShared(.string(json.jsJSON)) : values.addShared(json)
            let folded = foldedString(json, operand, values: &values)
            return add(ConditionNode(.jsEquals, flag: kind.rawValue, b: operand, c: folded))
        }
        guard case .object(let object) = json, Self.isOperatorObject(object) else {
            let expected = values.addShared(json)
            return add(ConditionNode(.equals, b: expected, c: foldedString(json, expected, values: &values)))
        }
        var ops: [Int32] = []
        for (key, value) in object.pairs {
            ops.append(compileOperator(key, value, savedGroups: savedGroups, values: &values))
        }
        if ops.count == 1 { return ops[0] }
        let l = list(ops)
        return add(ConditionNode(.operators, a: l.start, b: l.count))
    }

    private mutating func constant(_ value: Bool) -> Int32 {
        add(ConditionNode(.constantTest, flag: value ? 1 : 0))
    }

    private static let comparisons: [String: ComparisonKind] = [
        "$eq": .eq, "$ne": .ne, "$lt": .lt, "$lte": .lte, "$gt": .gt, "$gte": .gte,
    ]
    /// The operators of spec 0.7 that Python 1.1.0 does not have.
    private static let spec07Operators: Set<String> = ["$ini", "$nini", "$alli", "$regexi", "$inGroup", "$notInGroup"]
    private static let versions: [String: ComparisonKind] = [
        "$veq": .eq, "$vne": .ne, "$vlt": .lt, "$vlte": .lte, "$vgt": .gt, "$vgte": .gte,
    ]

    private mutating func compileOperator(
        _ op: String, _ value: JSON, savedGroups: JSONObject?, values: inout DocumentBuilder
    ) -> Int32 {
        if let kind = Self.comparisons[op] {
            // (`SemanticsRules.jsComparisons`)
            return add(ConditionNode(switches.jsComparisons ? .jsCompare : .compare, flag: kind.rawValue, b: values.addShared(value)))
        }
        if let kind = Self.versions[op] {
            // (flag 0x80: JavaScript's String() of numbers and UTF-16 order, `SemanticsRules.jsVersionStrings`)
            let js = switches.jsVersionStrings
            let padded = values.addShared(.string(PaddedVersion(json: value, js: js).string))
            return add(ConditionNode(.version, flag: kind.rawValue | (js ? 0x80 : 0), b: padded))
        }
        // Operators Python 1.1.0 does not know fail, as unknown operators do
        // (`SemanticsRules.spec07Operators`).
        if !switches.spec07Operators && Self.spec07Operators.contains(op) { return constant(false) }
        switch op {
        case "$in", "$nin", "$ini", "$nini":
            guard case .array(let items) = value else { return constant(false) }
            let insensitive = op == "$ini" || op == "$nini"
            return membership(items, negated: op == "$nin" || op == "$nini", insensitive: insensitive, values: &values)
        case "$inGroup", "$notInGroup":
            let negated = op == "$notInGroup"
            guard case .string(let groupId) = value else { return constant(false) }
            guard let group = savedGroups?[groupId] else { return constant(negated) }
            return membership(group.arrayValue ?? [], negated: negated, insensitive: false, values: &values)
        case "$regex", "$regexi":
            guard case .string(let pattern) = value else { return constant(false) }
            // (flag 2: a non-string value is tested as its String(), `SemanticsRules.jsRegexOnAnyValue`)
            let anyValue: UInt8 = switches.jsRegexOnAnyValue ? 2 : 0
            return add(ConditionNode(.regex, flag: anyValue, a: regex(pattern, ignoreCase: op == "$regexi")))
        case "$elemMatch":
            guard case .object(let object) = value else { return constant(false) }
            // (flag 1: falsy elements are skipped, `SemanticsRules.jsElemMatchSkipsFalsy`)
            let skip: UInt8 = switches.jsElemMatchSkipsFalsy ? 1 : 0
            if Self.isOperatorObject(object) {
                let test = compileValueTest(value, savedGroups: savedGroups, values: &values)
                return add(ConditionNode(.elemMatchValue, flag: skip, b: test))
            }
            let condition = compileCondition(value, savedGroups: savedGroups, values: &values)
            return add(ConditionNode(.elemMatchCondition, flag: skip, b: condition))
        case "$size":
            let test = compileValueTest(value, savedGroups: savedGroups, values: &values)
            return add(ConditionNode(.size, b: test))
        case "$all", "$alli":
            let items: [JSON]
            switch value {
            case .array(let a): items = a
            // Python iterates a string's characters and an object's keys
            // (`SemanticsRules.allIteratesAnyOperand`).
            case .string(let s) where switches.allIteratesAnyOperand: items = s.unicodeScalars.map { .string(String($0)) }
            case .object(let o) where switches.allIteratesAnyOperand: items = o.keys.map { .string($0) }
            default: return constant(false)
            }
            let tests = items.map { compileValueTest($0, savedGroups: savedGroups, values: &values) }
            let l = list(tests)
            return add(ConditionNode(.all, flag: op == "$alli" ? 1 : 0, a: l.start, b: l.count))
        case "$exists":
            return add(ConditionNode(.exists, flag: value.isTruthy ? 1 : 0))
        case "$type":
            guard case .string = value else { return constant(false) }
            return add(ConditionNode(.type, b: values.addShared(value)))
        case "$not":
            let test = compileValueTest(value, savedGroups: savedGroups, values: &values)
            return add(ConditionNode(.notTest, b: test))
        default:
            return constant(false)
        }
    }

    /// The index of `pattern`'s compiled regex (compiled the first time it is seen, in the
    /// semantics' dialect), or -1 when the reference rejects it.
    private mutating func regex(_ pattern: String, ignoreCase: Bool) -> Int32 {
        let key = (ignoreCase ? "i" : "s") + pattern
        if let i = regexIndex[key] { return i }
        var i: Int32 = -1
        if let regex = CompiledRegex(pattern, ignoreCase: ignoreCase, dialect: switches.regexDialect) {
            regexes.append(regex)
            i = Int32(truncatingIfNeeded: regexes.count - 1)
        }
        regexIndex[key] = i
        return i
    }

    /// A membership list; lists of more than eight items get a table of their scalars.
    private mutating func membership(
        _ items: [JSON], negated: Bool, insensitive: Bool, values: inout DocumentBuilder
    ) -> Int32 {
        // flag 4: items equal as `Array.prototype.includes` has it (`SemanticsRules.jsMembership`);
        // 8: beside an array attribute, a list or object item on either side fails the test
        // (`SemanticsRules.unhashableMembershipFails`), 16: the list has one
        var flag: UInt8 = (negated ? 1 : 0) | (insensitive ? 2 : 0) | (switches.jsMembership ? 4 : 0)
        if switches.unhashableMembershipFails {
            flag |= 8 | (items.contains { !$0.isScalar } ? 16 : 0)
        }
        let list = insensitive ? items.map { $0.stringValue.map { JSON.string($0.lowercased()) } ?? $0 } : items
        let array = values.addShared(.array(list))
        guard !insensitive, items.count > 8 else {
            return add(ConditionNode(.membership, flag: flag, a: array, b: -1, c: 0))
        }
        var size = 16
        while size < 2 * items.count { size <<= 1 }
        let start = slots.count
        slots.append(contentsOf: repeatElement(-1, count: size))
        let mask = size - 1
        // The array's elements are contiguous nodes after it is added.
        let first = values.nodes[Int(array)].payload
        for (i, item) in items.enumerated() where item.isScalar {
            var slot = Int(truncatingIfNeeded: jsonScalarHash(item)) & mask
            while slots[start + slot] >= 0 { slot = (slot + 1) & mask }
            slots[start + slot] = Int32(truncatingIfNeeded: Int(truncatingIfNeeded: first) + i)
        }
        return add(
            ConditionNode(
                .membership, flag: flag, a: array, b: Int32(truncatingIfNeeded: start), c: Int32(truncatingIfNeeded: size)))
    }
}

/// `Val.scalarHash` of a tree value (for building membership tables).
func jsonScalarHash(_ j: JSON) -> UInt64 {
    switch j {
    case .null: return mix64(0x6e75_6c6c)
    case .string(let s):
        return mix64(UInt64(keyHash(s)) | 0x5_0000_0000)
    case .bool(let b): return mix64((b ? 1.0 : 0.0).bitPattern)
    case .int(let i):
        var d = Double(i)
        if d == 0 { d = 0 }
        return mix64(d.bitPattern)
    case .double(var d):
        if d == 0 { d = 0 }
        return mix64(d.bitPattern)
    case .bigInteger(let digits):
        // as the Double it may equal (`Val.scalarHash` hashes the node's Double)
        return mix64((Double(digits) ?? 0).bitPattern)
    case .array, .object: return 0
    }
}

/// What a condition is evaluated against: the attributes, or (for a prerequisite) the object
/// `{"value": parent}` without building it.
struct ConditionRoot {
    let value: Val
    let wrapsValue: Bool

    init(_ attributes: Val) {
        value = attributes
        wrapsValue = false
    }

    init(parentValue: Val) {
        value = parentValue
        wrapsValue = true
    }
}

/// The views of a condition program's storage.
struct ConditionTables: BitwiseCopyable {
    let nodes: FlatView<ConditionNode>
    let lists: FlatView<Int32>
    let keys: FlatView<StringRef>
    let slots: FlatView<Int32>
    let regexes: FlatView<ObjectRef<CompiledRegex>>
}

/// Evaluates compiled conditions, reading the program and its operands in place.
struct ConditionReader: Sendable {
    private let tables: FlatRef<ConditionTables>
    let values: DocView

    init(_ program: ConditionProgram, values: DocView) {
        tables = program.tables.ref
        self.values = values
    }

    var nodes: FlatView<ConditionNode> { tables.pointee.nodes }
    var lists: FlatView<Int32> { tables.pointee.lists }
    var keys: FlatView<StringRef> { tables.pointee.keys }
    var slots: FlatView<Int32> { tables.pointee.slots }
    var regexes: FlatView<ObjectRef<CompiledRegex>> { tables.pointee.regexes }

    /// Whether the condition at `node` passes. Recursion follows the compiled condition, as
    /// deep as its JSON was (bounded by `JSON.maxDepth`).
    func evaluate(_ node: Int32, _ root: ConditionRoot) -> Bool {
        let n = nodes[node]
        switch n.op {
        case .and:
            return !anyChild(n, root, passing: false)
        case .or:
            return n.b == 0 || anyChild(n, root, passing: true)
        case .nor:
            return n.b != 0 && !anyChild(n, root, passing: true)
        case .not:
            return !evaluate(n.a, root)
        default:
            return evaluateLeaf(n, root)
        }
    }

    /// A node without child conditions (an attribute's test, a constant): `evaluate`'s leaves
    /// and `anyChild`'s. Transparent (always inlined, even into `evaluate`): `@inline(__always)`
    /// is not honoured for a function in `evaluate`'s recursion, and the call cost W3 2%.
    @_transparent
    private func evaluateLeaf(_ n: ConditionNode, _ root: ConditionRoot) -> Bool {
        switch n.op {
        case .attribute:
            return testLeaf(n.b, lookup(n.a, n.c, root, intoArrays: n.flag & 2 != 0))
        case .attributeEqualsString:
            let v = lookup(n.a, n.c, root, intoArrays: n.flag & 2 != 0)
            if v.kind == .string { return v.bytes == Val(values, n.b).bytes }
            return n.flag & 1 != 0 && JSLiteralKind.string.holds(v, Val(values, n.b))
        case .constant, .constantTest:
            return n.flag != 0
        default:
            // A test node where a condition belongs (never compiled so), or a list node
            // (`anyChild` passes those to `evaluate`).
            return false
        }
    }

    /// Whether some child of list node `n` evaluates to `passing` (stopping at the first).
    /// Children that are attribute tests, as most are, are evaluated here, not by a call.
    @inline(__always)
    private func anyChild(_ n: ConditionNode, _ root: ConditionRoot, passing: Bool) -> Bool {
        var i: Int32 = 0
        while i < n.b {
            let index = lists[n.a &+ i]
            let child = nodes[index]
            let passed: Bool
            switch child.op {
            case .and, .or, .nor, .not: passed = evaluate(index, root)
            default: passed = evaluateLeaf(child, root)
            }
            if passed == passing { return true }
            i &+= 1
        }
        return false
    }

    /// The value at the path of keys `start ..< start + count`; null when any segment is
    /// missing or not an object.
    @inline(__always)
    private func lookup(_ start: Int32, _ count: Int32, _ root: ConditionRoot, intoArrays: Bool) -> Val {
        var current = root.value
        if count == 1 && !root.wrapsValue {
            // One segment, the common path: no loop.
            let k = keys[start]
            return current.lookup(hash: k.hash, count: Int(k.count), { values.span(k) }) ?? Val(current.doc, -1)
        }
        var i: Int32 = 0
        if root.wrapsValue {
            let k = values.span(keys[start])
            guard k.count == 5, k[0] == 0x76, k[1] == 0x61, k[2] == 0x6c, k[3] == 0x75, k[4] == 0x65 else {
                return Val(current.doc, -1)
            }
            i = 1
        }
        while i < count {
            let k = keys[start &+ i]
            if intoArrays && current.kind == .array {
                // An array's element by its index (digits, no leading zero), as `part in array`.
                guard let index = Self.arrayIndex(values.span(k)), index < current.count else { return Val(current.doc, -1) }
                current = current.element(index)
                i &+= 1
                continue
            }
            guard let next = current.lookup(hash: k.hash, count: Int(k.count), { values.span(k) }) else {
                return Val(current.doc, -1)  // null
            }
            current = next
            i &+= 1
        }
        return current
    }

    /// A canonical array index ("0", "12"; not "01", "-1" or "1.0"), or nil.
    private static func arrayIndex(_ k: ByteSpan) -> Int? {
        guard k.count > 0, k.count <= 9, k[0] != UInt8(ascii: "0") || k.count == 1 else { return nil }
        var n = 0
        for j in 0..<k.count {
            let d = k[j]
            guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(d - UInt8(ascii: "0"))
        }
        return n
    }

    /// `test` with the commonest tests (a number compared with a number, a string in a short
    /// list of strings) decided here, without the call.
    @inline(__always)
    private func testLeaf(_ node: Int32, _ value: Val) -> Bool {
        let t = nodes[node]
        switch t.op {
        case .compare:
            if let holds = compareInts(t, value) { return holds }
        case .jsCompare:
            // Integers that doubles hold exactly compare the same as JavaScript's numbers.
            if value.kind == .int && value.int.magnitude <= 1 << 53, let holds = compareInts(t, value, within: 1 << 53) {
                return holds
            }
        case .membership:
            if t.flag & 2 == 0 && t.b < 0 && value.kind == .string {
                return stringListContains(t, value) != (t.flag & 1 != 0)
            }
        default:
            break
        }
        return test(node, value, insensitive: false)
    }

    /// A `.compare` test of an integer against an integer operand; nil for other kinds.
    @inline(__always)
    private func compareInts(_ n: ConditionNode, _ value: Val, within bound: UInt64 = .max) -> Bool? {
        guard value.kind == .int else { return nil }
        let operand = Val(values, n.b)
        guard operand.kind == .int, operand.int.magnitude <= bound else { return nil }
        let x = value.int
        let y = operand.int
        return (ComparisonKind(rawValue: n.flag) ?? .eq).holds(x > y ? 1 : (x < y ? -1 : 0))
    }

    /// Whether the string `value` is in the list of membership node `n` (no table, case
    /// sensitive). A string equals strings only (Python's `==`): no coercion to try. String
    /// nodes carry their hash, so most items are ruled out without reading their bytes.
    @inline(__always)
    private func stringListContains(_ n: ConditionNode, _ value: Val) -> Bool {
        let v = value.node
        let nodes = values.nodes
        let items = nodes[n.a]
        guard items.kind == .array else { return false }
        let first = Int(truncatingIfNeeded: items.payload)
        var i = 0
        while i < Int(items.count) {
            let item = nodes[first &+ i]
            if item.kind == .string && item.count == v.count && item.payload >> 32 == v.payload >> 32
                && Val(values, Int32(truncatingIfNeeded: first &+ i)).bytes == value.bytes
            {
                return true
            }
            i &+= 1
        }
        return false
    }

    /// Whether `value` passes the test at `node`. `insensitive`: string literals compare
    /// case-insensitively (`$alli` passes it to its element tests).
    func test(_ node: Int32, _ value: Val, insensitive: Bool) -> Bool {
        let n = nodes[node]
        switch n.op {
        case .equals:
            if insensitive, n.c >= 0, value.kind == .string {
                return value.bytes.string.lowercased().utf8.elementsEqual(Val(values, n.c).bytes.string.utf8)
            }
            return pythonEquals(Val(values, n.b), value)
        case .operators:
            var i: Int32 = 0
            while i < n.b {
                if !test(lists[n.a &+ i], value, insensitive: false) { return false }
                i &+= 1
            }
            return true
        case .compare:
            if let holds = compareInts(n, value) { return holds }
            let kind = ComparisonKind(rawValue: n.flag) ?? .eq
            guard let order = pythonCompare(value, Val(values, n.b)) else { return false }
            return kind.holds(order)
        case .jsCompare:
            return jsRelational(ComparisonKind(rawValue: n.flag) ?? .eq, value, Val(values, n.b))
        case .jsEquals:
            if insensitive, n.c >= 0 {
                let text = value.kind == .string ? value.bytes.string : value.jsString
                return text.lowercased().utf8.elementsEqual(Val(values, n.c).bytes.string.utf8)
            }
            return (JSLiteralKind(rawValue: n.flag) ?? .null).holds(value, Val(values, n.b))
        case .version:
            let js = n.flag & 0x80 != 0
            let kind = ComparisonKind(rawValue: n.flag & 0x7F) ?? .eq
            let operand = Val(values, n.b).bytes
            return PaddedVersion.withPadded(value, js: js) { v in kind.holds(js ? utf16Order(v, operand) : v.compare(operand)) }
        case .membership:
            if n.flag & 8 != 0 && value.kind == .array && (n.flag & 16 != 0 || value.hasContainerElement) { return false }
            return contains(n, value) != (n.flag & 1 != 0)
        case .regex:
            guard value.kind == .string else {
                guard n.flag & 2 != 0 else { return false }
                var text = value.jsString  // JavaScript's RegExp.test converts its argument
                return text.withUTF8 { b in regexes[n.a].with({ $0.search(ByteSpan(b)) }) == true }
            }
            return regexes[n.a].with({ $0.search(value.bytes) }) == true
        case .elemMatchValue:
            guard value.kind == .array else { return false }
            for i in 0..<value.count {
                let e = value.element(i)
                if n.flag != 0 && !e.isJSTruthy { continue }
                if test(n.b, e, insensitive: false) { return true }
            }
            return false
        case .elemMatchCondition:
            guard value.kind == .array else { return false }
            for i in 0..<value.count {
                let e = value.element(i)
                if n.flag != 0 && !e.isJSTruthy { continue }
                if evaluate(n.b, ConditionRoot(e)) { return true }
            }
            return false
        case .size:
            guard value.kind == .array else { return false }
            return Val.withInteger(Int64(value.count), beside: values) { test(n.b, $0, insensitive: false) }
        case .all:
            guard value.kind == .array else { return false }
            let count = value.count
            var t: Int32 = 0
            while t < n.b {
                let testNode = lists[n.a &+ t]
                var passing = false
                for i in 0..<count where test(testNode, value.element(i), insensitive: n.flag != 0) {
                    passing = true
                    break
                }
                if !passing { return false }
                t &+= 1
            }
            return true
        case .exists:
            return value.isNull != (n.flag != 0)
        case .type:
            let name = value.typeName
            let expected = Val(values, n.b).bytes
            guard expected.count == name.utf8CodeUnitCount else { return false }
            var equal = true
            name.withUTF8Buffer { b in
                for i in 0..<b.count where b[i] != expected[i] { equal = false }
            }
            return equal
        case .notTest:
            return !test(n.b, value, insensitive: false)
        case .constantTest, .constant:
            return n.flag != 0
        default:
            return false
        }
    }

    /// The reference's `isIn`: an array attribute passes when it shares any element with the
    /// list; any other value when it equals an element.
    private func contains(_ n: ConditionNode, _ value: Val) -> Bool {
        if value.kind == .array {
            for i in 0..<value.count where containsOne(n, value.element(i)) { return true }
            return false
        }
        return containsOne(n, value)
    }

    private func containsOne(_ n: ConditionNode, _ value: Val) -> Bool {
        let list = Val(values, n.a)
        if n.flag & 2 != 0 {
            // Case-insensitive: the list was lower-cased when compiled.
            if value.kind == .string {
                let lowered = Array(value.bytes.string.lowercased().utf8)
                return lowered.withUnsafeBufferPointer { buffer in
                    let v = ByteSpan(buffer)
                    for i in 0..<list.count {
                        let item = list.element(i)
                        if item.kind == .string && item.bytes == v { return true }
                    }
                    return false
                }
            }
            for i in 0..<list.count where equals(n, list.element(i), value) { return true }
            return false
        }
        if n.b >= 0 && n.c > 0 && value.isScalar {
            let mask = Int(n.c) - 1
            var slot = Int(truncatingIfNeeded: value.scalarHash) & mask
            var probes = 0
            while probes < Int(n.c) {
                let item = slots[Int(n.b) + slot]
                if item < 0 { return false }
                if equals(n, Val(values, item), value) { return true }
                slot = (slot + 1) & mask
                probes += 1
            }
            return false
        }
        if value.kind == .string { return stringListContains(n, value) }
        for i in 0..<list.count where equals(n, list.element(i), value) { return true }
        return false
    }

    /// A membership list's item equality: JavaScript's `includes` (SameValueZero: 1 is not
    /// true, arrays and objects are never equal) with flag 4, else Python's `==`.
    @inline(__always)
    private func equals(_ n: ConditionNode, _ item: Val, _ value: Val) -> Bool {
        n.flag & 4 != 0 ? jsStrictEquals(item, value) : pythonEquals(item, value)
    }
}
