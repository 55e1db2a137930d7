/// Python 3.11's `re` for str patterns, translated to PCRE2 (UTF-8, code points).
///
/// The parser is CPython 3.11's `re/_parser.py` step by step (its tokenizer, its errors, its
/// optimizations where they change a match: a branch of single characters becomes a class, a
/// one-literal class a literal), and the checks `re/_compiler.py` makes (a lookbehind must have
/// a fixed width; the TEMPLATE flag refuses repeats). Every construct is then written out as
/// sre executes it, with Python 3.11's character data (`PythonRegexTables`, read from the
/// interpreter): `\w`, `\d`, `\s` and `\b` by its tables, IGNORECASE as sre folds case (a
/// literal matches the characters whose sre lower case is its lower case or one of
/// `_EXTRA_CASES`; a class is tested on the lowered character, with sre's handling of
/// characters outside the BMP), `^`, `$`, `\A`, `\Z` and `.` by their definitions in sre.
///
/// Not exact, as docs/semantics.md lists: refused (the condition is false) are a count above
/// 65535 on a group that captures (PCRE2's largest count; a larger one is written as nested
/// repeats of a copy, which would renumber the groups) or a maximum needing more than 16 such
/// levels, and nesting deeper than `RegexDialect.maxDepth`; approximated is a case-insensitive
/// backreference (PCRE2's caseless comparison, not sre's lower(): the same on ASCII text).
/// CPython before 3.11.5 mis-restores the position after a failed iteration of a possessive
/// repeat of a subpattern (gh-100061); the translation follows the fixed behaviour.
enum RegexDialectPython {
    static func translate(_ pattern: String, ignoreCase: Bool) -> RegexTranslation? {
        do {
            var parser = try PyParser(Array(pattern.unicodeScalars.map { $0.value }))
            let (ops, flags) = try parser.parse(initialFlags: ignoreCase ? PyFlags.ignoreCase : 0)
            var emitter = PyEmitter(groupWidths: parser.state.groupWidths)
            let text = try emitter.emit(ops, flags: flags)
            let (inline, compact) = emitter.pool.finish(text)
            return RegexTranslation(pattern: inline, compactPattern: compact)
        } catch {
            return nil
        }
    }
}

// MARK: - Flags and opcodes

enum PyFlags {
    static let template: UInt32 = 1
    static let ignoreCase: UInt32 = 2
    static let locale: UInt32 = 4
    static let multiline: UInt32 = 8
    static let dotAll: UInt32 = 16
    static let unicode: UInt32 = 32
    static let verbose: UInt32 = 64
    static let debug: UInt32 = 128
    static let ascii: UInt32 = 256
    static let typeFlags = ascii | locale | unicode
    static let globalFlags = debug | template

    static func flag(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x69: return ignoreCase  // i
        case 0x4C: return locale  // L
        case 0x6D: return multiline  // m
        case 0x73: return dotAll  // s
        case 0x78: return verbose  // x
        case 0x61: return ascii  // a
        case 0x74: return template  // t
        case 0x75: return unicode  // u
        default: return nil
        }
    }
}

/// sre's MAXREPEAT: an unbounded repeat's maximum.
let pyMaxRepeat: UInt64 = 4_294_967_295
private let pyMaxGroups = 1_073_741_823

enum PyCategory: Hashable {
    case digit, notDigit, space, notSpace, word, notWord
}

enum PyAt: Hashable {
    case beginning, beginningString, boundary, nonBoundary, end, endString
}

/// An item of a class (sre's IN list).
enum PyItem: Hashable {
    case negate
    case literal(UInt32)
    case range(UInt32, UInt32)
    case category(PyCategory)
}

enum PyRepeat {
    case greedy, lazy, possessive
}

/// sre's parsed form (opcode, argument), as `_parser.py` builds it.
indirect enum PyOp {
    case literal(UInt32)
    case notLiteral(UInt32)
    case any
    case set([PyItem])
    case at(PyAt)
    case branch([[PyOp]])
    case subpattern(group: Int?, add: UInt32, del: UInt32, [PyOp])
    case atomic([PyOp])
    case assert(behind: Bool, negative: Bool, [PyOp])
    case repeatOp(PyRepeat, min: UInt64, max: UInt64, [PyOp])
    case groupRef(Int)
    case groupRefExists(Int, [PyOp], [PyOp]?)

    /// `==` on sre's tuples: ops holding a SubPattern compare by identity there, so never
    /// equal here (they are distinct objects).
    func sreEquals(_ other: PyOp) -> Bool {
        switch (self, other) {
        case (.literal(let a), .literal(let b)), (.notLiteral(let a), .notLiteral(let b)): return a == b
        case (.any, .any): return true
        case (.set(let a), .set(let b)): return a == b
        case (.at(let a), .at(let b)): return a == b
        case (.groupRef(let a), .groupRef(let b)): return a == b
        default: return false
        }
    }
}

// MARK: - Tokenizer (re/_parser.py's Tokenizer)

/// A token: one character, or a backslash and the character after it.
struct PyToken: Equatable {
    let c: UInt32
    let escaped: Bool
    var length: Int { escaped ? 2 : 1 }

    func isChar(_ ch: UInt32) -> Bool { !escaped && c == ch }
}

struct PyTokenizer {
    let s: [UInt32]
    var index = 0
    var next: PyToken?

    init(_ s: [UInt32]) throws(RegexSyntaxError) {
        self.s = s
        try advance()
    }

    private mutating func advance() throws(RegexSyntaxError) {
        guard index < s.count else {
            next = nil
            return
        }
        let char = s[index]
        if char == 0x5C {
            guard index + 1 < s.count else { throw RegexSyntaxError() }  // bad escape (end of pattern)
            next = PyToken(c: s[index + 1], escaped: true)
            index += 2
        } else {
            next = PyToken(c: char, escaped: false)
            index += 1
        }
    }

    mutating func match(_ ch: UInt32) throws(RegexSyntaxError) -> Bool {
        if let n = next, n.isChar(ch) {
            try advance()
            return true
        }
        return false
    }

