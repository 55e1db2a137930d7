#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore
import GrowthBookRedis

/// The payload cache a fleet shares in Redis (`"cache": {"redis": URL}`), between the
/// process-wide cache (`CacheEntry`, which stays in front of it) and the API.
///
/// Layout, under `key` = prefix + apiHost + "::" + clientKey:
/// - `key`: a hash, `body` (the response body as the API sent it) and `etag`; kept
///   `retention` seconds after its last write, so a stale payload can still be served;
/// - `key:fresh`: exists while the payload is fresh (`SET … PX cacheTTL`): freshness is
///   measured by the server's clock, so hosts whose clocks differ agree on it;
/// - `key:lock`: held (`SET NX PX`) by the one process refreshing it.
///
/// A load reads the entry (one round trip): fresh, it is used; stale or missing, the process
/// that takes the lock fetches from the API (conditionally, with the stored ETag) and writes
/// the entry, while the others serve the stale payload or, on a cold start, wait for the
/// holder's write (polling) rather than each asking the API. Redis failing at any step means
/// fetching directly, logged.
struct RedisPayloadCache: Sendable {
    struct Options: Sendable {
        var endpoint: RedisEndpoint
        var prefix = "growthbook:payload:"
        /// Seconds one Redis operation may take.
        var timeout = 0.5

        init(options o: JSONObject) throws(RemoteError) {
            guard case .string(let url)? = o["redis"] else {
                throw RemoteError(.wrongType, "cache.redis must be a redis:// URL string")
            }
            do {
                endpoint = try RedisEndpoint(url: url)
            } catch {
                throw RemoteError(.invalidArgument, "cache.redis: \(error.message)")
            }
            if let v = o["prefix"], !v.isNull {
                guard case .string(let p) = v else { throw RemoteError(.wrongType, "cache.prefix must be a string") }
                prefix = p
            }
            if let v = o["timeout"], !v.isNull {
                guard let d = v.doubleValue else { throw RemoteError(.wrongType, "cache.timeout must be a number of seconds") }
                guard d >= 0.001, d <= 3600 else {
                    throw RemoteError(.invalidArgument, "cache.timeout must be from 0.001 to 3600 seconds")
                }
                timeout = d
            }
        }
    }

    /// How long a payload stays in Redis after its last write, fresh or stale.
    static let retention = 7 * 86_400

    let pool: RedisPool
    let key: [UInt8]
    let timeout: Double

    init(_ options: Options, cacheKey: String) {
        pool = RedisPool.shared(options.endpoint)
        key = Array((options.prefix + cacheKey).utf8)
        timeout = options.timeout
    }

    private var freshKey: [UInt8] { key + Array(":fresh".utf8) }
    private var lockKey: [UInt8] { key + Array(":lock".utf8) }

    struct Entry {
        let body: [UInt8]
        let etag: String?
        /// Seconds it stays fresh; 0 when stale.
        let freshFor: Double
    }

    /// The stored entry, or nil when there is none (or what is stored is not an entry).
    func read() throws(RedisError) -> Entry? {
        let replies = try pool.run(
            [[b("HMGET"), key, b("body"), b("etag")], [b("PTTL"), freshKey]], timeout: timeout)
        guard replies.count == 2, case .array(let fields) = replies[0], fields.count == 2,
            let body = fields[0].bytes, !body.isEmpty
        else {
            if case .error(let e)? = replies.first { throw RedisError(.reply, "HMGET answered an error: \(e)") }
            return nil
        }
        let etag = fields[1].bytes.map { String(decoding: $0, as: UTF8.self) }
        var freshFor = 0.0
        if case .integer(let ms) = replies[1], ms > 0 { freshFor = Double(ms) / 1000 }
        return Entry(body: body, etag: etag?.isEmpty == true ? nil : etag, freshFor: freshFor)
    }

    /// Stores a payload just fetched, fresh for `ttl` seconds.
    func write(body: [UInt8], etag: String?, ttl: Double) throws(RedisError) {
        var commands: [[[UInt8]]] = [
            [b("HSET"), key, b("body"), body, b("etag"), b(etag ?? "")],
            [b("EXPIRE"), key, b(String(Self.retention))],
        ]
        commands.append(freshCommand(ttl))
        try check(pool.run(commands, timeout: timeout))
    }

    /// Marks the stored payload fresh again (the API answered 304 Not Modified).
    func markFresh(ttl: Double) throws(RedisError) {
        try check(pool.run([freshCommand(ttl), [b("EXPIRE"), key, b(String(Self.retention))]], timeout: timeout))
    }

    private func freshCommand(_ ttl: Double) -> [[UInt8]] {
        let ms = Int(min(ttl, 365 * 86_400) * 1000)
        // A TTL of 0: stale at once (every load refreshes, as the process cache does).
        return ms > 0 ? [b("SET"), freshKey, b("1"), b("PX"), b(String(ms))] : [b("DEL"), freshKey]
    }

    /// Takes the refresh lock for `seconds` (it expires by itself should the holder die);
    /// returns the token to release it with, or nil when another process holds it.
    func lock(seconds: Double) throws(RedisError) -> [UInt8]? {
        let token = b(String(UInt64.random(in: 1...UInt64.max), radix: 16))
        let ms = String(max(Int(seconds * 1000), 1))
        let replies = try pool.run([[b("SET"), lockKey, token, b("NX"), b("PX"), b(ms)]], timeout: timeout)
        switch replies.first {
        case .status?: return token
        case .null?: return nil
        case .error(let e)?: throw RedisError(.reply, "SET NX answered an error: \(e)")
        default: throw RedisError(.reply, "SET NX answered something unexpected")
        }
    }

