#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The thread-local last error: a malloc'd NUL-terminated message and its code, per thread.
enum LastError {
    private final class Slot {
        var code = ErrorCode.ok.rawValue
        var message: UnsafeMutablePointer<CChar>? = nil
    }

    private static let key: pthread_key_t = {
        _ = LibraryUnload.installed  // the key is deleted before the library is unloaded
        var k = pthread_key_t()
        pthread_key_create(&k) { raw in
            guard let raw else { return }
            let slot = Unmanaged<Slot>.fromOpaque(raw).takeRetainedValue()
            free(slot.message)
        }
        return k
    }()

    private static var slot: Slot {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue()
        }
        let s = Slot()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// Set by `unload`: the key is gone (and its number may be another library's), so errors
    /// are no longer recorded (calls made while the process exits, after the destructor).
    private static let unloadedFlag = Atomic<Bool>(false)
    private static var unloaded: Bool { unloadedFlag.load(ordering: .relaxed) }

    /// Frees this thread's slot and deletes the key (the library's destructor).
    static func unload() {
        unloadedFlag.store(true, ordering: .relaxed)
        if let raw = pthread_getspecific(key) {
            pthread_setspecific(key, nil)
            let slot = Unmanaged<Slot>.fromOpaque(raw).takeRetainedValue()
            free(slot.message)
        }
        pthread_key_delete(key)
    }

    static func set(_ error: CallError) {
        if unloaded { return }
        let s = slot
        free(s.message)
        s.message = strdup(error.message)
        s.code = error.code.rawValue
    }

    static var code: Int32 {
        guard !unloaded, let raw = pthread_getspecific(key) else { return ErrorCode.ok.rawValue }
        return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue().code
    }

    static var message: UnsafePointer<CChar> {
        if !unloaded, let raw = pthread_getspecific(key), let m = Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue().message {
            return UnsafePointer(m)
        }
        return emptyMessage
    }

    nonisolated(unsafe) private static let emptyMessage: UnsafePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()
}