    mutating func get() throws(RegexSyntaxError) -> PyToken? {
        let this = next
        try advance()
        return this
    }

    /// Up to `n` single-character tokens satisfying `pred`.
    mutating func getWhile(_ n: Int, _ pred: (UInt32) -> Bool) throws(RegexSyntaxError) -> [UInt32] {
        var out: [UInt32] = []
        for _ in 0..<n {
            guard let c = next, !c.escaped, pred(c.c) else { break }
            out.append(c.c)
            try advance()
        }
        return out
    }

    /// The text up to `terminator` (tokens as written, a backslash included), which must not be
    /// empty.
    mutating func getUntil(_ terminator: UInt32) throws(RegexSyntaxError) -> [UInt32] {
        var out: [UInt32] = []
        while true {
            let c = next
            try advance()
            guard let c else { throw RegexSyntaxError() }
            if c.isChar(terminator) {
                if out.isEmpty { throw RegexSyntaxError() }
                break
            }
            if c.escaped { out.append(0x5C) }
            out.append(c.c)
        }
        return out
    }

    func tell() -> Int { index - (next?.length ?? 0) }

    mutating func seek(_ i: Int) throws(RegexSyntaxError) {
        index = i
        try advance()
    }
}

// MARK: - Parser (re/_parser.py)

struct PyState {
    var flags: UInt32 = 0
    var groupDict: [[UInt32]: Int] = [:]
    /// Each group's width once closed (nil while open); group 0 unused.
    var groupWidths: [(UInt64, UInt64)?] = [nil]
    var lookbehindGroups: Int?
    var groupRefPos: Set<Int> = []

    var groups: Int { groupWidths.count }

    mutating func openGroup(_ name: [UInt32]?) throws(RegexSyntaxError) -> Int {
        let gid = groups
        groupWidths.append(nil)
        if groups > pyMaxGroups { throw RegexSyntaxError() }
        if let name {
            if groupDict[name] != nil { throw RegexSyntaxError() }  // redefinition of group name
            groupDict[name] = gid
        }
        return gid
    }

    func checkGroup(_ gid: Int) -> Bool { gid < groups && groupWidths[gid] != nil }

    func checkLookbehindGroup(_ gid: Int) throws(RegexSyntaxError) {
        if let lb = lookbehindGroups {
            if !checkGroup(gid) { throw RegexSyntaxError() }  // cannot refer to an open group
            if gid >= lb { throw RegexSyntaxError() }  // cannot refer to group defined in the same lookbehind
        }
    }
}

private enum PyChars {
    static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isOctDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x37 }
    static func isHexDigit(_ c: UInt32) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
    static func isASCIILetter(_ c: UInt32) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    /// re's WHITESPACE for verbose mode.
    static func isVerboseSpace(_ c: UInt32) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    /// SPECIAL_CHARS = ".\\[{()*+?^$|"
    static func isSpecial(_ c: UInt32) -> Bool {
        switch c {
        case 0x2E, 0x5C, 0x5B, 0x7B, 0x28, 0x29, 0x2A, 0x2B, 0x3F, 0x5E, 0x24, 0x7C: return true
        default: return false
        }
    }

    static func value(_ digits: [UInt32], radix: UInt64) -> UInt64 {
        var v: UInt64 = 0
        for d in digits {
            let x: UInt64
            switch d {
            case 0x30...0x39: x = UInt64(d - 0x30)
            case 0x41...0x46: x = UInt64(d - 0x41 + 10)
            case 0x61...0x66: x = UInt64(d - 0x61 + 10)
            default: x = 0
            }
            let (m, o1) = v.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(x)
            v = o1 || o2 ? UInt64.max : a
        }
        return v
    }

    static let identifierStart = CodePointSet(table: PythonRegexTables.identifierStart)
    static let identifierContinue = CodePointSet(table: PythonRegexTables.identifierContinue)
    static let space = CodePointSet(table: PythonRegexTables.space)
    static let decimalRuns = PythonRegexTables.decimalRuns

    /// str.isidentifier()
    static func isIdentifier(_ s: [UInt32]) -> Bool {
        guard let first = s.first, identifierStart.contains(first) else { return false }
        return s.dropFirst().allSatisfy { identifierContinue.contains($0) }
    }

    /// The value of a decimal digit (str.isdecimal()), or nil.
    static func decimalValue(_ c: UInt32) -> UInt64? {
        // The last run starting at or before c.
        var lo = 0
        var hi = decimalRuns.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if decimalRuns[mid] <= c { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let start = decimalRuns[lo - 1]
        return c - start < 10 ? UInt64(c - start) : nil
    }

    /// int(s) for a str, as Python parses it (Unicode digits and whitespace, one underscore
    /// between digits, a sign), saturated; nil where int() raises ValueError.
    static func pythonInt(_ s: [UInt32]) -> (negative: Bool, value: UInt64)? {
        var i = 0
        let n = s.count
        while i < n && space.contains(s[i]) { i += 1 }
        var negative = false
        if i < n && (s[i] == 0x2B || s[i] == 0x2D) {
            negative = s[i] == 0x2D
            i += 1
        }
        var value: UInt64 = 0
        var digits = 0
        var lastUnderscore = false
        while i < n {
            if let d = decimalValue(s[i]) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                value = o1 || o2 ? UInt64.max : a
                digits += 1
                lastUnderscore = false
            } else if s[i] == 0x5F && digits > 0 && !lastUnderscore {
                lastUnderscore = true
            } else {
                break
            }
            i += 1
        }
        if digits == 0 || lastUnderscore { return nil }
        while i < n && space.contains(s[i]) { i += 1 }
        if i != n { return nil }
        return (negative, value)
    }
}

struct PyParser {
    var source: PyTokenizer
    var state = PyState()
    private var depth = 0

    init(_ pattern: [UInt32]) throws(RegexSyntaxError) {
        source = try PyTokenizer(pattern)
    }

