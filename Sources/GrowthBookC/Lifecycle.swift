#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import GrowthBookRemote

/// The library's version; keep in step with GB_VERSION in include/growthbook.h.
private let version: StaticString = "0.1.0"

@_cdecl("gb_version")
public func gb_version() -> UnsafePointer<CChar> {
    // A string literal's storage is static and NUL-terminated.
    UnsafeRawPointer(version.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("gb_last_error")
public func gb_last_error() -> UnsafePointer<CChar> { LastError.message }

@_cdecl("gb_last_error_code")
public func gb_last_error_code() -> Int32 { LastError.code }

@_cdecl("gb_string_free")
public func gb_string_free(_ s: UnsafeMutablePointer<CChar>?) { free(s) }

@_cdecl("gb_shutdown")
public func gb_shutdown(_ timeoutMs: Int32) -> Int32 {
    guard timeoutMs >= 0 else {
        LastError.set(CallError(.invalidArgument, "timeout_ms is negative (\(timeoutMs))"))
        return ErrorCode.invalidArgument.rawValue
    }
    let running = BackgroundThreads.stop(timeout: Double(timeoutMs) / 1000)
    guard running == 0 else {
        LastError.set(
            CallError(
                .busy,
                "\(running) background thread\(running == 1 ? " is" : "s are") still running after \(timeoutMs) ms "
                    + "(inside a host callback: an HTTP transport, log, tracking, sticky-bucket or subscription "
                    + "callback); each stops when its callback returns"))
        return ErrorCode.busy.rawValue
    }
    return ErrorCode.ok.rawValue
}

@_cdecl("gb_create")
public func gb_create(_ options: UnsafePointer<CChar>?) -> OpaquePointer? {
    ensureLibraryInitialized()
    do throws(CallError) {
        if options == nil { return Handle(GrowthBook()).opaque }
        let (json, attributes) = try CInput.options(options, "options_json")
        let gb: GrowthBook
        let remote: RemoteConfig
        do {
            gb = try GrowthBook(options: json, attributes: attributes)
        } catch {
            throw CallError(error, context: "options_json")
        }
        try installStickyBucketStore(from: json, into: gb)
        do {
            remote = try RemoteConfig(options: json)
        } catch {
            // Out of range: GB_ERR_INVALID_ARGUMENT; anything else (the wrong type): GB_ERR_TYPE.
            throw CallError(error.kind == .invalidArgument ? .invalidArgument : .type, "options_json: \(error.message)")
        }
        return Handle(gb, remote: remote).opaque
    } catch {
        LastError.set(error)
        return nil
    }
}

@_cdecl("gb_free")
public func gb_free(_ p: OpaquePointer?) {
    guard let p else { return }
    let handle = Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(p))
    let h = handle.takeUnretainedValue()
    guard h.marker == Handle.live else { return }
    // No callback of the handle runs after this returns: the gate is shut, and callbacks
    // still running on other threads (background refreshes and streams call into subscribed
    // handles) are waited for. One running on this thread (a free from inside a callback) is
    // this thread's own caller and is not waited for.
    h.gate.close()
    h.marker = Handle.dead
    // Freed from a callback inside a call on this same handle (or another): the call is still
    // using it, so the release waits until the outermost call returns.
    let deferred = CallScope.current._withUnsafeGuaranteedRef { scope -> Bool in
        guard scope.callDepth > 0 else { return false }
        scope.deferredFrees.append(handle)
        return true
    }
    if !deferred { handle.release() }
}
