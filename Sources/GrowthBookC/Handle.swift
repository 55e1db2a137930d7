#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import GrowthBookRemote
import Synchronization

/// What a `gb_handle *` points to: the GrowthBook context and where it loads features from.
/// A marker field catches most pointers that are not live handles.
final class Handle {
    static let live: UInt64 = 0x6762_5f68_616e_646c  // "gb_handl"
    static let dead: UInt64 = 0x6465_6164_6465_6164

    /// Read by every call and written only by gb_free (which must not race with calls on the
    /// handle): no run-time exclusivity checks.
    @exclusivity(unchecked) var marker = Handle.live
    /// Unique for the life of the process (addresses are reused; ids are not).
    let id: UInt64
    let gb: GrowthBook
    let remote: RemoteConfig
    /// Every host callback registered on the handle runs through it; gb_free closes it.
    let gate = CallbackGate()

    init(_ gb: GrowthBook, remote: RemoteConfig = RemoteConfig()) {
        self.gb = gb
        self.remote = remote
        self.id = Handle.nextId.wrappingAdd(1, ordering: .relaxed).newValue
    }

    private static let nextId = Atomic<UInt64>(0)

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passRetained(self).toOpaque()) }
}

/// Calls `body` with the handle behind `p`. The host keeps the handle alive for the call (the
/// header's rule), so the handle is borrowed, not retained: a reference count here would be a
/// write to the one object every thread calling the handle shares. The one case a host cannot
/// always rule out, a `gb_free` from a callback inside a call on the same thread, is covered by
/// `CallScope`: such a free is deferred until the outermost call on that thread returns.
@inline(__always)
func withHandle<R>(_ p: OpaquePointer?, _ body: (Handle) throws(CallError) -> R) throws(CallError) -> R {
    try withHandle(p) { h, _ throws(CallError) in try body(h) }
}

/// `withHandle`, also passing the calling thread's reader stripe (see `CallScope.stripe`).
@inline(__always)
func withHandle<R>(_ p: OpaquePointer?, _ body: (Handle, Int) throws(CallError) -> R) throws(CallError) -> R {
    guard let p else { throw CallError(.invalidArgument, "gb is NULL") }
    let scope = CallScope.current
    let stripe = scope._withUnsafeGuaranteedRef { s -> Int in
        s.callDepth += 1
        return s.stripe
    }
    defer { scope._withUnsafeGuaranteedRef { $0.endCall(p) } }
    let result: Result<R, CallError> = Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef {
        h in
        guard h.marker == Handle.live else {
            return .failure(CallError(.invalidArgument, "gb is not a live gb_handle (freed or never created)"))
        }
        return Result { () throws(CallError) -> R in try body(h, stripe) }
    }
    return try result.get()
}

/// A `void *user_data` carried into callbacks; the host owns what it points to.
struct UserData: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer?
}

/// Passes `s` to `body` as a NUL-terminated C string valid only during the call.
func withCString<R>(_ s: String, _ body: (UnsafePointer<CChar>) -> R) -> R {
    s.withCString(body)
}
