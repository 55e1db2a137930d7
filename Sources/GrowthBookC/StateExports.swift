import GrowthBookCore

// Setters and getters of a handle's state. Each setter parses and compiles first, then swaps
// the new state in whole; on failure nothing changes.

/// The shape of every `gb_set_*_json` call: parse a JSON object argument, then apply it.
private func setObject(
    _ p: OpaquePointer?, _ json: UnsafePointer<CChar>?, _ name: StaticString,
    _ apply: (GrowthBook, JSONObject) throws(CallError) -> Void
) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            try apply(h.gb, try CInput.object(json, name))
            return 0
        }
    }
}

@_cdecl("gb_set_features_json")
public func gb_set_features_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let b = try CInput.bytes(json, "features_json")
            let isObject: Bool
            do throws(JSONError) {
                isObject = try h.gb.setFeatures(text: b)
            } catch {
                throw CallError(error.kind == .invalidUTF8 ? .utf8 : .json, "features_json: \(error)")
            }
            guard isObject else { throw CallError(.type, "features_json must be a JSON object") }
            return 0
        }
    }
}

@_cdecl("gb_set_features_from")
public func gb_set_features_from(_ p: OpaquePointer?, _ source: OpaquePointer?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let snapshot = try withHandle(source) { s throws(CallError) in s.gb.state.snapshot }
            guard snapshot.semantics == h.gb.semantics else {
                throw CallError(
                    .invalidArgument,
                    "source's features are compiled for semantics \"\(snapshot.semantics.name)\", "
                        + "gb's are \"\(h.gb.semantics.name)\"")
            }
            h.gb.setFeatures(snapshot)
            return 0
        }
    }
}

@_cdecl("gb_set_saved_groups_json")
public func gb_set_saved_groups_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    setObject(p, json, "saved_groups_json") { gb, groups throws(CallError) in gb.setSavedGroups(groups) }
}

@_cdecl("gb_set_attributes_json")
public func gb_set_attributes_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            h.gb.setAttributes(try CInput.attributes(json, "attributes_json"))
            return 0
        }
    }
}

@_cdecl("gb_set_attributes")
public func gb_set_attributes(_ p: OpaquePointer?, _ attributes: OpaquePointer?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            try withAttributes(attributes) { a throws(CallError) in h.gb.setAttributes(a) }
            return 0
        }
    }
}

@_cdecl("gb_set_forced_variations_json")
public func gb_set_forced_variations_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    setObject(p, json, "forced_json") { gb, forced throws(CallError) in
        do throws(GrowthBookError) {
            try gb.setForcedVariations(forced)
        } catch {
            throw CallError(error, context: "forced_json")
        }
    }
}

@_cdecl("gb_set_overrides_json")
public func gb_set_overrides_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    setObject(p, json, "overrides_json") { gb, overrides throws(CallError) in gb.setOverrides(overrides) }
}

@_cdecl("gb_set_url")
public func gb_set_url(_ p: OpaquePointer?, _ url: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let s = try CInput.string(url, "url")
            h.gb.updateSettings { $0.url = s }
            return 0
        }
    }
}

@_cdecl("gb_set_qa_mode")
public func gb_set_qa_mode(_ p: OpaquePointer?, _ on: Int32) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            h.gb.updateSettings { $0.qaMode = on != 0 }
            return 0
        }
    }
}

@_cdecl("gb_set_enabled")
public func gb_set_enabled(_ p: OpaquePointer?, _ on: Int32) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            h.gb.updateSettings { $0.enabled = on != 0 }
            return 0
        }
    }
}

@_cdecl("gb_get_attributes_json")
public func gb_get_attributes_json(_ p: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in h.gb.state.attributes.json.serialized }
    }
}

@_cdecl("gb_get_features_json")
public func gb_get_features_json(_ p: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in h.gb.state.snapshot.json.serialized }
    }
}
