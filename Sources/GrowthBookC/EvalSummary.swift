/// The summary a typed evaluation returns: the GB_SUMMARY_* fields of growthbook.h, value for
/// value (Tests/c/test_abi_constants.c checks them through the library,
/// bindings/python/tests/test_abi_constants.py against the header).
enum EvalSummary {
    static let typeMask: Int32 = 0xF
    static let sourceShift: Int32 = 4
    static let sourceMask: Int32 = 0xF
    static let on: Int32 = 0x100

    static func make(_ type: ValueType, _ source: SourceCode, on: Bool) -> Int32 {
        type.rawValue | source.rawValue << sourceShift | (on ? Self.on : 0)
    }
}
