/// A targeting condition (GrowthBook's MongoDB-like syntax) compiled once: paths split, regexes
/// built, version strings padded, `$in` lists indexed, saved groups resolved. Evaluating it does
/// no parsing and no string matching on operator names.
public struct Condition: Sendable {
    let root: ConditionNode

    /// Compiles `json`. Saved groups are resolved now, for `$inGroup` and `$notInGroup`. A
    /// malformed condition compiles to one that never passes (where the reference would raise).
    public init(_ json: JSON, savedGroups: JSONObject? = nil) {
        var compiler = ConditionCompiler(savedGroups: savedGroups)
        root = compiler.compileCondition(json)
    }

    /// Whether `attributes` satisfy the condition (`evalCondition` in the reference).
    public func evaluate(_ attributes: JSON) -> Bool {
        root.evaluate(attributes)
    }

}

// The compiled tree is made of immutable final classes rather than enums with payloads:
// evaluating an enum case copies its payload out (a reference count per field), while a class's
// `let` fields are read in place. Each node kind is its own small class with one `evaluate`.

/// A node of a compiled condition: evaluated against an attributes value.
class ConditionNode: @unchecked Sendable {
    func evaluate(_ attributes: JSON) -> Bool { false }
}

/// Every child passes (the keys of one condition object).
final class AllNode: ConditionNode {
    let children: [ConditionNode]
    private let unowned: UnownedList<ConditionNode>
    init(_ children: [ConditionNode]) {
        self.children = children
        self.unowned = UnownedList(children)
    }

    override func evaluate(_ attributes: JSON) -> Bool {
        unowned.allSatisfy { $0.evaluate(attributes) }
    }
}

/// The elements of an array held elsewhere (which keeps them alive), iterated without a
/// reference count per element: on the evaluation path those counts are most of the cost, and
/// shared by every thread evaluating the same feature set.
struct UnownedList<Element: AnyObject>: @unchecked Sendable {
    private let items: [Unmanaged<Element>]

    init(_ owned: [Element]) {
        items = owned.map { Unmanaged.passUnretained($0) }
    }

    @inline(__always)
    func allSatisfy(_ body: (Element) -> Bool) -> Bool {
        items.withUnsafeBufferPointer { buffer in
            for u in buffer where !u._withUnsafeGuaranteedRef(body) { return false }
            return true
        }
    }
}

extension Array where Element: AnyObject {
    /// Calls `body` with the element at `i` borrowed in place: no reference count is taken
    /// (the array keeps the element alive for the call). Nil when `i` is out of range.
    @inline(__always)
    func withBorrowedElement<R>(at i: Int, _ body: (Element) -> R) -> R? {
        guard i >= 0 && i < count else { return nil }
        return withUnsafeBytes { raw in
            raw.load(fromByteOffset: i &* MemoryLayout<Element>.stride, as: Unmanaged<Element>.self)
                ._withUnsafeGuaranteedRef(body)
        }
    }
}

/// Any child passes; an empty list passes.
final class OrNode: ConditionNode {
    let children: [ConditionNode]
    init(_ children: [ConditionNode]) { self.children = children }

    override func evaluate(_ attributes: JSON) -> Bool {
        if children.isEmpty { return true }
        for c in children where c.evaluate(attributes) { return true }
        return false
    }
}

/// No child passes (an empty list fails, as `not evalOr([])` does).
final class NorNode: ConditionNode {
    let children: [ConditionNode]
    init(_ children: [ConditionNode]) { self.children = children }

    override func evaluate(_ attributes: JSON) -> Bool {
        if children.isEmpty { return false }
        for c in children where c.evaluate(attributes) { return false }
        return true
    }
}

final class NotNode: ConditionNode {
    let child: ConditionNode
    init(_ child: ConditionNode) { self.child = child }

    override func evaluate(_ attributes: JSON) -> Bool { !child.evaluate(attributes) }
}

final class ConstantNode: ConditionNode {
    let value: Bool
    init(_ value: Bool) { self.value = value }

    override func evaluate(_ attributes: JSON) -> Bool { value }
}

/// The value at one attribute path passes a test.
final class AttributeNode: ConditionNode {
    let path: AttributePath
    let test: ValueTest
    init(_ path: AttributePath, _ test: ValueTest) {
        self.path = path
        self.test = test
    }

    override func evaluate(_ attributes: JSON) -> Bool { test.evaluate(path.lookup(in: attributes)) }
}

/// The value at one attribute path equals a string (the common `{"country": "US"}`): only a
/// string can, so the test is one comparison of bytes.
final class AttributeEqualsStringNode: ConditionNode {
    let path: AttributePath
    let expected: String
    init(_ path: AttributePath, _ expected: String) {
        self.path = path
        self.expected = expected
    }