    /// Releases the lock if it is still ours (it may have expired and been taken since).
    func unlock(_ token: [UInt8]) {
        let script = b("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0")
        _ = try? pool.run([[b("EVAL"), script, b("1"), lockKey, token]], timeout: timeout)
    }

    private func check(_ replies: [RedisReply]) throws(RedisError) {
        for r in replies {
            if case .error(let e) = r { throw RedisError(.reply, "Redis answered an error: \(e)") }
        }
    }

    private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
}

/// A payload fetched from the API, with its ETag and body as sent (what Redis stores).
struct Fetched: Sendable {
    let payload: FeaturePayload
    let etag: String?
    let body: [UInt8]
}

/// One load or refresh through the fleet's Redis cache (`RedisPayloadCache`): the decisions,
/// in one place.
struct RedisPayloadLoad {
    let cache: RedisPayloadCache
    let config: RemoteConfig
    /// The ETag of the payload the process already has (nil on a first load).
    let etag: String?
    let log: CacheEntry.Log
    let fetch: (String?) -> Result<Fetched?, RemoteError>

    /// How often a process waiting for another's fetch on a cold start looks again.
    static let pollInterval = 0.025

    func run() -> Result<CacheEntry.Obtained?, RemoteError> {
        do throws(RedisError) {
            let stored = try cache.read()
            if let stored, stored.freshFor > 0 {
                return use(stored, freshFor: stored.freshFor)
            }
            // Stale or missing: one process of the fleet refreshes; the lock outlives the
            // longest fetch, and expires by itself should its holder die.
            if let token = try cache.lock(seconds: config.timeout + 5) {
                defer { cache.unlock(token) }
                return refresh(stored)
            }
            if let stored {
                // Another process is refreshing: serve the stale payload for now, and look
                // again in a second (not at once: that would be one Redis read per load).
                return use(stored, freshFor: min(1, config.cacheTTL))
            }
            return try waitForAnotherProcess()
        } catch {
            log(.warning, "Redis payload cache at \(cache.pool.endpoint) failed (\(error)); fetching \(config.featuresURL) directly")
            return fetch(etag).map { $0.map { CacheEntry.Obtained(payload: $0.payload, etag: $0.etag) } }
        }
    }

    /// The stored payload, unless it is the one the process has.
    private func use(_ stored: RedisPayloadCache.Entry, freshFor: Double) -> Result<CacheEntry.Obtained?, RemoteError> {
        if let etag, stored.etag == etag { return .success(nil) }
        do {
            let payload = try FeaturePayload(body: stored.body, from: "Redis (\(config.featuresURL))")
            return .success(CacheEntry.Obtained(payload: payload, etag: stored.etag, freshFor: freshFor))
        } catch {
            log(.warning, "the payload cached in Redis for \(config.featuresURL) is unusable (\(error)); fetching it")
            return refresh(nil)
        }
    }

    /// Fetches from the API (conditionally, with the stored ETag) and stores the outcome.
    private func refresh(_ stored: RedisPayloadCache.Entry?) -> Result<CacheEntry.Obtained?, RemoteError> {
        let conditional = stored?.etag ?? etag
        switch fetch(conditional) {
        case .success(.some(let fetched)):
            do {
                try cache.write(body: fetched.body, etag: fetched.etag, ttl: config.cacheTTL)
            } catch {
                log(.warning, "could not store the payload in Redis at \(cache.pool.endpoint): \(error)")
            }
            return .success(CacheEntry.Obtained(payload: fetched.payload, etag: fetched.etag))
        case .success(.none):
            // 304: the stored payload (or the process's own) is current.
            try? cache.markFresh(ttl: config.cacheTTL)
            if let stored, stored.etag != etag {
                do {
                    let payload = try FeaturePayload(body: stored.body, from: "Redis (\(config.featuresURL))")
                    return .success(CacheEntry.Obtained(payload: payload, etag: stored.etag))
                } catch {
                    return .failure(error)
                }
            }
            return .success(nil)
        case .failure(let error):
            // The API failed: a stale payload still serves (stale-while-revalidate).
            if let stored, let payload = try? FeaturePayload(body: stored.body, from: "Redis") {
                log(.warning, "refreshing \(config.featuresURL) failed (\(error)); serving the stale payload from Redis")
                return .success(stored.etag == etag && etag != nil ? nil : CacheEntry.Obtained(payload: payload, etag: stored.etag, freshFor: 0))
            }
            return .failure(error)
        }
    }

    /// A cold start while another process fetches: wait for its write (as long as a fetch of
    /// our own could take), then fetch directly after all.
    private func waitForAnotherProcess() throws(RedisError) -> Result<CacheEntry.Obtained?, RemoteError> {
        let deadline = monotonicSeconds() + config.timeout + 1
        while monotonicSeconds() < deadline {
            var pause = timespec(tv_sec: 0, tv_nsec: Int(Self.pollInterval * 1e9))
            nanosleep(&pause, nil)
            if let stored = try cache.read() { return use(stored, freshFor: stored.freshFor) }
        }
        log(.warning, "no payload appeared in Redis for \(config.featuresURL) while another process fetched it; fetching directly")
        return fetch(etag).map { $0.map { CacheEntry.Obtained(payload: $0.payload, etag: $0.etag) } }
    }
}
