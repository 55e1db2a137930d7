// libFuzzer target: gb_attributes_builder driven by the input as a program of calls (one
// opcode byte each, then its operands: see `step`), against the fixed feature set. Every
// refused call must set its error (and leave the builder usable); every finish must give
// attributes that evaluate, read back as JSON the parser accepts, and come back the same
// through gb_attributes_create (the builder and the parser agree).
import CFuzzerDriver
import FuzzSupport
import GrowthBookC

nonisolated(unsafe) private let buffer = gb_eval_buffer_create()!
private let keys = ["flag", "child", "sticky", "missing"]
nonisolated(unsafe) private let gb: OpaquePointer = {
    let gb = gb_create(#"{"semantics":"python-1.1.0"}"#)!
    Fuzz.code(gb_set_features_json(gb, Fuzz.fixedFeatures))
    Fuzz.installCallbacks(gb)
    return gb
}()

/// Takes `n` bytes of the input from `i` (fewer at its end).
private func take(_ d: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ n: Int) -> UnsafeBufferPointer<UInt8> {
    let k = min(n, d.count - i)
    defer { i += k }
    return UnsafeBufferPointer(rebasing: d[i..<(i + k)])
}

private func word(_ d: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64 {
    var v: UInt64 = 0
    for (n, b) in take(d, &i, 8).enumerated() { v |= UInt64(b) << (8 * UInt64(n)) }
    return v
}

/// A (pointer, length) call with the next length-prefixed operand.
private func withOperand(_ d: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ call: (UnsafePointer<CChar>?, Int) -> Int32) {
    let n = Int(take(d, &i, 1).first ?? 0)
    let s = take(d, &i, n)
    Fuzz.code(s.withMemoryRebound(to: CChar.self) { call($0.baseAddress, $0.count) })
}

private func finish(_ b: OpaquePointer) {
    guard let a = gb_attributes_builder_finish(b) else {
        Fuzz.checkFailed()
        return
    }
    for key in keys {
        key.withCString { k in
            Fuzz.code(gb_is_on_with(gb, k, a))
            Fuzz.take(gb_eval_feature_with(gb, k, a))
            Fuzz.code(gb_eval_with(gb, k, a, 1, buffer))
        }
    }
    Fuzz.code(gb_set_attributes(gb, a))
    gb_attributes_free(a)
    guard let text = gb_get_attributes_json(gb) else { return Fuzz.checkFailed() }
    let first = String(cString: text)
    let parsed = gb_attributes_create(text)
    gb_string_free(text)
    precondition(parsed != nil, "built attributes read back as JSON the parser refuses: \(first.prefix(300))")
    Fuzz.code(gb_set_attributes(gb, parsed))
    gb_attributes_free(parsed)
    guard let again = gb_get_attributes_json(gb) else { return Fuzz.checkFailed() }
    precondition(String(cString: again) == first, "built and parsed attributes differ: \(first.prefix(300))")
    gb_string_free(again)
}

/// One call: opcode & 15 picks it (0 key, 1 string, 2 int, 3 double, 4 true, 5 false, 6 null,
/// 7 integer literal, 8/9 begin/end array, 10/11 begin/end object, 12-15 finish); strings and
/// literals are a length byte and that many bytes, numbers 8 bytes little-endian.
private func step(_ b: OpaquePointer, _ d: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
    let op = take(d, &i, 1).first ?? 12
    switch op & 15 {
    case 0: withOperand(d, &i) { gb_attributes_builder_key(b, $0, $1) }
    case 1: withOperand(d, &i) { gb_attributes_builder_string(b, $0, $1) }
    case 2: Fuzz.code(gb_attributes_builder_int(b, Int64(bitPattern: word(d, &i))))
    case 3: Fuzz.code(gb_attributes_builder_double(b, Double(bitPattern: word(d, &i))))
    case 4: Fuzz.code(gb_attributes_builder_bool(b, 1))
    case 5: Fuzz.code(gb_attributes_builder_bool(b, 0))
    case 6: Fuzz.code(gb_attributes_builder_null(b))
    case 7: withOperand(d, &i) { gb_attributes_builder_integer_literal(b, $0, $1) }
    case 8: Fuzz.code(gb_attributes_builder_begin_array(b))
    case 9: Fuzz.code(gb_attributes_builder_end_array(b))
    case 10: Fuzz.code(gb_attributes_builder_begin_object(b))
    case 11: Fuzz.code(gb_attributes_builder_end_object(b))
    default: finish(b)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let b = gb_attributes_builder_create() else { return 0 }
    let d = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
    var i = 0
    while i < d.count { step(b, d, &i) }
    finish(b)
    gb_attributes_builder_free(b)
    return 0
}

/// main (SwiftPM defines main as fuzz_attributes_builder_main): libFuzzer's driver.
@_cdecl("fuzz_attributes_builder_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
