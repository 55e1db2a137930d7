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

    public static let empty = FeatureSet(features: JSONObject(), savedGroups: nil)

    public init(features definitions: JSONObject, savedGroups: JSONObject?) {
        self.savedGroups = savedGroups
        let list = definitions.pairs.map { Feature(key: $0.0, definition: $0.1, savedGroups: savedGroups) }
        features = list
        var text: [UInt8] = []
        JSON.object(definitions).write(to: &text)
        definitionsText = text

        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        for f in list {
            bytes.append(contentsOf: f.key.utf8)
            offsets.append(bytes.count)
        }
        keyBytes = bytes
        keyOffsets = offsets

        var capacity = 8
        while capacity < list.count * 2 { capacity <<= 1 }
        var table = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBufferPointer { all in
            for i in 0..<list.count {
                let key = UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])
                var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
                while table[slot] >= 0 { slot = (slot + 1) & mask }
                table[slot] = Int32(truncatingIfNeeded: i)
            }
        }
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

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h ^ (h >> 29)
    }

    /// The index of the feature whose key has exactly these UTF-8 bytes.
    public func index(ofKeyBytes key: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        return keyBytes.withUnsafeBufferPointer { all -> Int? in
            while true {
                let i = Int(slots[slot])
                if i < 0 { return nil }
                let start = keyOffsets[i]
                let end = keyOffsets[i + 1]
                if end - start == key.count {
                    var equal = true
                    var j = 0
                    while j < key.count {
                        if all[start + j] != key[j] {
                            equal = false
                            break
                        }
                        j += 1
                    }
                    if equal { return i }
                }
                slot = (slot + 1) & mask
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
        FeatureSet(features: json.objectValue ?? JSONObject(), savedGroups: savedGroups?.deepCopy())
    }

    /// The feature definitions as given.
    public var json: JSON {
        // Written by this library from a parsed value, so it parses back.
        (try? JSON.parse(definitionsText)) ?? .object(JSONObject())
    }
}
