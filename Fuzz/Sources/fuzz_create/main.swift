// libFuzzer target: gb_create with fuzzed options (the spec fixtures' "context" objects), then
// every evaluation entry point on every feature of the handle, then gb_free.
import CFuzzerDriver
import FuzzSupport
import GrowthBookC

nonisolated(unsafe) private let buffer = gb_eval_buffer_create()!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let options = Fuzz.string(data, size)
    guard let gb = options.withUnsafeBufferPointer({ gb_create($0.baseAddress!) }) else {
        Fuzz.checkFailed()
        return 0
    }
    Fuzz.installCallbacks(gb)
    for key in Fuzz.featureKeys(gb) {
        key.withCString { Fuzz.evaluate(gb, $0, buffer: buffer) }
    }
    "missing".withCString { Fuzz.evaluate(gb, $0, buffer: buffer) }
    Fuzz.readBack(gb)
    gb_free(gb)
    return 0
}

/// main (SwiftPM defines main as fuzz_create_main): libFuzzer's driver.
@_cdecl("fuzz_create_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
