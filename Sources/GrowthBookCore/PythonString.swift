extension JSON {
    /// What Python's `str()` gives for the value the reference would hold: a string as is,
    /// `True`/`False`, `None`, ints in decimal, floats as `repr`, and containers in Python's
    /// literal syntax. Used where the reference hashes or keys on `str(value)`.
    public var pythonString: String {
        switch self {
        case .string(let s): return s
        default:
            var out = ""
            writePythonRepr(to: &out)
            return out
        }
    }

    private func writePythonRepr(to out: inout String) {
        switch self {
        case .null: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .int(let i): out += String(i)
        case .bigInteger(let digits): out += digits
        case .double(let d):
            if d.isNaN { out += "nan" } else if d.isInfinite { out += d < 0 ? "-inf" : "inf" } else {
                out += JSON.formatDouble(d)
            }
        case .string(let s):
            // Python picks single quotes unless the string has a single quote and no double one.
            let useDouble = s.contains("'") && !s.contains("\"")
            let q: Character = useDouble ? "\"" : "'"
            out.append(q)
            for c in s.unicodeScalars {
                switch c {
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if Character(c) == q { out += "\\" + String(q) } else { out.unicodeScalars.append(c) }
                }
            }
            out.append(q)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += ", " }
                v.writePythonRepr(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in o.pairs.enumerated() {
                if i > 0 { out += ", " }
                JSON.string(k).writePythonRepr(to: &out)
                out += ": "
                v.writePythonRepr(to: &out)
            }
            out += "}"
        }
    }
}
