import GrowthBookCore

/// The GB_LOG_* levels of growthbook.h, value for value (Tests/c/test_abi_constants.c checks them
/// through the library, bindings/python/tests/test_abi_constants.py against the header).
enum LogLevelCode: Int32 {
    case debug = 10
    case info = 20
    case warning = 30
    case error = 40

    init(_ level: LogLevel) {
        switch level {
        case .debug: self = .debug
        case .info: self = .info
        case .warning: self = .warning
        case .error: self = .error
        }
    }

    /// The lowest level at or above a host's `min_level` (any int): the threshold it selects.
    static func threshold(_ minLevel: Int32) -> LogLevel {
        minLevel <= debug.rawValue
            ? .debug : minLevel <= info.rawValue ? .info : minLevel <= warning.rawValue ? .warning : .error
    }
}
