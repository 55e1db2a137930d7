// libFuzzer target: gb_decrypt. The input is NUL-separated: encrypted string \0 base64 key.
// The answer is a string (freed) or NULL with GB_ERR_DECRYPT / GB_ERR_UTF8 set.
import CFuzzerDriver
import FuzzSupport
import GrowthBookC

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let p = Fuzz.parts(data, size, 2)
    p[0].withUnsafeBufferPointer { e in
        p[1].withUnsafeBufferPointer { k in
            let r = gb_decrypt(e.baseAddress!, k.baseAddress!)
            if r == nil {
                Fuzz.checkFailed()
                let c = gb_last_error_code()
                precondition(c == -9 || c == -2, "gb_decrypt failed with \(c)")
            } else {
                Fuzz.take(r, json: false)
            }
        }
    }
    return 0
}

/// main (SwiftPM defines main as fuzz_decrypt_main): libFuzzer's driver.
@_cdecl("fuzz_decrypt_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
