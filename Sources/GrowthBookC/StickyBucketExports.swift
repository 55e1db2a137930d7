#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import GrowthBookRedis

public typealias StickyGetFn = @convention(c) (
    UnsafePointer<CChar>?, UnsafePointer<CChar>?, OpaquePointer?, UnsafeMutableRawPointer?
) -> Int32
public typealias StickySaveFn = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Int32

/// What a `gb_buffer *` names (through `LiveTokens`, live only while the callback it was given
/// to runs): the doc a sticky-bucket get callback hands back. Written only under the
/// table's lock while registered, read after it is unregistered.
final class DocBuffer: @unchecked Sendable {
    var json: JSON? = nil
}

/// A sticky bucket service implemented by the host's C callbacks.
final class HostStickyBucketService: StickyBucketService, @unchecked Sendable {
    let get: StickyGetFn
    let save: StickySaveFn
    let userData: UserData
    /// The handle's gate: neither callback runs once gb_free of the handle returned.
    let gate: CallbackGate

    init(get: @escaping StickyGetFn, save: @escaping StickySaveFn, userData: UserData, gate: CallbackGate) {
        self.get = get
        self.save = save
        self.userData = userData
        self.gate = gate
    }

    func assignments(attributeName: String, attributeValue: String) -> JSONObject? {
        let buffer = DocBuffer()
        var rc: Int32 = 1  // not called (the handle is being freed): no doc
        gate.run {
            rc = LiveTokens.withRegistered(buffer) { b -> Int32 in
                withCString(attributeName) { n in withCString(attributeValue) { v in get(n, v, b, userData.raw) } }
            }
        }
        guard rc == 0 else { return nil }
        return buffer.json?.objectValue
    }

    func saveAssignments(_ doc: JSONObject) {
        gate.run { _ = withCString(JSON.object(doc).serialized) { save($0, userData.raw) } }
    }
}

@_cdecl("gb_buffer_set")
public func gb_buffer_set(_ p: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        guard let p else { throw CallError(.invalidArgument, "buffer is NULL") }
        let notLive = CallError(.invalidArgument, "buffer is not the buffer of a running sticky bucket callback")
        // Checked before and after parsing: a dead buffer fails as such whatever the JSON.
        guard LiveTokens.withLive(p, as: DocBuffer.self, { _ in true }) == true else { throw notLive }
        let doc = try CInput.json(json, "json")
        guard case .object = doc else { throw CallError(.type, "json must be a JSON object (an assignment doc)") }
        guard LiveTokens.withLive(p, as: DocBuffer.self, { $0.json = doc }) != nil else { throw notLive }
        return ErrorCode.ok.rawValue
    }
}

@_cdecl("gb_set_sticky_bucket_service")
public func gb_set_sticky_bucket_service(
    _ p: OpaquePointer?, _ get: StickyGetFn?, _ save: StickySaveFn?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            switch (get, save) {
            case (nil, nil):
                h.gb.setStickyBucketService(nil, identifierAttributes: h.gb.state.stickyIdentifierAttributes)
            case (let get?, let save?):
                h.gb.setStickyBucketService(
                    HostStickyBucketService(get: get, save: save, userData: UserData(raw: userData), gate: h.gate),
                    identifierAttributes: h.gb.state.stickyIdentifierAttributes)
            default:
                throw CallError(.invalidArgument, "get and save must both be set, or both NULL")
            }
            return ErrorCode.ok.rawValue
        }
    }
}

@_cdecl("gb_use_in_memory_sticky_bucket_service")
public func gb_use_in_memory_sticky_bucket_service(_ p: OpaquePointer?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            h.gb.setStickyBucketService(
                InMemoryStickyBucketService(), identifierAttributes: h.gb.state.stickyIdentifierAttributes)
            return ErrorCode.ok.rawValue
        }
    }
}

@_cdecl("gb_get_sticky_bucket_docs_json")
public func gb_get_sticky_bucket_docs_json(_ p: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let s = h.gb.state
            if let memory = s.stickyService as? InMemoryStickyBucketService {
                return JSON.object(memory.allDocs).serialized
            }
            var o = JSONObject()
            for (k, v) in (s.stickyDocs?.snapshot ?? [:]).sorted(by: { $0.key < $1.key }) { o[k] = .object(v) }
            return JSON.object(o).serialized
        }
    }
}

@_cdecl("gb_refresh_sticky_buckets")
public func gb_refresh_sticky_buckets(_ p: OpaquePointer?, _ force: Int32) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            h.gb.refreshStickyBuckets(force: force != 0)
            return ErrorCode.ok.rawValue
        }
    }
}

/// The Redis sticky bucket service named by a `stickyBucketing` object
/// (`{"redis": URL, "prefix", "ttl", "timeout"}`), logging through `gb`'s log sink.
func redisStickyBucketService(_ o: JSONObject, for gb: GrowthBook, _ name: StaticString) throws(CallError)
    -> RedisStickyBucketService
{
    do {
        let options = try RedisStickyBucketService.Options(options: o)
        return RedisStickyBucketService(options) { [weak gb] level, message in gb?.log(level, message) }
    } catch {
        throw CallError(.invalidArgument, "\(name): \(error.message)")
    }
}

/// gb_create's `"stickyBucketing": {"redis": ...}`: the core leaves an object to this layer.
func installStickyBucketStore(from options: JSON, into gb: GrowthBook) throws(CallError) {
    guard case .object(let o)? = options.objectValue?["stickyBucketing"] else { return }
    let service = try redisStickyBucketService(o, for: gb, "options_json: stickyBucketing")
    gb.setStickyBucketService(service, identifierAttributes: gb.state.stickyIdentifierAttributes)
}

@_cdecl("gb_use_redis_sticky_bucket_service")
public func gb_use_redis_sticky_bucket_service(_ p: OpaquePointer?, _ options: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let o = try CInput.object(options, "options_json")
            let service = try redisStickyBucketService(o, for: h.gb, "options_json")
            h.gb.setStickyBucketService(service, identifierAttributes: h.gb.state.stickyIdentifierAttributes)
            return ErrorCode.ok.rawValue
        }
    }
}

@_cdecl("gb_sticky_bucket_doc_json")
public func gb_sticky_bucket_doc_json(
    _ p: OpaquePointer?, _ attributeName: UnsafePointer<CChar>?, _ attributeValue: UnsafePointer<CChar>?
) -> UnsafeMutablePointer<CChar>? {
    returningString { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let name = try CInput.string(attributeName, "attribute_name")
            let value = try CInput.string(attributeValue, "attribute_value")
            guard let service = h.gb.state.stickyService else {
                throw CallError(.invalidArgument, "the handle has no sticky bucket service")
            }
            guard let doc = service.assignments(attributeName: name, attributeValue: value) else { return "null" }
            return JSON.object(doc).serialized
        }
    }
}

@_cdecl("gb_save_sticky_bucket_doc")
public func gb_save_sticky_bucket_doc(_ p: OpaquePointer?, _ docJSON: UnsafePointer<CChar>?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            let doc = try CInput.object(docJSON, "doc_json")
            guard doc["attributeName"]?.stringValue != nil, doc["attributeValue"]?.stringValue != nil,
                case .object? = doc["assignments"]
            else {
                throw CallError(
                    .type, "doc_json must be {\"attributeName\": string, \"attributeValue\": string, \"assignments\": object}")
            }
            guard let service = h.gb.state.stickyService else {
                throw CallError(.invalidArgument, "the handle has no sticky bucket service")
            }
            service.saveAssignments([doc])
            return ErrorCode.ok.rawValue
        }
    }
}