    /// re/_parser.py's parse(): the ops and the pattern's flags (fix_flags applied).
    mutating func parse(initialFlags: UInt32) throws(RegexSyntaxError) -> ([PyOp], UInt32) {
        state.flags = initialFlags
        let p = try parseSub(verbose: initialFlags & PyFlags.verbose != 0, nested: 0)
        // fix_flags for a str pattern
        if state.flags & PyFlags.locale != 0 { throw RegexSyntaxError() }
        if state.flags & PyFlags.ascii == 0 {
            state.flags |= PyFlags.unicode
        } else if state.flags & PyFlags.unicode != 0 {
            throw RegexSyntaxError()  // ASCII and UNICODE flags are incompatible
        }
        if source.next != nil { throw RegexSyntaxError() }  // unbalanced parenthesis
        for g in state.groupRefPos where g >= state.groups { throw RegexSyntaxError() }
        return (p, state.flags)
    }

    /// One more level of groups (the pattern itself is level 0).
    private mutating func enter() throws(RegexSyntaxError) {
        depth += 1
        if depth > RegexDialect.maxDepth + 1 { throw RegexSyntaxError() }
    }

    /// _parse_sub: an alternation.
    mutating func parseSub(verbose initialVerbose: Bool, nested: Int) throws(RegexSyntaxError) -> [PyOp] {
        try enter()
        defer { depth -= 1 }
        var verbose = initialVerbose
        var items: [[PyOp]] = []
        while true {
            items.append(try parse(verbose: verbose, nested: nested + 1, first: nested == 0 && items.isEmpty))
            if !(try source.match(0x7C)) { break }
            if nested == 0 { verbose = state.flags & PyFlags.verbose != 0 }
        }
        if items.count == 1 { return items[0] }

        var subpattern: [PyOp] = []
        // check if all items share a common prefix
        prefixes: while true {
            var prefix: PyOp?
            for item in items {
                guard let head = item.first else { break prefixes }
                if let p = prefix {
                    if !head.sreEquals(p) { break prefixes }
                } else {
                    prefix = head
                }
            }
            guard let p = prefix else { break }
            for i in items.indices { items[i].removeFirst() }
            subpattern.append(p)
        }

        // check if the branch can be replaced by a character set
        var set: [PyItem] = []
        var allSingle = true
        for item in items {
            guard item.count == 1 else { allSingle = false; break }
            switch item[0] {
            case .literal(let c): set.append(.literal(c))
            case .set(let av) where av.first != .negate: set.append(contentsOf: av)
            default: allSingle = false
            }
            if !allSingle { break }
        }
        if allSingle {
            subpattern.append(.set(Self.uniq(set)))
            return subpattern
        }
        subpattern.append(.branch(items))
        return subpattern
    }

    static func uniq(_ items: [PyItem]) -> [PyItem] {
        var seen = Set<PyItem>()
        return items.filter { seen.insert($0).inserted }
    }

    /// _parse: a sequence.
    mutating func parse(verbose initialVerbose: Bool, nested: Int, first: Bool = false) throws(RegexSyntaxError) -> [PyOp] {
        var verbose = initialVerbose
        var subpattern: [PyOp] = []
        while true {
            guard let this = source.next else { break }
            if this.isChar(0x7C) || this.isChar(0x29) { break }
            _ = try source.get()

            if verbose {
                if !this.escaped && PyChars.isVerboseSpace(this.c) { continue }
                if this.isChar(0x23) {
                    while true {
                        let t = try source.get()
                        if t == nil || t?.isChar(0x0A) == true { break }
                    }
                    continue
                }
            }

            if this.escaped {
                subpattern.append(try escape(this.c))
            } else if !PyChars.isSpecial(this.c) {
                subpattern.append(.literal(this.c))
            } else if this.c == 0x5B {  // [
                subpattern.append(try parseClass())
            } else if this.c == 0x2A || this.c == 0x2B || this.c == 0x3F || this.c == 0x7B {  // * + ? {
                let here = source.tell()
                var minCount: UInt64 = 0
                var maxCount: UInt64 = pyMaxRepeat
                if this.c == 0x3F {
                    maxCount = 1
                } else if this.c == 0x2B {
                    minCount = 1
                } else if this.c == 0x7B {
                    if source.next?.isChar(0x7D) == true {
                        subpattern.append(.literal(0x7B))
                        continue
                    }
                    var lo: [UInt32] = []
                    var hi: [UInt32] = []
                    while let n = source.next, !n.escaped, PyChars.isDigit(n.c) {
                        lo.append(n.c)
                        _ = try source.get()
                    }
                    if try source.match(0x2C) {
                        while let n = source.next, !n.escaped, PyChars.isDigit(n.c) {
                            hi.append(n.c)
                            _ = try source.get()
                        }
                    } else {
                        hi = lo
                    }
                    if !(try source.match(0x7D)) {
                        subpattern.append(.literal(0x7B))
                        try source.seek(here)
                        continue
                    }
                    if !lo.isEmpty {
                        minCount = PyChars.value(lo, radix: 10)
                        if minCount >= pyMaxRepeat { throw RegexSyntaxError() }  // OverflowError
                    }
                    if !hi.isEmpty {
                        maxCount = PyChars.value(hi, radix: 10)
                        if maxCount >= pyMaxRepeat { throw RegexSyntaxError() }
                        if maxCount < minCount { throw RegexSyntaxError() }
                    }
                }
                // figure out which item to repeat
                guard let last = subpattern.last else { throw RegexSyntaxError() }  // nothing to repeat
                var item: [PyOp] = [last]
                switch last {
                case .at: throw RegexSyntaxError()  // nothing to repeat
                case .repeatOp: throw RegexSyntaxError()  // multiple repeat
                case .subpattern(nil, 0, 0, let p): item = p
                default: break
                }
                let kind: PyRepeat
                if try source.match(0x3F) {
                    kind = .lazy
                } else if try source.match(0x2B) {
                    kind = .possessive
                } else {
                    kind = .greedy
                }
                subpattern[subpattern.count - 1] = .repeatOp(kind, min: minCount, max: maxCount, item)
            } else if this.c == 0x2E {
                subpattern.append(.any)
            } else if this.c == 0x28 {  // (
                if let op = try parseGroup(verbose: &verbose, nested: nested, first: first, subpatternEmpty: subpattern.isEmpty) {
                    subpattern.append(op)
                }
            } else if this.c == 0x5E {
                subpattern.append(.at(.beginning))
            } else if this.c == 0x24 {
                subpattern.append(.at(.end))
            } else {
                throw RegexSyntaxError()
            }
        }
        // unpack non-capturing groups
        var out: [PyOp] = []
        out.reserveCapacity(subpattern.count)
        for op in subpattern {
            if case .subpattern(nil, 0, 0, let p) = op { out.append(contentsOf: p) } else { out.append(op) }
        }
        return out
    }

