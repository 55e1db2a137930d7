/// Python's `unicodedata.lookup()` for `\N{...}` in the Python regex dialect: a character's
/// Unicode name or name alias, in any ASCII case; Hangul syllables and CJK unified ideographs
/// by rule and in upper case only, as CPython 3.11's `_getcode` reads them. The names are Swift's own (Unicode's, which
/// never change once assigned), for the characters Unicode 14.0 (Python 3.11's) had assigned
/// and unicodedata names; the aliases and the exceptions come from Python
/// (`PythonRegexTables`). The index is built the first time a pattern names a character
/// (about 0.1 s, 0.5 MB), never during an evaluation.
enum PythonCharacterNames {
    /// The code point `name` stands for, or nil (the pattern then raises).
    static func lookup(_ name: [UInt32]) -> UInt32? {
        // unicodedata compares the name's bytes upper-cased as ASCII: anything else matches nothing.
        guard !name.isEmpty, name.allSatisfy({ $0 < 0x80 }) else { return nil }
        if name.starts(with: cjkPrefix) {
            // four or five upper-case hexadecimal digits, one of the ideographs
            let digits = name.dropFirst(cjkPrefix.count)
            guard digits.count == 4 || digits.count == 5 else { return nil }
            var v: UInt32 = 0
            for d in digits {
                switch d {
                case 0x30...0x39: v = v * 16 + (d - 0x30)
                case 0x41...0x46: v = v * 16 + (d - 0x41 + 10)
                default: return nil
                }
            }
            return cjkUnified.contains(v) ? v : nil
        }
        if name.starts(with: hangulPrefix) {
            guard let c = index.find(name), hangulSyllables.contains(c) else { return nil }
            return c
        }
        // the names unicodedata stores (a syllable's is made by rule, so not among them)
        let upper = name.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
        guard let c = index.find(upper), !hangulSyllables.contains(c) else { return nil }
        return c
    }

    private static let cjkPrefix = Array("CJK UNIFIED IDEOGRAPH-".unicodeScalars.map { $0.value })
    private static let hangulPrefix = Array("HANGUL SYLLABLE ".unicodeScalars.map { $0.value })
    private static let cjkUnified = CodePointSet(table: PythonRegexTables.cjkUnified)
    private static let hangulSyllables = CodePointSet(0xAC00, 0xD7A3)

    private static let index = NameIndex()

    /// Names by their FNV-1a hash, sorted; a hit is confirmed by comparing the name itself.
    private struct NameIndex: Sendable {
        private let hashes: [UInt64]
        private let scalars: [UInt32]
        private let aliases: [[UInt32]: UInt32]

        init() {
            let unnamed = CodePointSet(table: PythonRegexTables.unnamed)
            var entries: [(UInt64, UInt32)] = []
            entries.reserveCapacity(40_000)
            for v in UInt32(0)...CodePointSet.maxCodePoint {
                guard !unnamed.contains(v), !cjkUnified.contains(v), let s = Unicode.Scalar(v) else { continue }
                let p = s.properties
                guard let age = p.age, age.major < 14 || (age.major == 14 && age.minor == 0), let n = p.name else {
                    continue
                }
                entries.append((Self.hash(n.unicodeScalars.map { $0.value }), v))
            }
            entries.sort { $0.0 < $1.0 }
            hashes = entries.map { $0.0 }
            scalars = entries.map { $0.1 }
            var aliases: [[UInt32]: UInt32] = [:]
            for (alias, c) in PythonRegexTables.nameAliases { aliases[alias.unicodeScalars.map { $0.value }] = c }
            self.aliases = aliases
        }

        static func hash(_ s: [UInt32]) -> UInt64 {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for c in s {
                h ^= UInt64(c)
                h = h &* 0x100_0000_01B3
            }
            return h
        }

        func find(_ name: [UInt32]) -> UInt32? {
            if let c = aliases[name] { return c }
            let h = Self.hash(name)
            var lo = 0
            var hi = hashes.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if hashes[mid] < h { lo = mid + 1 } else { hi = mid }
            }
            var i = lo
            while i < hashes.count && hashes[i] == h {
                if let s = Unicode.Scalar(scalars[i]), let n = s.properties.name,
                    n.unicodeScalars.elementsEqual(name.lazy.compactMap(Unicode.Scalar.init))
                {
                    return scalars[i]
                }
                i += 1
            }
            return nil
        }
    }
}
