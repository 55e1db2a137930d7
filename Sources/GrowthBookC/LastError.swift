#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The thread-local last error: a malloc'd NUL-terminated message and its code, per thread.
enum LastError {
    private final class Slot {
        var code = ErrorCode.ok.rawValue
        var message: UnsafeMutablePointer<CChar>? = nil
    }

    private static let key: pthread_key_t = {
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

    static func set(_ error: CallError) {
        let s = slot
        free(s.message)
        s.message = strdup(error.message)
        s.code = error.code.rawValue
    }

    static var code: Int32 {
        guard let raw = pthread_getspecific(key) else { return ErrorCode.ok.rawValue }
        return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue().code
    }

    static var message: UnsafePointer<CChar> {
        if let raw = pthread_getspecific(key), let m = Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue().message {
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