    override func evaluate(_ attributes: JSON) -> Bool {
        guard case .string(let v) = path.lookup(in: attributes) else { return false }
        return codePointsEqual(expected, v)
    }
}

/// A dotted attribute path, split once, each segment with its hash. Looking it up never
/// allocates.
struct AttributePath: Sendable {
    let first: JSONKey
    let rest: [JSONKey]

    init(_ path: String) {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        first = JSONKey(parts.first ?? path)
        rest = parts.dropFirst().map { JSONKey($0) }
    }

    /// The value at the path, `.null` when any segment is missing or not an object.
    @inline(__always)
    func lookup(in attributes: JSON) -> JSON {
        guard case .object(let o) = attributes, let i = o.firstIndex(of: first) else { return .null }
        if rest.isEmpty { return o.value(at: i) }
        return lookup(rest: o.value(at: i))
    }

    private func lookup(rest value: JSON) -> JSON {
        var current = value
        for segment in rest {
            guard case .object(let o) = current, let next = o[segment] else { return .null }
            current = next
        }
        return current
    }
}

/// A test on one attribute value: literal equality, or an object of operators.
class ValueTest: @unchecked Sendable {
    /// `insensitive`: string literals compare case-insensitively (for `$alli`).
    func evaluate(_ value: JSON, insensitive: Bool = false) -> Bool { false }
}

final class EqualsTest: ValueTest {
    let expected: JSON
    /// `expected` lower-cased, when it is a string (for `$alli`).
    private let folded: String?
    init(_ expected: JSON) {
        self.expected = expected
        folded = expected.stringValue?.lowercased()
    }

    override func evaluate(_ value: JSON, insensitive: Bool = false) -> Bool {
        if insensitive, let folded, case .string(let v) = value {
            return codePointsEqual(folded, v.lowercased())
        }
        return pythonEquals(expected, value)
    }
}

/// Every operator of an operator object passes.
final class OperatorsTest: ValueTest {
    let operators: [ConditionOperator]
    private let unowned: UnownedList<ConditionOperator>
    init(_ operators: [ConditionOperator]) {
        self.operators = operators
        self.unowned = UnownedList(operators)
    }

    override func evaluate(_ value: JSON, insensitive: Bool = false) -> Bool {
        unowned.allSatisfy { $0.evaluate(value) }
    }
}

/// A list for `$in`-style membership, indexed when it is long enough to pay off.
struct MembershipList: Sendable {
    let items: [JSON]
    let set: Set<JSON>?
    /// Lower-cased string items, for the case-insensitive operators.
    let folded: [JSON]
    /// The items when the list is short and every item is a string: then only a string can be
    /// a member, and membership is a few byte comparisons.
    let shortStrings: [String]?

    init(_ items: [JSON], caseInsensitive: Bool) {
        self.set = !caseInsensitive && items.count > 8 ? Set(items.filter { $0.isScalar }.map { $0.pythonHashKey }) : nil
        self.folded = caseInsensitive ? items.map { $0.caseFolded } : []
        let strings = items.compactMap { $0.stringValue }
        self.shortStrings = !caseInsensitive && items.count <= 8 && strings.count == items.count ? strings : nil
        // Only the general comparison reads the items themselves.
        self.items = caseInsensitive || shortStrings != nil ? [] : items
    }

    /// The reference's `isIn`: an array attribute passes when it shares any element with the
    /// list; any other value when it equals an element.
    func contains(_ value: JSON, insensitive: Bool) -> Bool {
        if case .array(let values) = value {
            for v in values where containsScalar(v, insensitive: insensitive) { return true }
            return false
        }
        return containsScalar(value, insensitive: insensitive)
    }

    private func containsScalar(_ value: JSON, insensitive: Bool) -> Bool {
        if insensitive {
            let v = value.caseFolded
            for item in folded where pythonEquals(item, v) { return true }
            return false
        }
        if let shortStrings {
            guard case .string(let v) = value else { return false }
            for s in shortStrings where codePointsEqual(s, v) { return true }
            return false
        }
        if let set, value.isScalar { return set.contains(value.pythonHashKey) }
        for item in items where pythonEquals(item, value) { return true }
        return false
    }
}

extension JSON {
    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    var caseFolded: JSON {
        if case .string(let s) = self { return .string(s.lowercased()) }
        return self
    }
}

/// One `$operator` of an operator object: a test on the value (an object of one operator is
/// that operator itself; several are an `OperatorsTest`). Operators ignore the `insensitive`
/// argument (`$alli` passes it to its literals); theirs is their own.
class ConditionOperator: ValueTest, @unchecked Sendable {}

