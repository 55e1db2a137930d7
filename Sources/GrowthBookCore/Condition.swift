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

    /// Whether the condition is the empty object, which always passes.
    public var isAlwaysTrue: Bool {
        if case .all(let list) = root, list.isEmpty { return true }
        return false
    }
}

indirect enum ConditionNode: Sendable {
    /// Every sub-condition passes (the keys of one condition object).
    case all([ConditionNode])
    /// Any passes; an empty list passes.
    case or([ConditionNode])
    /// None passes.
    case nor([ConditionNode])
    case not(ConditionNode)
    case attribute(AttributePath, ValueTest)
    case constant(Bool)

    func evaluate(_ attributes: JSON) -> Bool {
        switch self {
        case .all(let list):
            for c in list where !c.evaluate(attributes) { return false }
            return true
        case .or(let list):
            if list.isEmpty { return true }
            for c in list where c.evaluate(attributes) { return true }
            return false
        case .nor(let list):
            if list.isEmpty { return false }
            for c in list where c.evaluate(attributes) { return false }
            return true
        case .not(let c):
            return !c.evaluate(attributes)
        case .attribute(let path, let test):
            return test.evaluate(path.lookup(in: attributes))
        case .constant(let b):
            return b
        }
    }
}

/// A dotted attribute path, split once. Looking it up never allocates.
struct AttributePath: Sendable {
    let first: String
    let rest: [String]

    init(_ path: String) {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        first = parts.first ?? path
        rest = Array(parts.dropFirst())
    }

    /// The value at the path, `.null` when any segment is missing or not an object.
    func lookup(in attributes: JSON) -> JSON {
        guard case .object(let o) = attributes, var current = o[first] else { return .null }
        for segment in rest {
            guard case .object(let o) = current, let next = o[segment] else { return .null }
            current = next
        }
        return current
    }
}

/// A test on one attribute value: literal equality, or an object of operators.
indirect enum ValueTest: Sendable {
    case equals(JSON)
    case operators([ConditionOperator])

    func evaluate(_ value: JSON, insensitive: Bool = false) -> Bool {
        switch self {
        case .equals(let expected):
            if insensitive, case .string(let e) = expected, case .string(let v) = value {
                return e.lowercased() == v.lowercased()
            }
            return expected == value
        case .operators(let ops):
            for op in ops where !op.evaluate(value) { return false }
            return true
        }
    }
}

/// A list for `$in`-style membership, indexed when it is long enough to pay off.
struct MembershipList: Sendable {
    let items: [JSON]
    let set: Set<JSON>?
    /// Lower-cased string items, for the case-insensitive operators.
    let folded: [JSON]

    init(_ items: [JSON], caseInsensitive: Bool) {
        self.items = items
        self.set = !caseInsensitive && items.count > 8 ? Set(items.filter { $0.isScalar }) : nil
        self.folded = caseInsensitive ? items.map { $0.caseFolded } : []
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
            for item in folded where item == v { return true }
            return false
        }
        if let set, value.isScalar { return set.contains(value) }
        for item in items where item == value { return true }
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

enum ConditionOperator: Sendable {
    case compare(JSON, ComparisonKind)
    case version(PaddedVersion, ComparisonKind)
    case membership(MembershipList, negated: Bool, insensitive: Bool)
    /// `nil` regex: the pattern did not compile, so the operator fails.
    case regex(CompiledRegex?, negated: Bool)
    case elemMatchValue(ValueTest)
    case elemMatchCondition(ConditionNode)
    case size(ValueTest)
    case all([ValueTest], insensitive: Bool)
    case exists(Bool)
    case type(String)
    case not(ValueTest)
    case constant(Bool)

    enum ComparisonKind: Sendable {
        case eq, ne, lt, lte, gt, gte

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

    func evaluate(_ value: JSON) -> Bool {
        switch self {
        case .compare(let operand, let kind):
            guard let order = pythonCompare(value, operand) else { return false }
            return kind.holds(order)
        case .version(let operand, let kind):
            let v = PaddedVersion(json: value)
            let order = v == operand ? 0 : (v < operand ? -1 : 1)
            return kind.holds(order)
        case .membership(let list, let negated, let insensitive):
            return list.contains(value, insensitive: insensitive) != negated
        case .regex(let regex, let negated):
            guard let regex, case .string(let s) = value else { return false }
            return regex.search(s) != negated
        case .elemMatchValue(let test):
            guard case .array(let items) = value else { return false }
            for item in items where test.evaluate(item) { return true }
            return false
        case .elemMatchCondition(let condition):
            guard case .array(let items) = value else { return false }
            for item in items where condition.evaluate(item) { return true }
            return false
        case .size(let test):
            guard case .array(let items) = value else { return false }
            return test.evaluate(.int(Int64(items.count)))
        case .all(let tests, let insensitive):
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
        case .exists(let shouldExist):
            return value.isNull != shouldExist
        case .type(let name):
            return value.typeName == name
        case .not(let test):
            return !test.evaluate(value)
        case .constant(let b):
            return b
        }
    }
}

/// Turns condition JSON into the compiled tree. Recursion follows the JSON, whose depth the
/// parser bounds.
struct ConditionCompiler {
    let savedGroups: JSONObject?

