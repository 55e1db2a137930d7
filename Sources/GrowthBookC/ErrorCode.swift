/// The GB_OK and GB_ERR_* result codes of growthbook.h, value for value (Tests/c/test_abi_constants.c
/// checks them through the library, bindings/python/tests/test_abi_constants.py against the header).
enum ErrorCode: Int32 {
    case ok = 0
    case invalidArgument = -1
    case utf8 = -2
    case json = -3
    case type = -4
    case notFound = -5
    case callback = -6
    case network = -7
    case http = -8
    case decrypt = -9
    case noMemory = -10
    case busy = -11
    case internalError = -99
}
