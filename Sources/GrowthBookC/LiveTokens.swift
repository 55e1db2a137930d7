import Synchronization

/// The out-parameters handed to host callbacks (`gb_buffer *` for a sticky-bucket get,
/// `gb_http_response *` for a host transport) are tokens, not addresses: a slot of this
/// process-wide table and the slot's generation, packed into the pointer's bits. The header
/// promises GB_ERR_INVALID_ARGUMENT for such a pointer once its callback has returned; a check
/// inside the object would read freed memory by then (a crash in a release build), so the
/// check is here instead: a token is live only while its slot holds an object at that
/// generation, and nothing behind a pointer the host passes is ever read unless it names a
/// live slot. A pointer that never was a token is almost always rejected the same way (its
/// bits name no slot, or a slot at another generation), and is never dereferenced.
///
/// The object is written only through `withLive`, under the table's lock, and the library
/// reads it after `withRegistered` unregistered it: a host calling a setter on another thread
/// at that moment finds the token dead (or finishes first), never a half-read object.
enum LiveTokens {
    private struct Slot {
        var generation: UInt32 = 1
        var object: (any AnyObject & Sendable)? = nil
    }

    private struct Table {
        var slots: [Slot] = []
        var free: [Int] = []
    }

    private static let table = Mutex(Table())

    /// Runs `body` with a token naming `object`, live until `body` returns (never nil on a
    /// 64-bit system; on any other the host would get NULL, which every setter rejects).
    static func withRegistered<R>(_ object: any AnyObject & Sendable, _ body: (OpaquePointer?) -> R) -> R {
        let token = register(object)
        defer { unregister(token) }
        return body(token)
    }

    /// Runs `body` on the object `p` names if it is live and a `T`, with the table locked;
    /// nil (and `body` not run) otherwise.
    static func withLive<T: AnyObject & Sendable, R>(_ p: OpaquePointer, as type: T.Type, _ body: (T) -> R) -> R? {
        let (slot, generation) = decode(p)
        return table.withLock { t -> R? in
            guard slot >= 0, slot < t.slots.count, t.slots[slot].generation == generation,
                let object = t.slots[slot].object as? T
            else { return nil }
            return body(object)
        }
    }

    private static func register(_ object: any AnyObject & Sendable) -> OpaquePointer? {
        let (slot, generation) = table.withLock { t -> (Int, UInt32) in
            let slot: Int
            if let reused = t.free.popLast() {
                slot = reused
            } else {
                slot = t.slots.count
                t.slots.append(Slot())
            }
            t.slots[slot].object = object
            return (slot, t.slots[slot].generation)
        }
        return encode(slot: slot, generation: generation)
    }

    private static func unregister(_ token: OpaquePointer?) {
        guard let token else { return }
        let (slot, generation) = decode(token)
        table.withLock { t in
            guard slot >= 0, slot < t.slots.count, t.slots[slot].generation == generation else { return }
            t.slots[slot].object = nil
            // The next object in this slot gets a new generation, so this token stays dead.
            t.slots[slot].generation = t.slots[slot].generation == UInt32.max ? 1 : t.slots[slot].generation + 1
            t.free.append(slot)
        }
    }

    /// Generation in the high 32 bits, slot + 1 in the low 32 (never 0, so never NULL).
    private static func encode(slot: Int, generation: UInt32) -> OpaquePointer? {
        let bits = UInt64(generation) << 32 | UInt64(UInt32(truncatingIfNeeded: slot + 1))
        return OpaquePointer(bitPattern: UInt(truncatingIfNeeded: bits))
    }

    private static func decode(_ p: OpaquePointer) -> (slot: Int, generation: UInt32) {
        let bits = UInt64(UInt(bitPattern: Int(bitPattern: p)))
        return (Int(UInt32(truncatingIfNeeded: bits)) - 1, UInt32(truncatingIfNeeded: bits >> 32))
    }
}
