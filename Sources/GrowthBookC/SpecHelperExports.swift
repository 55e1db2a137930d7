import GrowthBookCore
import GrowthBookRegex

// The spec's building blocks as pure functions, so C and Python tests can run every fixture
// category through the shared library.

@_cdecl("gb_eval_condition_json")
public func gb_eval_condition_json(
    _ condition: UnsafePointer<CChar>?, _ attributes: UnsafePointer<CChar>?, _ savedGroups: UnsafePointer<CChar>?
) -> Int32 {
    gb_eval_condition_semantics_json(nil, condition, attributes, savedGroups)
}

@_cdecl("gb_eval_condition_semantics_json")
public func gb_eval_condition_semantics_json(
    _ semantics: UnsafePointer<CChar>?, _ condition: UnsafePointer<CChar>?, _ attributes: UnsafePointer<CChar>?,
    _ savedGroups: UnsafePointer<CChar>?
) -> Int32 {
    ensureLibraryInitialized()  // the condition's patterns compile here, with no handle
    // A call of its own has a regex budget of its own (inside a callback of a handle's call,
    // it shares that call's), left full for the next call.
    let nested = CallScope.current._withUnsafeGuaranteedRef { $0.callDepth > 0 }
    if !nested { RegexBudget.refill() }
    defer { if !nested { RegexBudget.refill() } }
    return returningCode { () throws(CallError) in
        var rules = Semantics.default
        if semantics != nil {
            let name = try CInput.string(semantics, "semantics")
            do throws(GrowthBookError) {
                rules = try Semantics.named(name)
            } catch {
                throw CallError(error, context: "semantics")
            }
        }
        let c = try CInput.object(condition, "condition_json")
        let a = try CInput.object(attributes, "attributes_json")
        let g = savedGroups == nil ? nil : try CInput.object(savedGroups, "saved_groups_json")
        return Condition(.object(c), savedGroups: g, semantics: rules).evaluate(.object(a)) ? 1 : 0
    }
}

@_cdecl("gb_hash")
public func gb_hash(
    _ seed: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?, _ version: Int32, _ out: UnsafeMutablePointer<Double>?
) -> Int32 {
    returningCode { () throws(CallError) in
        let s = try CInput.string(seed, "seed")
        let v = try CInput.string(value, "value")
        guard let out else { throw CallError(.invalidArgument, "out is NULL") }
        guard let n = gbHash(seed: s, value: v, version: Int(version)) else { return 0 }
        out.pointee = n
        return 1
    }
}

@_cdecl("gb_get_bucket_ranges_json")
public func gb_get_bucket_ranges_json(_ count: Int32, _ coverage: Double, _ weights: UnsafePointer<CChar>?)
    -> UnsafeMutablePointer<CChar>?
{
    returningString { () throws(CallError) in
        guard count >= 0, count <= 100_000 else {
            throw CallError(.invalidArgument, "num_variations must be between 0 and 100000")
        }
        var w: [Double]? = nil
        if weights != nil {
            let json = try CInput.json(weights, "weights_json")
            if !json.isNull {
                guard case .array(let items) = json else { throw CallError(.type, "weights_json must be an array") }
                let numbers = items.compactMap { $0.doubleValue }
                guard numbers.count == items.count else {
                    throw CallError(.type, "weights_json must be an array of numbers")
                }
                w = numbers
            }
        }
        let ranges = bucketRanges(count: Int(count), coverage: coverage, weights: w)
        return JSON.array(ranges.map { $0.json }).serialized
    }
}

@_cdecl("gb_choose_variation")
public func gb_choose_variation(_ n: Double, _ ranges: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Int32>?)
    -> Int32
{
    returningCode { () throws(CallError) in
        guard case .array(let items) = try CInput.json(ranges, "ranges_json") else {
            throw CallError(.type, "ranges_json must be an array of [start, end] pairs")
        }
        let r = items.compactMap { BucketRange(json: $0) }
        guard r.count == items.count else { throw CallError(.type, "ranges_json must be an array of [start, end] pairs") }
        guard let out else { throw CallError(.invalidArgument, "out is NULL") }
        out.pointee = Int32(truncatingIfNeeded: chooseVariation(n, ranges: r))
        return ErrorCode.ok.rawValue
    }
}

@_cdecl("gb_in_namespace")
public func gb_in_namespace(_ userId: UnsafePointer<CChar>?, _ namespace: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        let id = try CInput.string(userId, "user_id")
        guard let ns = Namespace(json: try CInput.json(namespace, "namespace_json")) else {
            throw CallError(.type, "namespace_json must be [\"id\", start, end]")
        }
        return ns.contains(userId: id) ? 1 : 0
    }
}

@_cdecl("gb_get_equal_weights_json")
public func gb_get_equal_weights_json(_ count: Int32) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        guard count <= 100_000 else { throw CallError(.invalidArgument, "num_variations must be at most 100000") }
        return JSON.array(equalWeights(Int(count)).map { .double($0) }).serialized
    }
}

@_cdecl("gb_get_query_string_override")
public func gb_get_query_string_override(
    _ id: UnsafePointer<CChar>?, _ url: UnsafePointer<CChar>?, _ count: Int32, _ out: UnsafeMutablePointer<Int32>?
) -> Int32 {
    returningCode { () throws(CallError) in
        let i = try CInput.string(id, "id")
        let u = try CInput.string(url, "url")
        guard let out else { throw CallError(.invalidArgument, "out is NULL") }
        guard let v = queryStringOverride(id: i, url: u, variationCount: Int(count)) else { return 0 }
        out.pointee = Int32(truncatingIfNeeded: v)
        return 1
    }
}

@_cdecl("gb_padded_version_string")
public func gb_padded_version_string(_ version: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in PaddedVersion(try CInput.string(version, "version")).string }
}