    /// A group after its "(": the op to append, or nil for global flags and comments.
    private mutating func parseGroup(verbose: inout Bool, nested: Int, first: Bool, subpatternEmpty: Bool) throws(RegexSyntaxError) -> PyOp? {
        var capture = true
        var atomic = false
        var name: [UInt32]?
        var addFlags: UInt32 = 0
        var delFlags: UInt32 = 0
        if try source.match(0x3F) {
            guard let char = try source.get() else { throw RegexSyntaxError() }
            if char.isChar(0x50) {  // P
                if try source.match(0x3C) {
                    let n = try source.getUntil(0x3E)
                    guard PyChars.isIdentifier(n) else { throw RegexSyntaxError() }
                    name = n
                } else if try source.match(0x3D) {
                    let n = try source.getUntil(0x29)
                    guard PyChars.isIdentifier(n) else { throw RegexSyntaxError() }
                    guard let gid = state.groupDict[n] else { throw RegexSyntaxError() }
                    if !state.checkGroup(gid) { throw RegexSyntaxError() }
                    try state.checkLookbehindGroup(gid)
                    return .groupRef(gid)
                } else {
                    throw RegexSyntaxError()  // unknown extension ?P
                }
            } else if char.isChar(0x3A) {
                capture = false
            } else if char.isChar(0x23) {  // comment
                while true {
                    if source.next == nil { throw RegexSyntaxError() }
                    if try source.get()?.isChar(0x29) == true { break }
                }
                return nil
            } else if char.isChar(0x3D) || char.isChar(0x21) || char.isChar(0x3C) {
                var behind = false
                var negative = char.isChar(0x21)
                var outerLookbehind: Int?
                if char.isChar(0x3C) {
                    guard let c2 = try source.get() else { throw RegexSyntaxError() }
                    guard c2.isChar(0x3D) || c2.isChar(0x21) else { throw RegexSyntaxError() }
                    negative = c2.isChar(0x21)
                    behind = true
                    outerLookbehind = state.lookbehindGroups
                    if outerLookbehind == nil { state.lookbehindGroups = state.groups }
                }
                let p = try parseSub(verbose: verbose, nested: nested + 1)
                if behind && outerLookbehind == nil { state.lookbehindGroups = nil }
                if !(try source.match(0x29)) { throw RegexSyntaxError() }
                return .assert(behind: behind, negative: negative, p)
            } else if char.isChar(0x28) {  // conditional backreference group
                let condName = try source.getUntil(0x29)
                let condGroup: Int
                if PyChars.isIdentifier(condName) {
                    guard let g = state.groupDict[condName] else { throw RegexSyntaxError() }
                    condGroup = g
                } else {
                    guard let (negative, value) = PyChars.pythonInt(condName) else { throw RegexSyntaxError() }
                    if negative && value != 0 { throw RegexSyntaxError() }
                    if value == 0 { throw RegexSyntaxError() }  // bad group number
                    if value >= UInt64(pyMaxGroups) { throw RegexSyntaxError() }
                    condGroup = Int(value)
                    state.groupRefPos.insert(condGroup)
                }
                try state.checkLookbehindGroup(condGroup)
                try enter()
                defer { depth -= 1 }
                let yes = try parse(verbose: verbose, nested: nested + 1)
                var no: [PyOp]?
                if try source.match(0x7C) {
                    no = try parse(verbose: verbose, nested: nested + 1)
                    if source.next?.isChar(0x7C) == true { throw RegexSyntaxError() }
                }
                if !(try source.match(0x29)) { throw RegexSyntaxError() }
                return .groupRefExists(condGroup, yes, no)
            } else if char.isChar(0x3E) {
                capture = false
                atomic = true
            } else if !char.escaped && (PyFlags.flag(char.c) != nil || char.c == 0x2D) {
                if let (a, d) = try parseFlags(char) {
                    addFlags = a
                    delFlags = d
                    capture = false
                } else {
                    // global flags
                    if !first || !subpatternEmpty { throw RegexSyntaxError() }
                    verbose = state.flags & PyFlags.verbose != 0
                    return nil
                }
            } else {
                throw RegexSyntaxError()  // unknown extension
            }
        }
        let group: Int? = capture ? try state.openGroup(name) : nil
        let subVerbose = (verbose || addFlags & PyFlags.verbose != 0) && delFlags & PyFlags.verbose == 0
        let p = try parseSub(verbose: subVerbose, nested: nested + 1)
        if !(try source.match(0x29)) { throw RegexSyntaxError() }
        if let group { state.groupWidths[group] = PyWidth.of(p, state.groupWidths) }
        if atomic { return .atomic(p) }
        return .subpattern(group: group, add: addFlags, del: delFlags, p)
    }

