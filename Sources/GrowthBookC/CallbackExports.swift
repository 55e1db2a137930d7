import GrowthBookCore
import Synchronization

// Host callbacks: tracking, subscriptions, logging. Each C function pointer and its user_data
// become a Swift closure; the core calls them with no lock held. Every closure calls the host
// through the handle's CallbackGate, so none runs after gb_free of the handle returned.

public typealias ExperimentFn = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void
public typealias LogFn = @convention(c) (Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void

func experimentCallback(_ fn: @escaping ExperimentFn, _ userData: UserData, _ gate: CallbackGate)
    -> GrowthBook.ExperimentCallback
{
    { experiment, result in
        gate.run { callExperimentFn(fn, userData, experiment, result) }
    }
}

/// Hands the experiment and result to the host as NUL-terminated JSON texts.
private func callExperimentFn(
    _ fn: ExperimentFn, _ userData: UserData, _ experiment: Experiment, _ result: ExperimentResult
) {
    var e = TextBuffer()
    e.append(experiment.serialized)
    e.append(0)
    var r = TextBuffer()
    result.write(to: &r)
    r.append(0)
    e.withBytes { ep in
        r.withBytes { rp in
            ep.withMemoryRebound(to: CChar.self) { ec in
                rp.withMemoryRebound(to: CChar.self) { rc in fn(ec.baseAddress, rc.baseAddress, userData.raw) }
            }
        }
    }
}

@_cdecl("gb_set_tracking_callback")
public func gb_set_tracking_callback(_ p: OpaquePointer?, _ fn: ExperimentFn?, _ userData: UnsafeMutableRawPointer?)
    -> Int32
{
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            h.gb.setTrackingCallback(fn.map { experimentCallback($0, UserData(raw: userData), h.gate) })
            return ErrorCode.ok.rawValue
        }
    }
}

@_cdecl("gb_subscribe")
public func gb_subscribe(_ p: OpaquePointer?, _ fn: ExperimentFn?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            guard let fn else { throw CallError(.invalidArgument, "fn is NULL") }
            let id = h.gb.subscribe(experimentCallback(fn, UserData(raw: userData), h.gate))
            return Int32(truncatingIfNeeded: id)
        }
    }
}

@_cdecl("gb_unsubscribe")
public func gb_unsubscribe(_ p: OpaquePointer?, _ id: Int32) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            guard h.gb.unsubscribe(Int(id)) else { throw CallError(.notFound, "no subscription with id \(id)") }
            return ErrorCode.ok.rawValue
        }
    }
}

@_cdecl("gb_set_log_callback")
public func gb_set_log_callback(
    _ p: OpaquePointer?, _ fn: LogFn?, _ minLevel: Int32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            h.gb.setLogCallback(
                fn.map { logCallback($0, UserData(raw: userData), h.gate) }, level: LogLevelCode.threshold(minLevel))
            return ErrorCode.ok.rawValue
        }
    }
}

func logCallback(_ fn: @escaping LogFn, _ userData: UserData, _ gate: CallbackGate) -> GrowthBook.LogCallback {
    { level, message in
        gate.run { withCString(message) { fn(LogLevelCode(level).rawValue, $0, userData.raw) } }
    }
}

/// The gate of the process-wide log callback (see gb_set_default_log_callback), closed when
/// the callback is replaced.
private let defaultLogGate = Mutex<CallbackGate?>(nil)

@_cdecl("gb_set_default_log_callback")
public func gb_set_default_log_callback(_ fn: LogFn?, _ minLevel: Int32, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    let gate = CallbackGate()
    let callback = fn.map { logCallback($0, UserData(raw: userData), gate) }
    // Installs are serialized, so gates are closed in the order their callbacks were replaced.
    let old = defaultLogGate.withLock { current -> CallbackGate? in
        DefaultLogSink.set(callback, level: LogLevelCode.threshold(minLevel))
        let old = current
        current = callback == nil ? nil : gate
        return old
    }
    // Once this returns the replaced callback is not running and will not run (a call on this
    // thread, from inside it, excepted).
    old?.close()
    return ErrorCode.ok.rawValue
}
