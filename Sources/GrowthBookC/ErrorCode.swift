#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import GrowthBookRemote

/// The GB_ERR_* codes of growthbook.h.
enum ErrorCode: Int32 {
    case ok = 0
    case invalidArgument = -1
    case utf8 = -2
    case json = -3
    case type = -4
    case notFound = -5
    case callback = -6
    case network = -7
    case http = -8
    case decrypt = -9
    case noMemory = -10
    case internalError = -99
}

/// A failed call: its code and the sentence `gb_last_error()` gives.
struct CallError: Error {
    var code: ErrorCode
    var message: String

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: GrowthBookError, context: String) {
        switch error.kind {
        case .invalidJSON(let e):
            self.init(e.kind == .invalidUTF8 ? .utf8 : .json, "\(context): \(e)")
        case .wrongType:
            self.init(.type, "\(context): \(error.message)")
        case .invalidArgument:
            self.init(.invalidArgument, "\(context): \(error.message)")
        }
    }
}

extension CallError {
    init(_ error: RemoteError) {
        switch error.kind {
        case .network: self.init(.network, error.message)
        case .http: self.init(.http, error.message)
        case .json: self.init(.json, error.message)
        case .decrypt: self.init(.decrypt, error.message)
        case .invalidArgument: self.init(.invalidArgument, error.message)
        }
    }
}

/// The thread-local last error: a malloc'd NUL-terminated message and its code, per thread.
enum LastError {
    private final class Slot {
        var code: Int32 = 0
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
        guard let raw = pthread_getspecific(key) else { return 0 }
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

/// Runs a call returning an int code; a thrown CallError becomes its code and the last error.
@inline(__always)
func returningCode(_ body: () throws(CallError) -> Int32) -> Int32 {
    ensureEngines()
    do {
        return try body()
    } catch {
        LastError.set(error)
        return error.code.rawValue
    }
}

/// Runs a call returning a new C string; a thrown CallError becomes NULL and the last error.
@inline(__always)
func returningString(_ body: () throws(CallError) -> String) -> UnsafeMutablePointer<CChar>? {
    ensureEngines()
    do {
        return try makeCString(body())
    } catch {
        LastError.set(error)
        return nil
    }
}

/// Runs a call that writes JSON text; the bytes become a new C string.
@inline(__always)
func returningText(_ body: (inout [UInt8]) throws(CallError) -> Void) -> UnsafeMutablePointer<CChar>? {
    ensureEngines()
    // The text is built in this thread's reusable buffer (a fresh one when a callback inside
    // this call asks for text too), then copied into the C string the host owns.
    let cache = StateCache.current
    var out = cache._withUnsafeGuaranteedRef { $0.takeTextBuffer() }
    defer { cache._withUnsafeGuaranteedRef { $0.returnTextBuffer(&out) } }
    do throws(CallError) {
        try body(&out)
        return try makeCString(bytes: out)
    } catch {
        LastError.set(error)
        return nil
    }
}

/// A malloc'd copy of `bytes` plus a NUL, for the host, freed with gb_string_free.
func makeCString(bytes: [UInt8]) throws(CallError) -> UnsafeMutablePointer<CChar> {
    guard let p = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else {
        throw CallError(.noMemory, "out of memory allocating a \(bytes.count)-byte result")
    }
    bytes.withUnsafeBufferPointer { b in
        if let base = b.baseAddress { memcpy(p, base, b.count) }
    }
    p[bytes.count] = 0
    return p
}

/// A malloc'd copy of `s` for the host, freed with gb_string_free.
func makeCString(_ s: String) throws(CallError) -> UnsafeMutablePointer<CChar> {
    var s = s
    let result: UnsafeMutablePointer<CChar>? = s.withUTF8 { bytes in
        guard let p = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
        if let base = bytes.baseAddress {
            memcpy(p, base, bytes.count)
        }
        p[bytes.count] = 0
        return p
    }
    guard let result else { throw CallError(.noMemory, "out of memory allocating a \(s.utf8.count)-byte result") }
    return result
}
