import GrowthBookCore

/// What a `gb_attributes_builder *` points to: an `AttributesBuilder`, used by one thread at a
/// time (the header says so), reused after each `gb_attributes_builder_finish`.
final class AttributesBuilderBox {
    static let live: UInt64 = 0x6762_5f62_6c64_7220  // "gb_bldr "
    @exclusivity(unchecked) var marker = AttributesBuilderBox.live
    @exclusivity(unchecked) var builder = AttributesBuilder()
}

/// Runs `body` on the builder behind `p`; the call's code (a refused value: its error).
@inline(__always)
private func building(
    _ p: OpaquePointer?, _ call: StaticString, _ body: (inout AttributesBuilder) throws(GrowthBookError) -> Void
) -> Int32 {
    guard let p else {
        LastError.set(CallError(.invalidArgument, "\(call): builder is NULL"))
        return ErrorCode.invalidArgument.rawValue
    }
    return Unmanaged<AttributesBuilderBox>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef { box in
        guard box.marker == AttributesBuilderBox.live else {
            LastError.set(CallError(.invalidArgument, "\(call): builder is not a live gb_attributes_builder"))
            return ErrorCode.invalidArgument.rawValue
        }
        do throws(GrowthBookError) {
            try body(&box.builder)
            return ErrorCode.ok.rawValue
        } catch {
            let e = CallError(error, context: "\(call)")
            LastError.set(e)
            return e.code.rawValue
        }
    }
}

/// The bytes of a (pointer, length) argument; NULL is accepted for an empty one.
@inline(__always)
private func span(_ p: UnsafePointer<CChar>?, _ n: Int) -> UnsafeBufferPointer<UInt8>? {
    guard let p else { return n == 0 ? UnsafeBufferPointer(start: nil, count: 0) : nil }
    return UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: n)
}

private func bytes(_ p: UnsafePointer<CChar>?, _ n: Int, _ what: String) throws(GrowthBookError) -> UnsafeBufferPointer<UInt8> {
    guard n >= 0, let b = span(p, n) else { throw .invalidArgument("\(what) is NULL with a length of \(n)") }
    return b
}

@_cdecl("gb_attributes_builder_create")
public func gb_attributes_builder_create() -> OpaquePointer? {
    OpaquePointer(Unmanaged.passRetained(AttributesBuilderBox()).toOpaque())
}

@_cdecl("gb_attributes_builder_free")
public func gb_attributes_builder_free(_ p: OpaquePointer?) {
    guard let p else { return }
    let u = Unmanaged<AttributesBuilderBox>.fromOpaque(UnsafeRawPointer(p))
    let box = u.takeUnretainedValue()
    guard box.marker == AttributesBuilderBox.live else { return }
    box.marker = 0
    u.release()
}

@_cdecl("gb_attributes_builder_key")
public func gb_attributes_builder_key(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
    building(p, "gb_attributes_builder_key") { b throws(GrowthBookError) in try b.key(try bytes(key, length, "key")) }
}

@_cdecl("gb_attributes_builder_string")
public func gb_attributes_builder_string(_ p: OpaquePointer?, _ s: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
    building(p, "gb_attributes_builder_string") { b throws(GrowthBookError) in try b.string(try bytes(s, length, "string")) }
}

@_cdecl("gb_attributes_builder_int")
public func gb_attributes_builder_int(_ p: OpaquePointer?, _ v: Int64) -> Int32 {
    building(p, "gb_attributes_builder_int") { b throws(GrowthBookError) in try b.int(v) }
}

@_cdecl("gb_attributes_builder_double")
public func gb_attributes_builder_double(_ p: OpaquePointer?, _ v: Double) -> Int32 {
    building(p, "gb_attributes_builder_double") { b throws(GrowthBookError) in try b.double(v) }
}

@_cdecl("gb_attributes_builder_bool")
public func gb_attributes_builder_bool(_ p: OpaquePointer?, _ v: Int32) -> Int32 {
    building(p, "gb_attributes_builder_bool") { b throws(GrowthBookError) in try b.bool(v != 0) }
}

@_cdecl("gb_attributes_builder_null")
public func gb_attributes_builder_null(_ p: OpaquePointer?) -> Int32 {
    building(p, "gb_attributes_builder_null") { b throws(GrowthBookError) in try b.null() }
}

@_cdecl("gb_attributes_builder_integer_literal")
public func gb_attributes_builder_integer_literal(
    _ p: OpaquePointer?, _ digits: UnsafePointer<CChar>?, _ length: Int
) -> Int32 {
    building(p, "gb_attributes_builder_integer_literal") { b throws(GrowthBookError) in
        try b.integerLiteral(try bytes(digits, length, "digits"))
    }
}

@_cdecl("gb_attributes_builder_begin_array")
public func gb_attributes_builder_begin_array(_ p: OpaquePointer?) -> Int32 {
    building(p, "gb_attributes_builder_begin_array") { b throws(GrowthBookError) in try b.beginArray() }
}

@_cdecl("gb_attributes_builder_end_array")
public func gb_attributes_builder_end_array(_ p: OpaquePointer?) -> Int32 {
    building(p, "gb_attributes_builder_end_array") { b throws(GrowthBookError) in try b.endArray() }
}

@_cdecl("gb_attributes_builder_begin_object")
public func gb_attributes_builder_begin_object(_ p: OpaquePointer?) -> Int32 {
    building(p, "gb_attributes_builder_begin_object") { b throws(GrowthBookError) in try b.beginObject() }
}

@_cdecl("gb_attributes_builder_end_object")
public func gb_attributes_builder_end_object(_ p: OpaquePointer?) -> Int32 {
    building(p, "gb_attributes_builder_end_object") { b throws(GrowthBookError) in try b.endObject() }
}

@_cdecl("gb_attributes_builder_finish")
public func gb_attributes_builder_finish(_ p: OpaquePointer?) -> OpaquePointer? {
    var made: Attributes? = nil
    let rc = building(p, "gb_attributes_builder_finish") { b throws(GrowthBookError) in made = try b.finish() }
    guard rc == ErrorCode.ok.rawValue, let made else { return nil }
    return OpaquePointer(Unmanaged.passRetained(AttributesBox(made)).toOpaque())
}
