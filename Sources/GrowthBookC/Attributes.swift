#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore

/// What a `gb_attributes *` points to: attributes parsed once (into a document the
/// evaluator reads in place), immutable, shareable by any number of threads and handles.
final class AttributesBox {
    static let live: UInt64 = 0x6762_5f61_7474_7273  // "gb_attrs"
    /// Read by every call and written only by gb_attributes_free: no run-time exclusivity checks.
    @exclusivity(unchecked) var marker = AttributesBox.live
    let attributes: Attributes

    init(_ attributes: Attributes) {
        self.attributes = attributes
    }
}

/// Calls `body` with the attributes behind `p`, borrowed (the host keeps them alive for the
/// call; a reference count would be a write to an object every thread shares).
func withAttributes<R>(_ p: OpaquePointer?, _ body: (Attributes) throws(CallError) -> R) throws(CallError) -> R {
    guard let p else { throw CallError(.invalidArgument, "attributes is NULL") }
    let result: Result<R, CallError> = Unmanaged<AttributesBox>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef {
        box in
        guard box.marker == AttributesBox.live else {
            return .failure(CallError(.invalidArgument, "attributes is not a live gb_attributes"))
        }
        return Result { () throws(CallError) -> R in try body(box.attributes) }
    }
    return try result.get()
}

@_cdecl("gb_attributes_create")
public func gb_attributes_create(_ json: UnsafePointer<CChar>?) -> OpaquePointer? {
    do throws(CallError) {
        let a = try CInput.attributes(json, "attributes_json")
        return OpaquePointer(Unmanaged.passRetained(AttributesBox(a)).toOpaque())
    } catch {
        LastError.set(error)
        return nil
    }
}

@_cdecl("gb_attributes_free")
public func gb_attributes_free(_ p: OpaquePointer?) {
    guard let p else { return }
    let u = Unmanaged<AttributesBox>.fromOpaque(UnsafeRawPointer(p))
    let box = u.takeUnretainedValue()
    guard box.marker == AttributesBox.live else { return }
    box.marker = 0
    u.release()
}
