import GrowthBookCore

// Feature evaluation and inline experiments. Each export decodes its arguments, makes one call
// to the core's `GrowthBook.evaluate` and encodes what the outcome says.

/// Evaluates the feature named by a C string on the handle, for its attributes or the given
/// ones, and hands the outcome to `body` (the core logs unknown keys and rejects keys that are
/// not UTF-8).
@inline(__always)
func evaluate(
    _ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, attributes: Attributes?, _ body: (borrowing FeatureOutcome) -> Void
) throws(CallError) {
    try withHandle(p) { h, stripe throws(CallError) in try evaluate(h, key, attributes: attributes, stripe: stripe, body) }
}

@inline(__always)
func evaluate(
    _ h: Handle, _ key: UnsafePointer<CChar>?, attributes: Attributes?, stripe: Int? = nil,
    _ body: (borrowing FeatureOutcome) -> Void
) throws(CallError) {
    let bytes = try CInput.unvalidatedBytes(key, "feature_key")
    do throws(GrowthBookError) {
        try h.gb.evaluate(key: bytes, attributes: attributes, stripe: stripe, body)
    } catch {
        throw CallError(error, context: "feature_key")
    }
}

/// The same with a `gb_attributes *` (NULL: the handle's attributes).
@inline(__always)
func evaluate(
    _ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, attributesHandle: OpaquePointer?,
    _ body: (borrowing FeatureOutcome) -> Void
) throws(CallError) {
    guard attributesHandle != nil else { return try evaluate(p, key, attributes: nil, body) }
    try withAttributes(attributesHandle) { a throws(CallError) in try evaluate(p, key, attributes: a, body) }
}

/// gb_is_on and gb_is_off: 1 when the feature's truthiness equals `on`.
@inline(__always)
func isOn(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, attributes: OpaquePointer?, on: Bool) -> Int32 {
    returningCode { () throws(CallError) in
        var answer: Int32 = 0
        try evaluate(p, key, attributesHandle: attributes) { answer = $0.isOn == on ? 1 : 0 }
        return answer
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
    returningText { (out: inout TextBuffer) throws(CallError) in
        try evaluate(p, key, attributes: nil) { $0.writeResult(to: &out) }
    }
}

@_cdecl("gb_get_feature_value_json")
public func gb_get_feature_value_json(_ p: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    returningText { (out: inout TextBuffer) throws(CallError) in
        try evaluate(p, key, attributes: nil) { $0.writeValue(to: &out) }
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
    returningText { (out: inout TextBuffer) throws(CallError) in
        try withAttributes(attrs) { a throws(CallError) in
            try evaluate(p, key, attributes: a) { $0.writeResult(to: &out) }
        }
    }
}

@_cdecl("gb_eval_feature_with_attributes_json")
public func gb_eval_feature_with_attributes_json(
    _ p: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ json: UnsafePointer<CChar>?
) -> UnsafeMutablePointer<CChar>? {
    returningText { (out: inout TextBuffer) throws(CallError) in
        try withHandle(p) { h, stripe throws(CallError) in
            let attributes = try CInput.attributes(json, "attributes_json")
            try evaluate(h, key, attributes: attributes, stripe: stripe) { $0.writeResult(to: &out) }
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
            let experiment: Experiment
            do throws(GrowthBookError) {
                experiment = try h.gb.checkedExperiment(definition)
            } catch {
                throw CallError(error, context: "experiment_json")
            }
            var includeClosure: (() -> Bool?)? = nil
            if let include {
                includeClosure = {
                    let r = withCString(experiment.key) { include($0, userData) }
                    return r < 0 ? nil : r != 0
                }
            }
            var out = TextBuffer()
            h.gb.run(experiment, include: includeClosure).write(to: &out)
            return out.string
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
