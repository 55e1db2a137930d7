// libFuzzer target: the JSON parser (GrowthBookCore's JSON.parse) and writer.
// Property: whatever parses re-serializes to text that parses to an equal value, and
// serializing that again gives the same text (the writer is a fixed point after one round).
import CFuzzerDriver
import FuzzSupport
import GrowthBookCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let buffer = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
    let value: JSON
    do {
        value = try JSON.parse(buffer)
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside the input")
        return 0
    }
    let text = value.serialized
    let again: JSON
    do {
        again = try JSON.parse(text)
    } catch {
        fatalError("serialized output does not parse (\(error)): \(text.prefix(300))")
    }
    precondition(again == value || containsNaN(value), "round trip changed the value: \(text.prefix(300))")
    precondition(again.serialized == text, "writer is not stable: \(text.prefix(300))")
    return 0
}

/// NaN never compares equal; the parser cannot produce one, but keep the check honest.
private func containsNaN(_ v: JSON) -> Bool {
    switch v {
    case .double(let d): return d.isNaN
    case .array(let a): return a.contains(where: containsNaN)
    case .object(let o): return o.values.contains(where: containsNaN)
    default: return false
    }
}

/// main (SwiftPM defines main as fuzz_json_main): libFuzzer's driver.
@_cdecl("fuzz_json_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
