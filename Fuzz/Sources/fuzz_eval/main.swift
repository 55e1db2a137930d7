// libFuzzer target: evaluation with everything fuzzed. The input is NUL-separated:
//   features JSON \0 attributes JSON \0 feature key \0 experiment JSON \0 forced variations \0 url
// Keys are the fuzzed key plus every key of the accepted feature set.
import CFuzzerDriver
import FuzzSupport
import GrowthBookC

nonisolated(unsafe) private let buffer = gb_eval_buffer_create()!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let p = Fuzz.parts(data, size, 6)
    let gb = gb_create(nil)!
    Fuzz.installCallbacks(gb)
    Fuzz.code(gb_use_in_memory_sticky_bucket_service(gb))
    p[0].withUnsafeBufferPointer { Fuzz.code(gb_set_features_json(gb, $0.baseAddress!)) }
    p[1].withUnsafeBufferPointer { a in
        Fuzz.code(gb_set_attributes_json(gb, a.baseAddress!))
        Fuzz.code(gb_set_saved_groups_json(gb, a.baseAddress!))
        p[4].withUnsafeBufferPointer { Fuzz.code(gb_set_forced_variations_json(gb, $0.baseAddress!)) }
        p[5].withUnsafeBufferPointer { Fuzz.code(gb_set_url(gb, $0.baseAddress!)) }
        p[2].withUnsafeBufferPointer { Fuzz.evaluate(gb, $0.baseAddress!, attributes: a.baseAddress!, buffer: buffer) }
        for key in Fuzz.featureKeys(gb, limit: 16) {
            key.withCString { Fuzz.evaluate(gb, $0, attributes: a.baseAddress!, buffer: buffer) }
        }
        p[3].withUnsafeBufferPointer { e in
            let r = gb_run_experiment_json(gb, e.baseAddress!)
            if r == nil { Fuzz.checkFailed() } else { Fuzz.take(r) }
            let r2 = gb_run_experiment_with_include_json(gb, e.baseAddress!, { _, _ in 1 }, nil)
            if r2 == nil { Fuzz.checkFailed() } else { Fuzz.take(r2) }
        }
    }
    Fuzz.readBack(gb)
    gb_free(gb)
    return 0
}

/// main (SwiftPM defines main as fuzz_eval_main): libFuzzer's driver.
@_cdecl("fuzz_eval_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