    /// _parse_flags: (add, del) for a scoped group, nil for global flags (added to the state).
    private mutating func parseFlags(_ first: PyToken) throws(RegexSyntaxError) -> (UInt32, UInt32)? {
        var add: UInt32 = 0
        var del: UInt32 = 0
        var char = first
        if !char.isChar(0x2D) {
            while true {
                guard !char.escaped, let flag = PyFlags.flag(char.c) else { throw RegexSyntaxError() }
                if char.c == 0x4C { throw RegexSyntaxError() }  // cannot use 'L' flag with a str pattern
                add |= flag
                if flag & PyFlags.typeFlags != 0 && add & PyFlags.typeFlags != flag { throw RegexSyntaxError() }
                guard let c = try source.get() else { throw RegexSyntaxError() }
                char = c
                if char.isChar(0x29) || char.isChar(0x2D) || char.isChar(0x3A) { break }
                if char.escaped || PyFlags.flag(char.c) == nil { throw RegexSyntaxError() }
            }
        }
        if char.isChar(0x29) {
            state.flags |= add
            return nil
        }
        if add & PyFlags.globalFlags != 0 { throw RegexSyntaxError() }
        if char.isChar(0x2D) {
            guard let c = try source.get() else { throw RegexSyntaxError() }
            char = c
            guard !char.escaped, PyFlags.flag(char.c) != nil else { throw RegexSyntaxError() }
            while true {
                guard !char.escaped, let flag = PyFlags.flag(char.c) else { throw RegexSyntaxError() }
                if flag & PyFlags.typeFlags != 0 { throw RegexSyntaxError() }
                del |= flag
                guard let c = try source.get() else { throw RegexSyntaxError() }
                char = c
                if char.isChar(0x3A) { break }
                if char.escaped || PyFlags.flag(char.c) == nil { throw RegexSyntaxError() }
            }
        }
        guard char.isChar(0x3A) else { throw RegexSyntaxError() }
        if del & PyFlags.globalFlags != 0 { throw RegexSyntaxError() }
        if add & del != 0 { throw RegexSyntaxError() }
        return (add, del)
    }

    /// A class after its "[".
    private mutating func parseClass() throws(RegexSyntaxError) -> PyOp {
        var set: [PyItem] = []
        let negate = try source.match(0x5E)
        while true {
            guard let this = try source.get() else { throw RegexSyntaxError() }  // unterminated character set
            if this.isChar(0x5D) && !set.isEmpty { break }
            var code1: PyItem
            if this.escaped {
                code1 = try classEscape(this.c)
            } else {
                code1 = .literal(this.c)
            }
            if try source.match(0x2D) {
                guard let that = try source.get() else { throw RegexSyntaxError() }
                if that.isChar(0x5D) {
                    set.append(code1)
                    set.append(.literal(0x2D))
                    break
                }
                let code2: PyItem = that.escaped ? try classEscape(that.c) : .literal(that.c)
                guard case .literal(let lo) = code1, case .literal(let hi) = code2 else { throw RegexSyntaxError() }
                if hi < lo { throw RegexSyntaxError() }  // bad character range
                set.append(.range(lo, hi))
            } else {
                set.append(code1)
            }
        }
        set = Self.uniq(set)
        if set.count == 1, case .literal(let c) = set[0] {
            return negate ? .notLiteral(c) : .literal(c)
        }
        if negate { set.insert(.negate, at: 0) }
        return .set(set)
    }

    private static func category(_ c: UInt32) -> PyCategory? {
        switch c {
        case 0x64: return .digit  // d
        case 0x44: return .notDigit
        case 0x73: return .space  // s
        case 0x53: return .notSpace
        case 0x77: return .word  // w
        case 0x57: return .notWord
        default: return nil
        }
    }

    /// ESCAPES: \a \b \f \n \r \t \v \\
    private static func simpleEscape(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x61: return 0x07
        case 0x62: return 0x08
        case 0x66: return 0x0C
        case 0x6E: return 0x0A
        case 0x72: return 0x0D
        case 0x74: return 0x09
        case 0x76: return 0x0B
        case 0x5C: return 0x5C
        default: return nil
        }
    }

    /// \x, \u, \U, \N: the code point, or nil when `c` is not one of them.
    private mutating func codeEscape(_ c: UInt32) throws(RegexSyntaxError) -> UInt32? {
        switch c {
        case 0x78, 0x75, 0x55:  // x u U
            let n = c == 0x78 ? 2 : c == 0x75 ? 4 : 8
            let digits = try source.getWhile(n, PyChars.isHexDigit)
            if digits.count != n { throw RegexSyntaxError() }  // incomplete escape
            let v = PyChars.value(digits, radix: 16)
            if v > UInt64(CodePointSet.maxCodePoint) { throw RegexSyntaxError() }  // chr() raises
            return UInt32(v)
        case 0x4E:  // N: a named character, \N{name}
            guard try source.match(0x7B) else { throw RegexSyntaxError() }  // missing {
            let name = try source.getUntil(0x7D)
            guard let c = PythonCharacterNames.lookup(name) else { throw RegexSyntaxError() }  // undefined character name
            return c
        default:
            return nil
        }
    }

    /// _class_escape
    private mutating func classEscape(_ c: UInt32) throws(RegexSyntaxError) -> PyItem {
        if let v = Self.simpleEscape(c) { return .literal(v) }
        if let cat = Self.category(c) { return .category(cat) }
        if let v = try codeEscape(c) { return .literal(v) }
        if PyChars.isOctDigit(c) {
            let more = try source.getWhile(2, PyChars.isOctDigit)
            let v = PyChars.value([c] + more, radix: 8)
            if v > 0o377 { throw RegexSyntaxError() }
            return .literal(UInt32(v))
        }
        if PyChars.isDigit(c) || PyChars.isASCIILetter(c) { throw RegexSyntaxError() }  // bad escape
        return .literal(c)
    }

    /// _escape
    private mutating func escape(_ c: UInt32) throws(RegexSyntaxError) -> PyOp {
        switch c {
        case 0x41: return .at(.beginningString)  // A
        case 0x62: return .at(.boundary)  // b
        case 0x42: return .at(.nonBoundary)  // B
        case 0x5A: return .at(.endString)  // Z
        default: break
        }
        if let cat = Self.category(c) { return .set([.category(cat)]) }
        if let v = Self.simpleEscape(c) { return .literal(v) }
        if let v = try codeEscape(c) { return .literal(v) }
        if c == 0x30 {
            let more = try source.getWhile(2, PyChars.isOctDigit)
            return .literal(UInt32(PyChars.value([c] + more, radix: 8)))
        }
        if PyChars.isDigit(c) {
            var digits = [c]
            if let n = source.next, !n.escaped, PyChars.isDigit(n.c) {
                _ = try source.get()
                digits.append(n.c)
                if PyChars.isOctDigit(digits[0]) && PyChars.isOctDigit(digits[1]),
                    let n3 = source.next, !n3.escaped, PyChars.isOctDigit(n3.c)
                {
                    _ = try source.get()
                    digits.append(n3.c)
                    let v = PyChars.value(digits, radix: 8)
                    if v > 0o377 { throw RegexSyntaxError() }
                    return .literal(UInt32(v))
                }
            }
            let group = Int(PyChars.value(digits, radix: 10))
            if group < state.groups {
                if !state.checkGroup(group) { throw RegexSyntaxError() }  // cannot refer to an open group
                try state.checkLookbehindGroup(group)
                return .groupRef(group)
            }
            throw RegexSyntaxError()  // invalid group reference
        }
        if PyChars.isASCIILetter(c) { throw RegexSyntaxError() }  // bad escape
        return .literal(c)
    }
}

