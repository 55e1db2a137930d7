import GrowthBookCore

// Setters and getters of a handle's state. Each setter parses and compiles first, then swaps
// the new state in whole; on failure nothing changes.

@_cdecl("gb_set_features_json")
public func gb_set_features_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let features = try CInput.object(json, "features_json")
            h.gb.setFeatures(features)
            return 0
        }
    }
}

@_cdecl("gb_set_saved_groups_json")
public func gb_set_saved_groups_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let groups = try CInput.object(json, "saved_groups_json")
            h.gb.setSavedGroups(groups)
            return 0
        }
    }
}

@_cdecl("gb_set_attributes_json")
public func gb_set_attributes_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let attributes = try CInput.object(json, "attributes_json")
            h.gb.setAttributes(attributes)
            return 0
        }
    }
}

@_cdecl("gb_set_forced_variations_json")
public func gb_set_forced_variations_json(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let forced = try CInput.object(json, "forced_json")
            for (k, v) in forced.pairs where v.intValue == nil && !v.isNull {
                throw CallError(.type, "forced_json: the forced variation of \"\(k)\" must be an integer index")
            }
            h.gb.updateSettings { $0.forcedVariations = forced }
            return 0
        }
    }
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
        try withHandle(p) { h throws(CallError) in h.gb.state.attributes.serialized }
    }
}

@_cdecl("gb_get_features_json")
public func gb_get_features_json(_ p: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in h.gb.state.features.json.serialized }
    }
}
