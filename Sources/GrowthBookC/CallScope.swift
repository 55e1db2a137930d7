#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CThreadScope
import GrowthBookCore
import GrowthBookRegex
import Synchronization

/// What the C layer keeps per thread: how deep this thread is in gb_ calls (callbacks nest
/// them), the handles freed from inside a call (released when the outermost call returns),
/// and a text buffer JSON results are written into. One thread-local load per call; none
/// of it is shared between threads, and none of it holds evaluation state.
final class CallScope {
    // Confined to its thread, and touched on every call: no run-time exclusivity checks.
    /// How many gb_ calls on handles are running on this thread.
    @exclusivity(unchecked) var callDepth = 0
    /// This thread's reader stripe for the core's state cells: threads get consecutive
    /// numbers, so the first sixteen never share a counter.
    let stripe = Int(truncatingIfNeeded: CallScope.threads.wrappingAdd(1, ordering: .relaxed).oldValue)
    private static let threads = Atomic<UInt64>(0)
    /// Handles freed while a call ran on this thread, released when the outermost call ends.
    @exclusivity(unchecked) var deferredFrees: [Unmanaged<Handle>] = []
    /// The buffer JSON results are written into, kept between calls (one that grew beyond
    /// 64 KiB is not kept).
    let text = TextBufferLender(capacity: 1024, keepingAtMost: 65536)
    /// Written on every call, so kept off the cache lines of other threads' scopes: the fields
    /// above are written, this is not, and it fills the rest of a line (two small objects from
    /// malloc can sit on one line, and threads writing to one line slow each other down).
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    /// The end of a call on handle `p`. The end of an outermost call settles its regex budget
    /// (a warning on the handle if it ran out; refilled for the next call: callbacks calling
    /// back in share their call's) and releases the handles freed during it.
    @inline(__always)
    func endCall(_ p: OpaquePointer) {
        callDepth -= 1
        guard callDepth == 0 else { return }
        if gb_regex_budget() != GB_REGEX_BUDGET_STEPS { settleRegexBudget(p) }
        if !deferredFrees.isEmpty {
            let frees = deferredFrees
            deferredFrees.removeAll()
            for h in frees { h.release() }
        }
    }

    /// Logs on the handle (when it is still live) that the call's regex budget ran out, and
    /// refills it.
    @inline(never)
    private func settleRegexBudget(_ p: OpaquePointer) {
        if RegexBudget.wasExhausted {
            Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef { h in
                guard h.marker == Handle.live else { return }
                h.gb.log(
                    .warning,
                    "regex conditions used this call's budget of \(RegexBudget.steps) backtracking steps: the remaining ones failed"
                )
            }
        }
        RegexBudget.refill()
    }

    /// Releases a thread's scope when the thread exits (the thread-specific value's
    /// destructor); `CThreadScope` holds the pointer calls read.
    private static let key: pthread_key_t = {
        _ = LibraryUnload.installed  // the key is deleted before the library is unloaded
        var k = pthread_key_t()
        pthread_key_create(&k) { raw in
            gb_set_thread_scope(nil)
            guard let raw else { return }
            Unmanaged<CallScope>.fromOpaque(raw).release()
        }
        return k
    }()

    /// Releases this thread's scope and deletes the key (the library's destructor: glibc would
    /// otherwise call the key's destructor, in unmapped code, when each thread exits).
    static func unload() {
        if let raw = gb_thread_scope() {
            gb_set_thread_scope(nil)
            pthread_setspecific(key, nil)
            Unmanaged<CallScope>.fromOpaque(raw).release()
        }
        pthread_key_delete(key)
    }

    /// This thread's scope, unretained: the thread-specific slot owns it until the thread
    /// exits (so no reference count is taken per call).
    @inline(__always)
    static var current: Unmanaged<CallScope> {
        if let raw = gb_thread_scope() { return Unmanaged<CallScope>.fromOpaque(raw) }
        return makeCurrent()
    }

    @inline(never)
    private static func makeCurrent() -> Unmanaged<CallScope> {
        let c = Unmanaged.passRetained(CallScope())
        pthread_setspecific(key, c.toOpaque())
        gb_set_thread_scope(c.toOpaque())
        return c
    }
}
