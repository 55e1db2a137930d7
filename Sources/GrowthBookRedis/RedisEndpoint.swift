/// Where a Redis server is and how to log in: a `redis://` URL,
/// `redis://[[username]:password@]host[:port][/database]` (the form redis-cli, redis-py and
/// ioredis accept; `%XX` escapes in the user name and password; IPv6 hosts in brackets).
public struct RedisEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int

    public init(host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
                database: Int = 0) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    public init(url: String) throws(RedisError) {
        let scheme = "redis://"
        guard url.hasPrefix(scheme) else {
            throw RedisError(.invalidURL, "a Redis URL starts with redis:// (got \"\(url)\"; TLS, rediss://, is not supported)")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        // The database: everything after the first "/" (a query string is not supported).
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard db.count <= 4, let n = Int(db), n >= 0 else {
                    throw RedisError(.invalidURL, "the database in \"\(url)\" must be a number from 0 to 9999")
                }
                database = n
            }
        }
        var username: String? = nil
        var password: String? = nil
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : try Self.percentDecoded(user)
                password = try Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else if !credentials.isEmpty {
                // redis://secret@host: a lone credential is the password, as redis-py reads it.
                password = try Self.percentDecoded(credentials)
            }
        }
        var host = rest
        var port = 6379
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw RedisError(.invalidURL, "unclosed [ in the host of \"\(url)\"")
            }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw RedisError(.invalidURL, "bad host in \"\(url)\"") }
                port = try Self.port(after.dropFirst(), url)
            }
        } else if let colon = host.lastIndex(of: ":") {
            port = try Self.port(host[host.index(after: colon)...], url)
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw RedisError(.invalidURL, "no host in \"\(url)\"") }
        self.init(host: String(host), port: port, username: username, password: password, database: database)
    }

    private static func port(_ s: Substring, _ url: String) throws(RedisError) -> Int {
        guard s.count <= 5, let p = Int(s), p > 0, p < 65536 else {
            throw RedisError(.invalidURL, "the port in \"\(url)\" must be a number from 1 to 65535")
        }
        return p
    }

    private static func percentDecoded(_ s: Substring) throws(RedisError) -> String {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            guard b == UInt8(ascii: "%") else {
                bytes.append(b)
                continue
            }
            guard it.count >= 2, let hi = hexValue(it[it.startIndex]), let lo = hexValue(it[it.startIndex + 1]) else {
                throw RedisError(.invalidURL, "a bad %-escape in the credentials of the Redis URL")
            }
            bytes.append(hi << 4 | lo)
            it = it.dropFirst(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// The URL without its password (for messages).
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let who = password == nil ? "" : (username ?? "") + ":***@"
        return "redis://\(who)\(h):\(port)/\(database)"
    }
}

/// What went wrong talking to Redis.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The URL or an option is malformed.
        case invalidURL
        /// Could not connect, or the connection failed (refused, reset, closed).
        case connection
        /// The operation did not finish within its timeout.
        case timeout
        /// Redis answered with an error reply, or with a reply of the wrong shape.
        case reply
        /// Not tried: the server failed recently and is in its backoff period.
        case backingOff
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
