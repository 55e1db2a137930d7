/// An immutable, compiled set of features and saved groups: what one `set_features` installs.
/// Built off to the side and swapped in whole, so evaluations in flight keep the one they began
/// with. Features are found by the key's UTF-8 bytes without building a String.
public final class FeatureSet: Sendable {
    public let features: [Feature]
    public let savedGroups: JSONObject?
    /// Attributes that identify users for sticky bucketing, derived from the experiment rules.
    public let stickyIdentifierAttributes: [String]

    /// Open-addressed table of feature indices (-1 empty), sized to a power of two.
    private let slots: [Int32]
    private let keyBytes: [UInt8]
    private let keyOffsets: [Int]  // features.count + 1 offsets into keyBytes
    /// The definitions as given, kept as compact JSON text for `json` (which is rarely asked
    /// for) rather than as a tree: the tree would cost several times the memory of the
    /// compiled features it came from.
    private let definitionsText: [UInt8]
    /// Two features had the same key (only compiling from text can see that; the first is
    /// found).
    let hasDuplicateKeys: Bool

    public static let empty = FeatureSet(features: JSONObject(), savedGroups: nil)

    public convenience init(features definitions: JSONObject, savedGroups: JSONObject?) {
        let list = definitions.pairs.map { Feature(key: $0.0, definition: $0.1, savedGroups: savedGroups) }
        var text: [UInt8] = []
        JSON.object(definitions).write(to: &text)
        // Keys of a JSONObject are unique, so `hasDuplicateKeys` is false here.
        self.init(compiled: list, definitionsText: text, savedGroups: savedGroups)
    }

    /// Compiles features straight from JSON text, one feature at a time: each feature's tree is
    /// parsed, compiled and dropped before the next is parsed, so the whole payload is never
    /// held as a tree (which costs more than the compiled features and, freed at the end,
    /// leaves the heap fragmented around them). Returns nil when the text is not an object.
    public static func compile(
        featuresText bytes: UnsafeBufferPointer<UInt8>, savedGroups: JSONObject?
    ) throws(JSONError) -> FeatureSet? {
        var list: [Feature] = []
        var text: [UInt8] = [UInt8(ascii: "{")]
        text.reserveCapacity(bytes.count + 2)
        let isObject = try JSON.forEachMember(bytes) { key, value in
            if list.count > 0 { text.append(UInt8(ascii: ",")) }
            JSON.writeString(key, to: &text)
            text.append(UInt8(ascii: ":"))
            value.write(to: &text)
            list.append(Feature(key: key, definition: value, savedGroups: savedGroups))
        }
        guard isObject else { return nil }
        text.append(UInt8(ascii: "}"))
        let set = FeatureSet(
            compiled: list, definitionsText: text.withUnsafeBufferPointer { Array($0) }, savedGroups: savedGroups)
        if !set.hasDuplicateKeys { return set }
        // A key given twice (the later value replaces the earlier in place): the tree path
        // has those semantics.
        let tree = try JSON.parse(bytes)
        return FeatureSet(features: tree.objectValue ?? JSONObject(), savedGroups: savedGroups)
    }

    /// When two features have the same key (by code points), the table finds the first and
    /// `hasDuplicateKeys` says so.
    private init(compiled list: [Feature], definitionsText text: [UInt8], savedGroups: JSONObject?) {
        self.savedGroups = savedGroups
        features = list
        definitionsText = text

        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        offsets.reserveCapacity(list.count + 1)
        for f in list {
            bytes.append(contentsOf: f.key.utf8)
            offsets.append(bytes.count)
        }
        keyBytes = bytes.withUnsafeBufferPointer { Array($0) }  // no growth slack
        keyOffsets = offsets

        var capacity = 8
        while capacity < list.count * 2 { capacity <<= 1 }
        var table = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        let unique = bytes.withUnsafeBufferPointer { all -> Bool in
            var unique = true
            for i in 0..<list.count {
                let key = UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])
                var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
                while table[slot] >= 0 {
                    let j = Int(table[slot])
                    if bytesEqual(UnsafeBufferPointer(rebasing: all[offsets[j]..<offsets[j + 1]]), key) { break }
                    slot = (slot + 1) & mask
                }
                if table[slot] >= 0 {
                    unique = false
                    continue
                }
                table[slot] = Int32(truncatingIfNeeded: i)
            }
            return unique
        }
        hasDuplicateKeys = !unique
        slots = table

        var identifiers: [String] = []
        for f in list {
            for rule in f.rules {
                guard let e = rule.experiment, !e.variations.isEmpty else { continue }
                if !identifiers.contains(e.hashAttribute) { identifiers.append(e.hashAttribute) }
                if let fb = e.fallbackAttribute, !identifiers.contains(fb) { identifiers.append(fb) }
            }
        }
        stickyIdentifierAttributes = identifiers
    }

    /// A hash of the key's bytes, eight at a time (keys are looked up on every evaluation, and
    /// real keys run to tens of bytes).
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: key.count)
        guard let base = key.baseAddress else { return h }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i &+ 8 <= key.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i &+= 8
        }
        if i < key.count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < key.count {
                tail |= UInt64(base[i]) << shift
                shift &+= 8
                i &+= 1
            }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        return h ^ (h >> 29)
    }

    /// The index of the feature whose key has exactly these UTF-8 bytes.
    public func index(ofKeyBytes key: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        return keyBytes.withUnsafeBufferPointer { all -> Int? in
            slots.withUnsafeBufferPointer { slots -> Int? in
                keyOffsets.withUnsafeBufferPointer { offsets -> Int? in
                    while true {
                        let i = Int(slots[slot])
                        if i < 0 { return nil }
                        let start = offsets[i]
                        let end = offsets[i &+ 1]
                        if end &- start == key.count
                            && bytesEqual(UnsafeBufferPointer(rebasing: all[start..<end]), key)
                        {
                            return i
                        }
                        slot = (slot &+ 1) & mask
                    }
                }
            }
        }
    }

    public func index(of key: String) -> Int? {
        var k = key
        return k.withUTF8 { index(ofKeyBytes: $0) }
    }

    public func feature(_ key: String) -> Feature? {
        index(of: key).map { features[$0] }
    }

    /// The same features compiled anew from their text: objects of its own all through, for a
    /// thread that evaluates them while other threads evaluate this set.
    public func privateCopy() -> FeatureSet {
        let groups = savedGroups?.deepCopy()
        // Compiled from the kept text as it is parsed, as set_features does.
        let compiled = definitionsText.withUnsafeBufferPointer { try? FeatureSet.compile(featuresText: $0, savedGroups: groups) }
        if let compiled { return compiled }
        return FeatureSet(features: json.objectValue ?? JSONObject(), savedGroups: groups)
    }

    /// The feature definitions as given.
    public var json: JSON {
        // Written by this library from a parsed value, so it parses back.
        (try? JSON.parse(definitionsText)) ?? .object(JSONObject())
    }
}
