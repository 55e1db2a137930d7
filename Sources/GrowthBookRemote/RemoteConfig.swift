import GrowthBookCore

/// Where and how a handle loads its features: the remote options of `gb_create`.
public struct RemoteConfig: Sendable {
    public var apiHost = "https://cdn.growthbook.io"
    public var clientKey = ""
    public var decryptionKey = ""
    /// Seconds a cached payload is fresh.
    public var cacheTTL: Double = 60
    /// Seconds between background refreshes that update this handle; 0: none. At least
    /// `minimumRefreshInterval` (smaller positive values count as that).
    public var refreshInterval: Double = 0
    public static let minimumRefreshInterval: Double = 1
    /// Keep a server-sent-events connection and apply each update as it arrives.
    public var streaming = false
    /// Seconds for one whole request: at least `minimumTimeout` (libcurl reads a limit that
    /// rounds to 0 ms as none at all).
    public var timeout: Double = 10
    public static let minimumTimeout = 0.001
    /// A payload cache in Redis shared by a fleet (`"cache": {"redis": URL, "prefix",
    /// "timeout"}`), between the process-wide cache and the API; nil: none.
    var redisCache: RedisPayloadCache.Options? = nil

    public init() {}

    /// Reads apiHost, clientKey, decryptionKey, cacheTTL, refreshInterval, streaming, timeout
    /// and cache from an options object; other keys are someone else's.
    public init(options: JSON) throws(RemoteError) {
        guard case .object(let o) = options else { return }
        if let v = try Self.string(o, "apiHost"), !v.isEmpty {
            var host = Substring(v)
            while host.hasSuffix("/") { host = host.dropLast() }
            apiHost = String(host)
        }
        clientKey = try Self.string(o, "clientKey") ?? ""
        decryptionKey = try Self.string(o, "decryptionKey") ?? ""
        cacheTTL = try Self.seconds(o, "cacheTTL") ?? cacheTTL
        refreshInterval = try Self.seconds(o, "refreshInterval") ?? refreshInterval
        if refreshInterval > 0 { refreshInterval = max(refreshInterval, Self.minimumRefreshInterval) }
        timeout = try Self.seconds(o, "timeout") ?? timeout
        guard timeout >= Self.minimumTimeout else {
            throw RemoteError(
                .invalidArgument, "timeout must be at least 0.001 seconds (1 ms); there is no unlimited timeout")
        }
        if let v = o["streaming"], !v.isNull { streaming = v.isTruthy }
        if let v = o["cache"], !v.isNull {
            guard case .object(let c) = v else { throw RemoteError(.wrongType, "cache must be an object: {\"redis\": URL}") }
            redisCache = try RedisPayloadCache.Options(options: c)
        }
    }

    private static func string(_ o: JSONObject, _ name: String) throws(RemoteError) -> String? {
        guard let v = o[name], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw RemoteError(.wrongType, "\(name) must be a string") }
        return s
    }

    /// A number of seconds, clamped to a year so no timer arithmetic can overflow.
    private static func seconds(_ o: JSONObject, _ name: String) throws(RemoteError) -> Double? {
        guard let v = o[name], !v.isNull else { return nil }
        guard let d = v.doubleValue else { throw RemoteError(.wrongType, "\(name) must be a number of seconds") }
        guard d >= 0 else { throw RemoteError(.invalidArgument, "\(name) must be a non-negative number of seconds") }
        return min(d, 365 * 86_400)
    }

    /// The process-wide cache key (the reference's `api_host + "::" + client_key`).
    var cacheKey: String { apiHost + "::" + clientKey }
    var featuresURL: String { apiHost + "/api/features/" + clientKey }
    var streamURL: String { apiHost + "/sub/" + clientKey }
}
