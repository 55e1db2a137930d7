// libFuzzer target: gb_set_features_json with fuzzed feature definitions on a handle with
// attributes, then every feature evaluated through every entry point. A rejected feature set
// must leave the previous one in place.
import CFuzzerDriver
import FuzzSupport
import GrowthBookC

nonisolated(unsafe) private let buffer = gb_eval_buffer_create()!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let gb = gb_create(#"{"attributes": {"id": "123", "country": "US", "age": 30, "tags": ["beta"], "version": "1.3.0"}, "savedGroups": {"g1": ["123", 4]}}"#)!
    Fuzz.installCallbacks(gb)
    Fuzz.code(gb_set_features_json(gb, #"{"sentinel": {"defaultValue": 7}}"#))
    let features = Fuzz.string(data, size)
    let rc = features.withUnsafeBufferPointer { gb_set_features_json(gb, $0.baseAddress!) }
    Fuzz.code(rc)
    let keys = Fuzz.featureKeys(gb)
    if rc != 0 {
        precondition(keys == ["sentinel"], "a failed gb_set_features_json changed the features: \(keys)")
    }
    for key in keys {
        key.withCString { Fuzz.evaluate(gb, $0, attributes: #"{"id": "9", "deviceId": "d"}"#, buffer: buffer) }
    }
    Fuzz.readBack(gb)
    gb_free(gb)
    return 0
}

/// main (SwiftPM defines main as fuzz_set_features_main): libFuzzer's driver.
@_cdecl("fuzz_set_features_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
