/// The exposures a handle has tracked (the reference's `_tracked`: one tracking call per
/// hash attribute, hash value, experiment and variation), bounded: a server keeps one handle
/// for months and sees millions of users, so at most `limit` entries are kept, the least
/// recently seen evicted first. An evicted exposure that comes back is tracked again (one
/// more tracking call, never a missed one).
///
/// A dictionary from key to slot, and the slots in a doubly linked list by recency (arrays of
/// indices, so no allocation per entry beyond its key). O(1) per insertion.
struct TrackedExposures {
    /// The default bound: about 11 MB of keys for 100,000 users × experiments.
    static let defaultLimit = 100_000

    let limit: Int
    private var slots: [String: Int32] = [:]
    private var keys: [String] = []
    private var newer: [Int32] = []  // towards the most recently seen; -1 at the head
    private var older: [Int32] = []  // towards the least recently seen; -1 at the tail
    private var head: Int32 = -1  // most recently seen
    private var tail: Int32 = -1  // least recently seen

    init(limit: Int = TrackedExposures.defaultLimit) {
        self.limit = Swift.max(1, limit)
    }

    var count: Int { slots.count }

    /// Records `key` as seen now; true when it was not tracked (the caller then tracks it).
    mutating func insert(_ key: String) -> Bool {
        if let s = slots[key] {
            moveToHead(s)
            return false
        }
        let s: Int32
        if keys.count < limit {
            s = Int32(truncatingIfNeeded: keys.count)
            keys.append(key)
            newer.append(-1)
            older.append(-1)
        } else {
            // Full: the least recently seen slot takes the new key.
            s = tail
            unlink(s)
            slots[keys[Int(s)]] = nil
            keys[Int(s)] = key
        }
        slots[key] = s
        pushHead(s)
        return true
    }

    func contains(_ key: String) -> Bool { slots[key] != nil }

    private mutating func unlink(_ s: Int32) {
        let n = newer[Int(s)]
        let o = older[Int(s)]
        if n >= 0 { older[Int(n)] = o } else { head = o }
        if o >= 0 { newer[Int(o)] = n } else { tail = n }
        newer[Int(s)] = -1
        older[Int(s)] = -1
    }

    private mutating func pushHead(_ s: Int32) {
        older[Int(s)] = head
        newer[Int(s)] = -1
        if head >= 0 { newer[Int(head)] = s }
        head = s
        if tail < 0 { tail = s }
    }

    private mutating func moveToHead(_ s: Int32) {
        guard head != s else { return }
        unlink(s)
        pushHead(s)
    }
}