// MARK: - Widths (SubPattern.getwidth)

enum PyWidth {
    private static let cap: UInt64 = 1 << 62

    private static func add(_ a: UInt64, _ b: UInt64) -> UInt64 { Swift.min(a &+ Swift.min(b, cap), cap) }
    private static func mul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (m, o) = a.multipliedReportingOverflow(by: b)
        return o ? cap : Swift.min(m, cap)
    }

    /// (min, max) width of a subpattern, clamped as sre clamps it.
    static func of(_ ops: [PyOp], _ groupWidths: [(UInt64, UInt64)?]) -> (UInt64, UInt64) {
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        for op in ops {
            switch op {
            case .branch(let alts):
                var i = pyMaxRepeat - 1
                var j: UInt64 = 0
                for a in alts {
                    let (l, h) = of(a, groupWidths)
                    i = Swift.min(i, l)
                    j = Swift.max(j, h)
                }
                lo = add(lo, i)
                hi = add(hi, j)
            case .atomic(let p), .subpattern(_, _, _, let p):
                let (i, j) = of(p, groupWidths)
                lo = add(lo, i)
                hi = add(hi, j)
            case .repeatOp(_, let mn, let mx, let p):
                let (i, j) = of(p, groupWidths)
                lo = add(lo, mul(i, mn))
                hi = add(hi, mul(j, mx))
            case .literal, .notLiteral, .any, .set:
                lo = add(lo, 1)
                hi = add(hi, 1)
            case .groupRef(let g):
                if g < groupWidths.count, let (i, j) = groupWidths[g] {
                    lo = add(lo, i)
                    hi = add(hi, j)
                }
            case .groupRefExists(_, let yes, let no):
                var (i, j) = of(yes, groupWidths)
                if let no {
                    let (l, h) = of(no, groupWidths)
                    i = Swift.min(i, l)
                    j = Swift.max(j, h)
                } else {
                    i = 0
                }
                lo = add(lo, i)
                hi = add(hi, j)
            case .at, .assert:
                break
            }
        }
        return (Swift.min(lo, pyMaxRepeat - 1), Swift.min(hi, pyMaxRepeat))
    }
}

// MARK: - Character data

/// How IGNORECASE folds: sre's unicode_tolower and _EXTRA_CASES, or ascii_tolower.
struct PyCaseModel {
    let lower: CodePointMapping
    let cased: CodePointSet
    let extraCases: [UInt32: [UInt32]]

    static let unicode: PyCaseModel = {
        let lower = CodePointMapping(table: PythonRegexTables.lower)
        let upper = PyTables.upper
        var extra: [UInt32: [UInt32]] = [:]
        let t = PythonRegexTables.extraCases
        var i = 0
        while i + 1 < t.count {
            let n = Int(t[i + 1])
            guard i + 2 + n <= t.count else { break }
            extra[t[i]] = Array(t[(i + 2)..<(i + 2 + n)])
            i += 2 + n
        }
        return PyCaseModel(lower: lower, cased: lower.domain.union(upper.domain), extraCases: extra)
    }()

    static let ascii: PyCaseModel = {
        let pairs = (UInt32(0x41)...0x5A).map { ($0, $0 + 0x20) }
        return PyCaseModel(
            lower: CodePointMapping(pairs: pairs), cased: CodePointSet(ranges: [0x41, 0x5A, 0x61, 0x7A]), extraCases: [:])
    }()

    func isCased(_ c: UInt32) -> Bool { cased.contains(c) }

    /// The code points whose lower case is one of `targets`.
    func lowerPreimage(of targets: [UInt32]) -> CodePointSet {
        CodePointSet(points: targets.flatMap { lower.preimage(of: $0) })
    }

    /// `lo` and its extra cases.
    func withExtras(_ lo: UInt32) -> [UInt32] { [lo] + (extraCases[lo] ?? []) }
}

enum PyTables {
    static let word = CodePointSet(table: PythonRegexTables.word)
    static let digit = CodePointSet(table: PythonRegexTables.digit)
    static let space = CodePointSet(table: PythonRegexTables.space)
    static let upper = CodePointMapping(table: PythonRegexTables.upper)
    static let asciiWord = CodePointSet(ranges: [0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A])
    static let asciiDigit = CodePointSet(0x30, 0x39)
    static let asciiSpace = CodePointSet(ranges: [0x09, 0x0D, 0x20, 0x20])

    static func category(_ c: PyCategory, ascii: Bool) -> CodePointSet {
        switch c {
        case .digit: return ascii ? asciiDigit : digit
        case .notDigit: return (ascii ? asciiDigit : digit).complement()
        case .space: return ascii ? asciiSpace : space
        case .notSpace: return (ascii ? asciiSpace : space).complement()
        case .word: return ascii ? asciiWord : word
        case .notWord: return (ascii ? asciiWord : word).complement()
        }
    }
}

// MARK: - Emitter (what re/_compiler.py compiles, written for PCRE2)

struct PyEmitter {
    let groupWidths: [(UInt64, UInt64)?]
    private let writer = RegexPCRE2Writer(.codePoints)
    /// The large classes, written once in the compact form.
    var pool = RegexSetPool()
    /// How many lookbehinds the op being written is inside (PCRE2 checks their lengths).
    private var lookbehinds = 0