enum ComparisonKind: Sendable {
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

/// `$eq $ne $lt $lte $gt $gte` with the reference's Python comparison.
final class CompareOperator: ConditionOperator {
    let operand: JSON
    let kind: ComparisonKind
    init(_ operand: JSON, _ kind: ComparisonKind) {
        self.operand = operand
        self.kind = kind
    }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool {
        // Two integers, the common case of numeric targeting: compared directly.
        if case .int(let x) = value, case .int(let y) = operand { return kind.holds(x > y ? 1 : (x < y ? -1 : 0)) }
        guard let order = pythonCompare(value, operand) else { return false }
        return kind.holds(order)
    }
}

/// `$veq $vne $vlt $vlte $vgt $vgte`: the operand padded once, the attribute per evaluation.
final class VersionOperator: ConditionOperator {
    let operand: PaddedVersion
    let kind: ComparisonKind
    init(_ operand: PaddedVersion, _ kind: ComparisonKind) {
        self.operand = operand
        self.kind = kind
    }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool {
        // The attribute's padded form is built on the stack and compared in place.
        return PaddedVersion.withPadded(PaddedVersion.text(of: value)) { v in
            operand.bytes.withUnsafeBufferPointer { o in
                kind.holds(bytesEqual(v, o) ? 0 : (v.lexicographicallyPrecedes(o) ? -1 : 1))
            }
        }
    }
}

/// `$in $nin $ini $nini`, and `$inGroup $notInGroup` with the saved group resolved.
final class MembershipOperator: ConditionOperator {
    let list: MembershipList
    let negated: Bool
    let insensitive: Bool
    init(_ list: MembershipList, negated: Bool, insensitive: Bool) {
        self.list = list
        self.negated = negated
        self.insensitive = insensitive
    }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool { list.contains(value, insensitive: insensitive) != negated }
}

/// `$regex $regexi $notRegex $notRegexi`; a pattern that did not compile fails.
final class RegexOperator: ConditionOperator {
    let regex: CompiledRegex?
    let negated: Bool
    init(_ regex: CompiledRegex?, negated: Bool) {
        self.regex = regex
        self.negated = negated
    }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool {
        // A pattern that did not compile, a non-string value, or a search the engine gave up
        // on: the operator fails, as the reference's raised exceptions make it fail.
        guard let regex, case .string(let s) = value, let found = regex.search(s) else { return false }
        return found != negated
    }
}

/// `$elemMatch` with an operator object: some element passes the operators.
final class ElemMatchValueOperator: ConditionOperator {
    let test: ValueTest
    init(_ test: ValueTest) { self.test = test }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool {
        guard case .array(let items) = value else { return false }
        for item in items where test.evaluate(item) { return true }
        return false
    }
}

/// `$elemMatch` with a condition: some element, as attributes, passes it.
final class ElemMatchConditionOperator: ConditionOperator {
    let condition: ConditionNode
    init(_ condition: ConditionNode) { self.condition = condition }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool {
        guard case .array(let items) = value else { return false }
        for item in items where condition.evaluate(item) { return true }
        return false
    }
}

final class SizeOperator: ConditionOperator {
    let test: ValueTest
    init(_ test: ValueTest) { self.test = test }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool {
        guard case .array(let items) = value else { return false }
        return test.evaluate(.int(Int64(items.count)))
    }
}

/// `$all $alli`: every test passes for some element.
final class AllOperator: ConditionOperator {
    let tests: [ValueTest]
    let insensitive: Bool
    init(_ tests: [ValueTest], insensitive: Bool) {
        self.tests = tests
        self.insensitive = insensitive
    }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool {
        guard case .array(let items) = value else { return false }
        for test in tests {
            var passing = false
            for item in items where test.evaluate(item, insensitive: insensitive) {
                passing = true
                break
            }
            if !passing { return false }
        }
        return true
    }
}

final class ExistsOperator: ConditionOperator {
    let shouldExist: Bool
    init(_ shouldExist: Bool) { self.shouldExist = shouldExist }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool { value.isNull != shouldExist }
}

final class TypeOperator: ConditionOperator {
    let name: String
    init(_ name: String) { self.name = name }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool { value.typeName == name }
}

final class NotOperator: ConditionOperator {
    let test: ValueTest
    init(_ test: ValueTest) { self.test = test }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool { !test.evaluate(value) }
}

final class ConstantOperator: ConditionOperator {
    let value: Bool
    init(_ value: Bool) { self.value = value }

    override func evaluate(_ value: JSON, insensitive _: Bool = false) -> Bool { self.value }
}

/// Turns condition JSON into the compiled tree. Recursion follows the JSON, whose depth the
/// parser bounds.
struct ConditionCompiler {
    let savedGroups: JSONObject?

