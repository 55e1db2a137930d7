import Synchronization

/// The process-wide log sink (`gb_set_default_log_callback`): where a handle without a log
/// callback of its own sends its messages. A host whose handles all log to one place (a
/// binding's logger) installs it once instead of on every handle; a handle made per request
/// then costs no callback setup and no state rebuilt for it.
///
/// Evaluations test whether a message would be logged before writing it, as with a handle's
/// own sink; for this one that is one relaxed atomic load of `threshold`.
public enum DefaultLogSink {
    private static let sink = Mutex<(callback: GrowthBook.LogCallback?, level: LogLevel)>((nil, .error))

    /// The lowest level logged (a `LogLevel` raw value), `Int.max` when there is no sink.
    static let threshold = Atomic<Int>(Int.max)

    /// Installs `callback` for messages at `level` and above (nil: none); returns the one it
    /// replaced.
    @discardableResult
    public static func set(_ callback: GrowthBook.LogCallback?, level: LogLevel) -> GrowthBook.LogCallback? {
        sink.withLock { s in
            let old = s.callback
            s = (callback, level)
            threshold.store(callback == nil ? Int.max : level.rawValue, ordering: .relaxed)
            return old
        }
    }

    @inline(__always)
    static func logs(_ level: LogLevel) -> Bool { level.rawValue >= threshold.load(ordering: .relaxed) }

    /// Sends a message to the sink, if one is set at this level (called with no lock held).
    static func log(_ level: LogLevel, _ message: String) {
        let callback = sink.withLock { s in level >= s.level ? s.callback : nil }
        callback?(level, message)
    }
}