    mutating func compileCondition(_ json: JSON) -> ConditionNode {
        guard case .object(let object) = json else { return .constant(false) }
        var nodes: [ConditionNode] = []
        nodes.reserveCapacity(object.count)
        for (key, value) in object.pairs {
            switch key {
            case "$or": nodes.append(compileList(value).map { .or($0) } ?? .constant(false))
            case "$nor": nodes.append(compileList(value).map { .nor($0) } ?? .constant(false))
            case "$and": nodes.append(compileList(value).map { .all($0) } ?? .constant(false))
            case "$not": nodes.append(.not(compileCondition(value)))
            default: nodes.append(.attribute(AttributePath(key), compileValueTest(value)))
            }
        }
        return nodes.count == 1 ? nodes[0] : .all(nodes)
    }

    private mutating func compileList(_ json: JSON) -> [ConditionNode]? {
        guard case .array(let items) = json else { return nil }
        return items.map { compileCondition($0) }
    }

    /// An operator object (every key starts with `$`) or a literal to compare for equality.
    mutating func compileValueTest(_ json: JSON) -> ValueTest {
        guard case .object(let object) = json, isOperatorObject(object) else { return .equals(json) }
        var ops: [ConditionOperator] = []
        for (key, value) in object.pairs {
            ops.append(compileOperator(key, value))
        }
        return .operators(ops)
    }

    private func isOperatorObject(_ object: JSONObject) -> Bool {
        object.keys.allSatisfy { $0.utf8.first == UInt8(ascii: "$") }
    }

    private mutating func compileOperator(_ op: String, _ value: JSON) -> ConditionOperator {
        switch op {
        case "$eq": return .compare(value, .eq)
        case "$ne": return .compare(value, .ne)
        case "$lt": return .compare(value, .lt)
        case "$lte": return .compare(value, .lte)
        case "$gt": return .compare(value, .gt)
        case "$gte": return .compare(value, .gte)
        case "$veq": return .version(PaddedVersion(json: value), .eq)
        case "$vne": return .version(PaddedVersion(json: value), .ne)
        case "$vlt": return .version(PaddedVersion(json: value), .lt)
        case "$vlte": return .version(PaddedVersion(json: value), .lte)
        case "$vgt": return .version(PaddedVersion(json: value), .gt)
        case "$vgte": return .version(PaddedVersion(json: value), .gte)
        case "$in", "$nin", "$ini", "$nini":
            guard case .array(let items) = value else { return .constant(false) }
            let insensitive = op == "$ini" || op == "$nini"
            return .membership(
                MembershipList(items, caseInsensitive: insensitive),
                negated: op == "$nin" || op == "$nini", insensitive: insensitive)
        case "$inGroup", "$notInGroup":
            let negated = op == "$notInGroup"
            guard case .string(let groupId) = value else { return .constant(false) }
            guard let group = savedGroups?[groupId] else { return .constant(negated) }
            let items = group.arrayValue ?? []
            return .membership(MembershipList(items, caseInsensitive: false), negated: negated, insensitive: false)
        case "$regex", "$regexi", "$notRegex", "$notRegexi":
            guard case .string(let pattern) = value else { return .constant(false) }
            let ignoreCase = op.hasSuffix("i")
            let negated = op.hasPrefix("$not")
            return .regex(CompiledRegex(pattern, ignoreCase: ignoreCase), negated: negated)
        case "$elemMatch":
            guard case .object(let object) = value else { return .constant(false) }
            if isOperatorObject(object) { return .elemMatchValue(compileValueTest(value)) }
            return .elemMatchCondition(compileCondition(value))
        case "$size": return .size(compileValueTest(value))
        case "$all", "$alli":
            guard case .array(let items) = value else { return .constant(false) }
            return .all(items.map { compileValueTest($0) }, insensitive: op == "$alli")
        case "$exists": return .exists(value.isTruthy)
        case "$type":
            guard case .string(let name) = value else { return .constant(false) }
            return .type(name)
        case "$not": return .not(compileValueTest(value))
        default: return .constant(false)
        }
    }
}