    mutating func compileCondition(_ json: JSON) -> ConditionNode {
        guard case .object(let object) = json else { return ConstantNode(false) }
        var nodes: [ConditionNode] = []
        nodes.reserveCapacity(object.count)
        for (key, value) in object.pairs {
            switch key {
            case "$or": nodes.append(compileList(value).map { OrNode($0) } ?? ConstantNode(false))
            case "$nor": nodes.append(compileList(value).map { NorNode($0) } ?? ConstantNode(false))
            case "$and": nodes.append(compileList(value).map { AllNode($0) } ?? ConstantNode(false))
            case "$not": nodes.append(NotNode(compileCondition(value)))
            default:
                let test = compileValueTest(value)
                if let equals = test as? EqualsTest, case .string(let expected) = equals.expected {
                    nodes.append(AttributeEqualsStringNode(AttributePath(key), expected))
                } else {
                    nodes.append(AttributeNode(AttributePath(key), test))
                }
            }
        }
        return nodes.count == 1 ? nodes[0] : AllNode(nodes)
    }

    private mutating func compileList(_ json: JSON) -> [ConditionNode]? {
        guard case .array(let items) = json else { return nil }
        return items.map { compileCondition($0) }
    }

    /// An operator object (every key starts with `$`) or a literal to compare for equality.
    mutating func compileValueTest(_ json: JSON) -> ValueTest {
        guard case .object(let object) = json, isOperatorObject(object) else { return EqualsTest(json) }
        var ops: [ConditionOperator] = []
        for (key, value) in object.pairs {
            ops.append(compileOperator(key, value))
        }
        return ops.count == 1 ? ops[0] : OperatorsTest(ops)
    }

    private func isOperatorObject(_ object: JSONObject) -> Bool {
        object.keys.allSatisfy { $0.utf8.first == UInt8(ascii: "$") }
    }

    private mutating func compileOperator(_ op: String, _ value: JSON) -> ConditionOperator {
        switch op {
        case "$eq": return CompareOperator(value, .eq)
        case "$ne": return CompareOperator(value, .ne)
        case "$lt": return CompareOperator(value, .lt)
        case "$lte": return CompareOperator(value, .lte)
        case "$gt": return CompareOperator(value, .gt)
        case "$gte": return CompareOperator(value, .gte)
        case "$veq": return VersionOperator(PaddedVersion(json: value), .eq)
        case "$vne": return VersionOperator(PaddedVersion(json: value), .ne)
        case "$vlt": return VersionOperator(PaddedVersion(json: value), .lt)
        case "$vlte": return VersionOperator(PaddedVersion(json: value), .lte)
        case "$vgt": return VersionOperator(PaddedVersion(json: value), .gt)
        case "$vgte": return VersionOperator(PaddedVersion(json: value), .gte)
        case "$in", "$nin", "$ini", "$nini":
            guard case .array(let items) = value else { return ConstantOperator(false) }
            let insensitive = op == "$ini" || op == "$nini"
            return MembershipOperator(
                MembershipList(items, caseInsensitive: insensitive),
                negated: op == "$nin" || op == "$nini", insensitive: insensitive)
        case "$inGroup", "$notInGroup":
            let negated = op == "$notInGroup"
            guard case .string(let groupId) = value else { return ConstantOperator(false) }
            guard let group = savedGroups?[groupId] else { return ConstantOperator(negated) }
            let items = group.arrayValue ?? []
            return MembershipOperator(MembershipList(items, caseInsensitive: false), negated: negated, insensitive: false)
        case "$regex", "$regexi", "$notRegex", "$notRegexi":
            guard case .string(let pattern) = value else { return ConstantOperator(false) }
            let ignoreCase = op.hasSuffix("i")
            let negated = op.hasPrefix("$not")
            return RegexOperator(CompiledRegex(pattern, ignoreCase: ignoreCase), negated: negated)
        case "$elemMatch":
            guard case .object(let object) = value else { return ConstantOperator(false) }
            if isOperatorObject(object) { return ElemMatchValueOperator(compileValueTest(value)) }
            return ElemMatchConditionOperator(compileCondition(value))
        case "$size": return SizeOperator(compileValueTest(value))
        case "$all", "$alli":
            guard case .array(let items) = value else { return ConstantOperator(false) }
            return AllOperator(items.map { compileValueTest($0) }, insensitive: op == "$alli")
        case "$exists": return ExistsOperator(value.isTruthy)
        case "$type":
            guard case .string(let name) = value else { return ConstantOperator(false) }
            return TypeOperator(name)
        case "$not": return NotOperator(compileValueTest(value))
        default: return ConstantOperator(false)
        }
    }
}