    init(groupWidths: [(UInt64, UInt64)?]) { self.groupWidths = groupWidths }

    /// A piece of output and whether a quantifier may follow it directly.
    private struct Piece {
        var text: String
        var atom: Bool
    }

    mutating func emit(_ ops: [PyOp], flags: UInt32) throws(RegexSyntaxError) -> String {
        var out = ""
        for op in ops { out += try emit(op, flags: flags).text }
        return out
    }

    private func isASCII(_ flags: UInt32) -> Bool { flags & PyFlags.unicode == 0 }
    private func caseModel(_ flags: UInt32) -> PyCaseModel { isASCII(flags) ? .ascii : .unicode }

    /// What LITERAL `c` matches under `flags`.
    private func literalSet(_ c: UInt32, flags: UInt32) -> CodePointSet {
        guard flags & PyFlags.ignoreCase != 0 else { return CodePointSet(c) }
        let model = caseModel(flags)
        guard model.isCased(c) else { return CodePointSet(c) }
        return model.lowerPreimage(of: model.withExtras(model.lower(c)))
    }

    /// What IN `items` matches under `flags` (_optimize_charset, then IN / IN_IGNORE /
    /// IN_UNI_IGNORE: the set tested on the character or on its lower case).
    func classSet(_ items: [PyItem], flags: UInt32) -> CodePointSet {
        let ascii = isASCII(flags)
        var negate = false
        guard flags & PyFlags.ignoreCase != 0 else {
            var set = CodePointSet.empty
            var flat: [UInt32] = []
            for item in items {
                switch item {
                case .negate: negate = true
                case .literal(let c): flat += [c, c]
                case .range(let lo, let hi): flat += [lo, hi]
                case .category(let cat): set = set.union(PyTables.category(cat, ascii: ascii))
                }
            }
            set = set.union(CodePointSet(ranges: flat))
            return negate ? set.complement() : set
        }
        let model = caseModel(flags)
        var charmap: [UInt32] = []  // members as flat ranges, lowered (the BMP ones)
        var tail = CodePointSet.empty  // tested as they are
        var hasCased = false
        for item in items {
            switch item {
            case .negate:
                negate = true
            case .literal(let c):
                if c > 0xFFFF {
                    // charmap[lo] raises IndexError: kept as given, compared with the lowered character
                    tail = tail.union(CodePointSet(c))
                    hasCased = true
                } else {
                    for k in model.withExtras(model.lower(c)) { charmap += [k, k] }
                    if model.isCased(c) { hasCased = true }
                }
            case .range(let lo, let hi):
                let bmp = CodePointSet(lo, Swift.min(hi, 0xFFFF))
                if !bmp.isEmpty {
                    let lowered = bmp.image(model.lower)
                    charmap += lowered.bounds
                    for (k, extras) in model.extraCases where lowered.contains(k) {
                        for e in extras { charmap += [e, e] }
                    }
                    if !bmp.intersection(model.cased).isEmpty { hasCased = true }
                }
                if hi > 0xFFFF {
                    // RANGE_UNI_IGNORE: the lowered character, or its upper case, in the range
                    let r = CodePointSet(lo, hi)
                    tail = tail.union(r).union(r.preimage(PyTables.upper))
                    hasCased = true
                }
            case .category(let cat):
                tail = tail.union(PyTables.category(cat, ascii: ascii))
            }
        }
        var set = CodePointSet(ranges: charmap).union(tail)
        if hasCased { set = set.preimage(model.lower) }
        return negate ? set.complement() : set
    }

    private func wordSet(_ flags: UInt32) -> CodePointSet { isASCII(flags) ? PyTables.asciiWord : PyTables.word }

    private mutating func emit(_ op: PyOp, flags: UInt32) throws(RegexSyntaxError) -> Piece {
        switch op {
        case .literal(let c):
            return setPiece(literalSet(c, flags: flags))
        case .notLiteral(let c):
            return setPiece(literalSet(c, flags: flags).complement())
        case .any:
            if flags & PyFlags.dotAll != 0 { return Piece(text: RegexPCRE2Writer.anyUnit, atom: true) }
            return setPiece(CodePointSet(0x0A).complement())
        case .set(let items):
            return setPiece(classSet(items, flags: flags))
        case .at(let at):
            return Piece(text: anchor(at, flags: flags), atom: false)
        case .branch(let alts):
            var s = "(?:"
            for (i, alt) in alts.enumerated() {
                if i > 0 { s += "|" }
                s += try emit(alt, flags: flags)
            }
            return Piece(text: s + ")", atom: true)
        case .subpattern(let group, let add, let del, let p):
            var inner = flags
            if add & PyFlags.typeFlags != 0 { inner &= ~PyFlags.typeFlags }
            inner = (inner | add) & ~del
            let body = try emit(p, flags: inner)
            return Piece(text: (group != nil ? "(" : "(?:") + body + ")", atom: true)
        case .atomic(let p):
            return Piece(text: "(?>" + (try emit(p, flags: flags)) + ")", atom: true)
        case .assert(let behind, let negative, let p):
            if behind {
                let (lo, hi) = PyWidth.of(p, groupWidths)
                if lo != hi { throw RegexSyntaxError() }  // look-behind requires fixed-width pattern
            }
            let open = behind ? (negative ? "(?<!" : "(?<=") : (negative ? "(?!" : "(?=")
            if behind { lookbehinds += 1 }
            defer { if behind { lookbehinds -= 1 } }
            return Piece(text: open + (try emit(p, flags: flags)) + ")", atom: false)
        case .repeatOp(let kind, let mn, let mx, let p):
            if flags & PyFlags.template != 0 { throw RegexSyntaxError() }  // unsupported template operator
            if lookbehinds > 0, let fixed = try fixedWidthRepeat(kind, min: mn, max: mx, p, flags: flags) {
                return Piece(text: fixed, atom: true)
            }
            var item: Piece
            if p.count == 1 {
                item = try emit(p[0], flags: flags)
            } else {
                item = Piece(text: try emit(p, flags: flags), atom: false)
            }
            if !item.atom { item.text = "(?:" + item.text + ")" }
            return Piece(text: try repeated(item.text, hasGroups: Self.hasGroups(p), min: mn, max: mx, kind: kind), atom: false)
        case .groupRef(let g):
            let ref = "\\g{\(g)}"
            // A case-insensitive backreference: PCRE2's caseless comparison (not exact).
            return Piece(text: flags & PyFlags.ignoreCase != 0 ? "(?i:" + ref + ")" : ref, atom: true)
        case .groupRefExists(let g, let yes, let no):
            var s = "(?(\(g))" + (try emit(yes, flags: flags))
            if let no { s += "|" + (try emit(no, flags: flags)) }
            return Piece(text: s + ")", atom: true)
        }
    }

