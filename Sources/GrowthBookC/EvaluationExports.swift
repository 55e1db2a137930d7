import GrowthBookCore

// Feature evaluation and inline experiments.

/// Appends the full result of the feature named by a C string as JSON.
@inline(__always)
func writeResult(
    _ h: Handle, _ cache: Unmanaged<StateCache>, _ key: UnsafePointer<CChar>?, attributes: JSON?,
    to out: inout [UInt8]
) throws(CallError) {
    let found = try lookUp(h, cache, key) { state, bytes -> Bool? in
        h.gb.writeFeatureResult(keyBytes: bytes, attributes: attributes, in: state, to: &out) ? true : nil
    }
    if found == nil { h.gb.unknownFeature(try CInput.string(key, "feature_key")).write(to: &out) }
}

/// Runs `body` with this thread's state of the handle and the key's bytes; nil when no feature
/// has that key (then the key is checked for UTF-8, so a malformed one is an error).
@inline(__always)
func lookUp<R>(
    _ h: Handle, _ cache: Unmanaged<StateCache>, _ key: UnsafePointer<CChar>?,
    _ body: (GrowthBook.State, UnsafeBufferPointer<UInt8>) -> R?
) throws(CallError) -> R? {
    let bytes = try CInput.unvalidatedBytes(key, "feature_key")
    if let found = try StateCache.withState(of: h, cache: cache, { state throws(CallError) in body(state, bytes) }) {
        return found
    }
    _ = try CInput.string(key, "feature_key")
    return nil
}

/// gb_is_on and gb_is_off: 1 when the feature's truthiness equals `on`.
@inline(__always)
func isOn(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, attributes: OpaquePointer?, on: Bool) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h, cache throws(CallError) in
            let attrs: JSON? = attributes == nil ? nil : try withAttributes(attributes) { a throws(CallError) in a }
            if let value = try lookUp(h, cache, key, { state, bytes in
                h.gb.isOn(keyBytes: bytes, attributes: attrs, in: state)
            }) {
                return value == on ? 1 : 0
            }
            _ = h.gb.unknownFeature(try CInput.string(key, "feature_key"))
            return on ? 0 : 1
        }
    }
}

@_cdecl("gb_is_on")
public func gb_is_on(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> Int32 {
    isOn(p, key, attributes: nil, on: true)
}

@_cdecl("gb_is_off")
public func gb_is_off(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> Int32 {
    isOn(p, key, attributes: nil, on: false)
}

@_cdecl("gb_eval_feature_json")
public func gb_eval_feature_json(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    returningText { (out: inout [UInt8]) throws(CallError) in
        try withHandle(p) { h, cache throws(CallError) in try writeResult(h, cache, key, attributes: nil, to: &out) }
    }
}

@_cdecl("gb_get_feature_value_json")
public func gb_get_feature_value_json(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h, cache throws(CallError) in
            var noResult: [UInt8] = []
            let found = try lookUp(h, cache, key) { state, bytes in
                h.gb.evaluateValue(keyBytes: bytes, attributes: nil, in: state, writingResult: false, to: &noResult)
            }
            if let found { return found.value.serialized }
            return h.gb.unknownFeature(try CInput.string(key, "feature_key")).value.serialized
        }
    }
}

@_cdecl("gb_is_on_with")
public func gb_is_on_with(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ attrs: OpaquePointer?) -> Int32 {
    guard attrs != nil else {
        LastError.set(CallError(.invalidArgument, "attributes is NULL"))
        return ErrorCode.invalidArgument.rawValue
    }
    return isOn(p, key, attributes: attrs, on: true)
}

@_cdecl("gb_eval_feature_with")
public func gb_eval_feature_with(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ attrs: OpaquePointer?)
    -> UnsafeMutablePointer<CChar>?
{
    returningText { (out: inout [UInt8]) throws(CallError) in
        try withHandle(p) { h, cache throws(CallError) in
            try withAttributes(attrs) { a throws(CallError) in try writeResult(h, cache, key, attributes: a, to: &out) }
        }
    }
}

@_cdecl("gb_eval_feature_with_attributes_json")
public func gb_eval_feature_with_attributes_json(
    _ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ json: UnsafePointer<CChar>?
) -> UnsafeMutablePointer<CChar>? {
    returningText { (out: inout [UInt8]) throws(CallError) in
        try withHandle(p) { h, cache throws(CallError) in
            let attributes = try CInput.object(json, "attributes_json")
            try writeResult(h, cache, key, attributes: .object(attributes), to: &out)
        }
    }
}

/// Runs an inline experiment with an optional C include callback.
func runExperiment(
    _ p: OpaquePointer?, _ json: UnsafePointer<CChar>?, include: IncludeFn?, userData: UnsafeMutableRawPointer?
) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let definition = try CInput.object(json, "experiment_json")
            guard definition["key"]?.stringValue != nil, definition["variations"]?.arrayValue != nil else {
                throw CallError(
                    .type, "experiment_json must have a string \"key\" and an array \"variations\"")
            }
            let experiment = h.gb.experiment(definition)
            var includeClosure: (() -> Bool?)? = nil
            if let include {
                includeClosure = {
                    let r = withCString(experiment.key) { include($0, userData) }
                    return r < 0 ? nil : r != 0
                }
            }
            var out: [UInt8] = []
            h.gb.run(experiment, include: includeClosure).write(to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }
}

public typealias IncludeFn = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Int32

@_cdecl("gb_run_experiment_json")
public func gb_run_experiment_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    runExperiment(p, json, include: nil, userData: nil)
}

@_cdecl("gb_run_experiment_with_include_json")
public func gb_run_experiment_with_include_json(
    _ p: OpaquePointer?, _ json: UnsafePointer<CChar>?, _ include: IncludeFn?, _ userData: UnsafeMutableRawPointer?
) -> UnsafeMutablePointer<CChar>? {
    runExperiment(p, json, include: include, userData: userData)
}

@_cdecl("gb_get_all_results_json")
public func gb_get_all_results_json(_ p: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            var o = JSONObject()
            for r in h.gb.allResults {
                o[r.key] = .object(["experiment": r.experiment.json, "result": r.result.json])
            }
            return JSON.object(o).serialized
        }
    }
}
