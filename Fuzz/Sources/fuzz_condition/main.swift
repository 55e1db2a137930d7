// libFuzzer target: the condition helper, gb_eval_condition_json. The input is NUL-separated:
//   condition JSON \0 attributes JSON \0 saved groups JSON (absent: NULL)
// Property besides not crashing: the answer is 1, 0 or a negative code with the error set,
// and evaluating again gives the same answer (conditions are pure).
import CFuzzerDriver
import FuzzSupport
import GrowthBookC

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let p = Fuzz.parts(data, size, 3)
    let groupsGiven = p[2].count > 1
    p[0].withUnsafeBufferPointer { c in
        p[1].withUnsafeBufferPointer { a in
            p[2].withUnsafeBufferPointer { g in
                let groups = groupsGiven ? g.baseAddress : nil
                let rc = gb_eval_condition_json(c.baseAddress!, a.baseAddress!, groups)
                Fuzz.code(rc)
                precondition(rc <= 1, "gb_eval_condition_json returned \(rc)")
                let again = gb_eval_condition_json(c.baseAddress!, a.baseAddress!, groups)
                precondition(rc == again, "condition answered \(rc) then \(again)")
            }
        }
    }
    return 0
}

/// main (SwiftPM defines main as fuzz_condition_main): libFuzzer's driver.
@_cdecl("fuzz_condition_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
