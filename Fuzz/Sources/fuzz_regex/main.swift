// libFuzzer target: the regex dialects. The input is NUL-separated: pattern \0 subject.
// The pattern is translated in both dialects, with and without ignoring case (the
// translation's text must be ASCII, as the writer spells everything else out), then evaluated
// as $regex and $regexi under both semantics through gb_eval_condition_semantics_json.
// Property besides not crashing: each answer is 1 or 0, and the same on a second call.
import CFuzzerDriver
import FuzzSupport
import GrowthBookC
import GrowthBookCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let p = Fuzz.parts(data, size, 2)
    let pattern = String(decoding: p[0].dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let subject = String(decoding: p[1].dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    for dialect in [RegexDialect.python, .javascript] {
        for ignoreCase in [false, true] {
            guard let t = dialect.translate(pattern, ignoreCase: ignoreCase) else { continue }
            for text in [t.pattern, t.compactPattern, t.utf16Pattern, t.utf16CompactPattern] {
                if let text { precondition(text.utf8.allSatisfy { $0 < 0x80 }, "translation not ASCII: \(text.prefix(200))") }
            }
        }
    }
    var attributes = JSONObject()
    attributes["s"] = .string(subject)
    let attributesText = JSON.object(attributes).serialized
    for op in ["$regex", "$regexi"] {
        var test = JSONObject()
        test[op] = .string(pattern)
        var condition = JSONObject()
        condition["s"] = .object(test)
        let conditionText = JSON.object(condition).serialized
        for semantics in ["python-1.1.0", "js"] {
            let rc = gb_eval_condition_semantics_json(semantics, conditionText, attributesText, nil)
            Fuzz.code(rc)
            precondition(rc == 0 || rc == 1, "\(op) under \(semantics) returned \(rc)")
            let again = gb_eval_condition_semantics_json(semantics, conditionText, attributesText, nil)
            precondition(rc == again, "\(op) under \(semantics) answered \(rc) then \(again)")
        }
    }
    return 0
}

/// main (SwiftPM defines main as fuzz_regex_main): libFuzzer's driver.
@_cdecl("fuzz_regex_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    gb_fuzz_run_driver(argc, argv)
}
