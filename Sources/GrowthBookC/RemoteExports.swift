#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import GrowthBookRemote

// Remote features: loading, the process-wide cache, decryption and the host HTTP transport.

@_cdecl("gb_load_features")
public func gb_load_features(_ p: OpaquePointer?) -> Int32 {
    returningCode { () throws(CallError) in
        try withHandle(p) { h throws(CallError) in
            do throws(RemoteError) {
                try RemoteLoader.load(h.remote, into: h.gb)
            } catch {
                h.gb.log(.warning, "Failed to load features: \(error)")
                throw CallError(error)
            }
            return ErrorCode.ok.rawValue
        }
    }
}

@_cdecl("gb_decrypt")
public func gb_decrypt(_ encrypted: UnsafePointer<CChar>?, _ key: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    // The encrypted text is read where the host keeps it, and the plain text copied once into
    // the string returned: the peak is about twice the plain text beyond the host's input.
    do throws(CallError) {
        let e = try CInput.bytes(encrypted, "encrypted")
        let k = try CInput.string(key, "key")
        let plain: [UInt8]
        do throws(RemoteError) {
            plain = try decryptPayload(utf8: e, key: k)
        } catch {
            throw CallError(error)
        }
        return try makeCString(bytes: plain)
    } catch {
        LastError.set(error)
        return nil
    }
}

@_cdecl("gb_clear_cache")
public func gb_clear_cache() {
    RemoteLoader.clearCache()
}

public typealias HTTPFn = @convention(c) (
    UnsafePointer<CChar>?, UnsafePointer<CChar>?, OpaquePointer?, UnsafeMutableRawPointer?
) -> Int32

/// What a `gb_http_response *` names (through `LiveTokens`, live only while the transport
/// callback it was given to runs) while a host transport fills it in. Written only under the
/// table's lock while registered, read after it is unregistered.
final class ResponseBuilder: @unchecked Sendable {
    var status = 0
    var headers: [String: String] = [:]
    var body: [UInt8] = []
}

/// HTTP through the host's callback.
final class HostHTTPTransport: HTTPTransport, @unchecked Sendable {
    let fn: HTTPFn
    let userData: UserData

    init(fn: @escaping HTTPFn, userData: UserData) {
        self.fn = fn
        self.userData = userData
    }

    func get(url: String, headers: [(String, String)], timeout: Double) -> Result<HTTPResponse, RemoteError> {
        var h = JSONObject()
        for (k, v) in headers { h[k] = .string(v) }
        let builder = ResponseBuilder()
        let rc = LiveTokens.withRegistered(builder) { r -> Int32 in
            withCString(url) { u in withCString(JSON.object(h).serialized) { hs in fn(u, hs, r, userData.raw) } }
        }
        guard rc == 0 else { return .failure(RemoteError(.network, "the host HTTP transport failed for \(url) (\(rc))")) }
        guard builder.status > 0 else {
            return .failure(RemoteError(.network, "the host HTTP transport gave no status for \(url)"))
        }
        return .success(HTTPResponse(status: builder.status, headers: builder.headers, body: builder.body))
    }
}

@_cdecl("gb_set_http_transport")
public func gb_set_http_transport(_ fn: HTTPFn?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    HTTPTransports.setCustom(fn.map { HostHTTPTransport(fn: $0, userData: UserData(raw: userData)) })
    return ErrorCode.ok.rawValue
}

/// Runs `body` on the response `p` names, if it is live (under `LiveTokens`' lock: keep it to
/// assignments).
func withResponse(_ p: OpaquePointer?, _ body: (ResponseBuilder) -> Void) throws(CallError) {
    guard let p else { throw CallError(.invalidArgument, "response is NULL") }
    guard LiveTokens.withLive(p, as: ResponseBuilder.self, body) != nil else {
        throw CallError(.invalidArgument, "response is not the response of a running transport callback")
    }
}

@_cdecl("gb_http_response_set_status")
public func gb_http_response_set_status(_ p: OpaquePointer?, _ status: Int32) -> Int32 {
    returningCode { () throws(CallError) in
        guard status >= 100 && status <= 999 else { throw CallError(.invalidArgument, "status \(status) is not an HTTP status") }
        try withResponse(p) { r in r.status = Int(status) }
        return ErrorCode.ok.rawValue
    }
}

@_cdecl("gb_http_response_set_header")
public func gb_http_response_set_header(_ p: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?)
    -> Int32
{
    returningCode { () throws(CallError) in
        let n = try CInput.string(name, "name")
        let v = try CInput.string(value, "value")
        let name = n.lowercased()
        try withResponse(p) { r in r.headers[name] = v }
        return ErrorCode.ok.rawValue
    }
}

@_cdecl("gb_http_response_set_body")
public func gb_http_response_set_body(_ p: OpaquePointer?, _ body: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
    returningCode { () throws(CallError) in
        guard length >= 0 else { throw CallError(.invalidArgument, "length is negative") }
        guard length == 0 || body != nil else { throw CallError(.invalidArgument, "body is NULL") }
        let bytes: [UInt8] =
            length == 0 ? [] : Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(body), count: length))
        try withResponse(p) { r in r.body = bytes }
        return ErrorCode.ok.rawValue
    }
}
