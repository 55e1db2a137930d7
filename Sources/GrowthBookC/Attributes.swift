#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import Synchronization

/// What a `gb_attributes *` points to: attributes parsed once, immutable, shareable.
final class AttributesBox {
    static let live: UInt64 = 0x6762_5f61_7474_7273  // "gb_attrs"
    var marker = AttributesBox.live
    let json: JSON
    /// Unique for the life of the process (addresses are reused; ids are not).
    let id: UInt64
    let sharing = ThreadSharing()

    private static let nextId = Atomic<UInt64>(0)

    init(_ json: JSON) {
        self.json = json
        id = AttributesBox.nextId.wrappingAdd(1, ordering: .relaxed).newValue
    }
}

/// Calls `body` with the attributes behind `p`, read without a reference count on the shared
/// object (the host keeps it alive for the call).
func withAttributes<R>(_ p: OpaquePointer?, _ body: (JSON) throws(CallError) -> R) throws(CallError) -> R {
    guard let p else { throw CallError(.invalidArgument, "attributes is NULL") }
    let json: JSON? = Unmanaged<AttributesBox>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef { box in
        guard box.marker == AttributesBox.live else { return nil }
        return StateCache.current._withUnsafeGuaranteedRef { $0.attributes(of: box) }
    }
    guard let json else { throw CallError(.invalidArgument, "attributes is not a live gb_attributes") }
    return try body(json)
}

@_cdecl("gb_attributes_create")
public func gb_attributes_create(_ json: UnsafePointer<CChar>?) -> OpaquePointer? {
    do throws(CallError) {
        let o = try CInput.object(json, "attributes_json")
        return OpaquePointer(Unmanaged.passRetained(AttributesBox(.object(o))).toOpaque())
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