    /// A repeat in a lookbehind that sre counts as fixed-width but PCRE2 would not, written in
    /// a form PCRE2 measures the same: X{0} (X never tried, its groups kept, inside an
    /// assertion that always holds), and a repeat of a zero-width X (once, or once or not at
    /// all: the same position each time). Nil for any other repeat.
    private mutating func fixedWidthRepeat(_ kind: PyRepeat, min: UInt64, max: UInt64, _ p: [PyOp], flags: UInt32) throws(RegexSyntaxError) -> String? {
        if max == 0 { return "(?!(?!)" + (try emit(p, flags: flags)) + ")" }
        guard min != max, PyWidth.of(p, groupWidths) == (0, 0) else { return nil }
        let body = "(?:" + (try emit(p, flags: flags)) + ")"
        if min > 0 { return body }
        switch kind {
        case .greedy: return "(?:" + body + "|)"
        case .lazy: return "(?:|" + body + ")"
        case .possessive: return "(?>" + body + "|)"
        }
    }

    private mutating func setPiece(_ set: CodePointSet) -> Piece {
        let text = setText(set)
        return Piece(text: text, atom: text != RegexPCRE2Writer.never)
    }

    /// A class's text (a pool placeholder when large), written once per distinct set.
    private var setTexts: [CodePointSet: String] = [:]

    private mutating func setText(_ set: CodePointSet) -> String {
        if let t = setTexts[set] { return t }
        let t = pool.piece(writer.set(set))
        setTexts[set] = t
        return t
    }

    private mutating func anchor(_ at: PyAt, flags: UInt32) -> String {
        let multiline = flags & PyFlags.multiline != 0
        switch at {
        case .beginning: return multiline ? "(?<![^\\n])" : "\\A"
        case .beginningString: return "\\A"
        case .end: return multiline ? "(?![^\\n])" : "(?=\\n?\\z)"
        case .endString: return "\\z"
        case .boundary, .nonBoundary:
            let w = setText(wordSet(flags))
            if at == .boundary { return "(?:(?<=\(w))(?!\(w))|(?<!\(w))(?=\(w)))" }
            // sre's \B never matches the empty string
            return "(?!\\A\\z)(?:(?<=\(w))(?=\(w))|(?<!\(w))(?!\(w)))"
        }
    }

    static func hasGroups(_ ops: [PyOp]) -> Bool {
        for op in ops {
            switch op {
            case .subpattern(let g, _, _, let p):
                if g != nil || hasGroups(p) { return true }
            case .branch(let alts):
                if alts.contains(where: hasGroups) { return true }
            case .atomic(let p), .assert(_, _, let p), .repeatOp(_, _, _, let p):
                if hasGroups(p) { return true }
            case .groupRefExists(_, let yes, let no):
                if hasGroups(yes) || (no.map(hasGroups) ?? false) { return true }
            default:
                break
            }
        }
        return false
    }

    /// `atom` repeated min...max times (max `pyMaxRepeat`: unbounded). PCRE2 counts go up to
    /// 65535; larger ones are written with the atom repeated in nested groups (an atom with
    /// groups cannot be copied, so that is refused, as is a maximum needing more than 16
    /// levels of nesting).
    private func repeated(_ atom: String, hasGroups: Bool, min: UInt64, max: UInt64, kind: PyRepeat) throws(RegexSyntaxError) -> String {
        let limit = UInt64(RegexPCRE2Writer.maxCount)
        let unbounded = max == pyMaxRepeat
        let lazy = kind == .lazy
        if min <= limit && (unbounded || max <= limit) {
            // A possessive repeat as the atomic group of the greedy one, which it is: PCRE2 10.42
            // keeps a capture made inside `(...)*+` after the alternative that made it failed.
            let greedy = atom + RegexPCRE2Writer.quantifier(min: UInt32(min), max: unbounded ? nil : UInt32(max), lazy: lazy, possessive: false)
            return kind == .possessive ? "(?>" + greedy + ")" : greedy
        }
        guard !hasGroups else { throw RegexSyntaxError() }
        // min exact copies: its base-65535 digits, each a nested repeat
        var s = ""
        var rest = min
        var unit = atom
        while rest > 0 {
            let r = rest % limit
            if r > 0 { s += unit + "{\(r)}" }
            rest /= limit
            unit = "(?:" + unit + "{\(limit)})"
        }
        if unbounded {
            s += atom + (lazy ? "*?" : "*")
        } else {
            // up to k more: X{0,k} is (?:X{65535}X{0,k-65535}|X{0,65534}) in greedy order, the
            // alternatives swapped for lazy
            func upTo(_ k: UInt64, _ level: Int) throws(RegexSyntaxError) -> String {
                if k <= limit { return atom + "{0,\(k)}" + (lazy ? "?" : "") }
                if level >= 16 { throw RegexSyntaxError() }
                let more = atom + "{\(limit)}" + (try upTo(k - limit, level + 1))
                let fewer = atom + "{0,\(limit - 1)}" + (lazy ? "?" : "")
                return lazy ? "(?:" + fewer + "|" + more + ")" : "(?:" + more + "|" + fewer + ")"
            }
            s += try upTo(max - min, 0)
        }
        return kind == .possessive ? "(?>" + s + ")" : s
    }
}
