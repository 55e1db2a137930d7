// libFuzzer target: gb_set_attributes_json with fuzzed attributes against a fixed feature set
// that uses every rule kind (conditions of each operator family, rollouts, experiments,
// prerequisites, sticky bucketing), then the same attributes per call (gb_attributes_create).
// The handle is made once (compiling the features per input would dominate the run time);
// each input gets a fresh in-memory sticky bucket service.
import CFuzzerDriver
import FuzzSupport
import GrowthBookC

nonisolated(unsafe) private let buffer = gb_eval_buffer_create()!
private let keys = ["flag", "child", "sticky", "missing"]
nonisolated(unsafe) private let gb: OpaquePointer = {
    let gb = gb_create(nil)!
    Fuzz.code(gb_set_features_json(gb, Fuzz.fixedFeatures))
    Fuzz.code(gb_set_saved_groups_json(gb, #"{"g1": ["1", 2, true]}"#))
    Fuzz.installCallbacks(gb)
    return gb
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Fuzz.code(gb_use_in_memory_sticky_bucket_service(gb))
    let attributes = Fuzz.string(data, size)
    attributes.withUnsafeBufferPointer { a in
        let attrs = a.baseAddress!
        Fuzz.code(gb_set_attributes_json(gb, attrs))
        for key in keys {
            key.withCString { Fuzz.evaluate(gb, $0, attributes: attrs, buffer: buffer) }
        }
        Fuzz.code(gb_refresh_sticky_buckets(gb, 1))
    }
    Fuzz.readBack(gb)
    return 0
}

/// main (SwiftPM defines main as fuzz_set_attributes_main): libFuzzer's driver.
@_cdecl("fuzz_set_attributes_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
