/// The GB_VALUE_* types of growthbook.h, value for value (Tests/c/test_abi_constants.c checks them
/// through the library, bindings/python/tests/test_abi_constants.py against the header).
enum ValueType: Int32 {
    case null = 0
    case `false` = 1
    case `true` = 2
    case int = 3
    case double = 4
    case string = 5
    case array = 6
    case object = 7
}
