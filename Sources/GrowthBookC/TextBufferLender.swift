import GrowthBookCore

/// A text buffer kept between calls and lent to one call at a time: a call that starts while
/// the buffer is out (a callback inside a call that calls back into the library) gets a fresh
/// one instead. The thread's scope keeps one for JSON results, each `gb_eval_buffer` one for
/// its typed results.
final class TextBufferLender {
    // Used by one thread at a time (its owner's rule), touched on every call that writes
    // text: no run-time exclusivity checks. A nested call reads `lent`, never `buffer`, while
    // the outer call writes into `buffer`.
    @exclusivity(unchecked) private var buffer: TextBuffer
    @exclusivity(unchecked) private var lent = false
    private let capacity: Int
    private let keptCapacity: Int

    /// `capacity`: what a buffer starts with. A buffer that grew beyond `keptCapacity` is
    /// replaced when it comes back (one huge result should not hold its memory for good).
    init(capacity: Int, keepingAtMost keptCapacity: Int = .max) {
        buffer = TextBuffer(capacity: capacity)
        self.capacity = capacity
        self.keptCapacity = keptCapacity
    }

    /// Calls `body` with the buffer, emptied, or with a fresh one when it is lent out.
    @inline(__always)
    func with<R>(_ body: (inout TextBuffer) throws(CallError) -> R) throws(CallError) -> R {
        if lent {
            var fresh = TextBuffer(capacity: capacity)
            return try body(&fresh)
        }
        lent = true
        defer {
            lent = false
            if buffer.capacity > keptCapacity { buffer = TextBuffer(capacity: capacity) }
        }
        buffer.removeAll()
        return try body(&buffer)
    }
}
