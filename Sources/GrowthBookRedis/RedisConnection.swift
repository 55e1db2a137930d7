#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CHiredis

/// Seconds on the monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// One reply, copied out of hiredis's reply object.
public enum RedisReply: Equatable, Sendable {
    case string([UInt8])
    case status(String)
    case error(String)
    case integer(Int64)
    case null
    case array([RedisReply])

    /// A bulk string's bytes; nil for a nil reply or anything else.
    public var bytes: [UInt8]? {
        if case .string(let b) = self { return b }
        return nil
    }
}

/// One connection to a Redis server: a non-blocking socket of our own, commands formatted and
/// replies parsed by hiredis. Every operation has a deadline (poll), sends never raise SIGPIPE
/// (MSG_NOSIGNAL: a server that closed the connection must not kill the host), and a connection
/// that failed in any way is `broken` and never used again (a late reply would otherwise be
/// read as the answer to the next command). Used by one thread at a time (the pool's rule).
final class RedisConnection: @unchecked Sendable {  // one thread at a time: the pool hands it out
    private let fd: Int32
    private let reader: UnsafeMutablePointer<redisReader>
    /// Which process opened it: a child of fork() must not talk on its parent's socket.
    let pid: pid_t
    private(set) var broken = false

    /// The most one operation reads (a reply larger than that, from a confused or hostile
    /// server, fails the operation instead of growing without bound).
    static let maxReplyBytes = 64 << 20

    /// Connects, logs in and selects the database, all before `deadline`.
    init(_ endpoint: RedisEndpoint, deadline: Double) throws(RedisError) {
        guard let reader = redisReaderCreate() else { throw RedisError(.connection, "out of memory") }
        self.reader = reader
        pid = getpid()
        do {
            fd = try Self.openSocket(endpoint, deadline: deadline)
        } catch {
            redisReaderFree(reader)
            throw error
        }
        var login: [[[UInt8]]] = []
        if let password = endpoint.password {
            login.append(
                endpoint.username.map { ["AUTH", $0, password].map(Self.bytes) } ?? ["AUTH", password].map(Self.bytes))
        }
        if endpoint.database != 0 { login.append(["SELECT", String(endpoint.database)].map(Self.bytes)) }
        guard !login.isEmpty else { return }
        let replies = try run(login, deadline: deadline)
        for r in replies {
            if case .error(let e) = r {
                broken = true
                throw RedisError(.connection, "\(endpoint) refused the login: \(e)")
            }
        }
    }

    deinit {
        close(fd)
        redisReaderFree(reader)
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Sends the commands in one write (a pipeline) and reads one reply per command; a reply
    /// that is an error is returned as `.error`, not thrown. Throws (and the connection is
    /// broken from then on) on any I/O failure or when `deadline` passes.
    func run(_ commands: [[[UInt8]]], deadline: Double) throws(RedisError) -> [RedisReply] {
        guard !broken else { throw RedisError(.connection, "the connection failed earlier") }
        do {
            try write(Self.format(commands), deadline: deadline)
            var replies: [RedisReply] = []
            replies.reserveCapacity(commands.count)
            var read = 0
            while replies.count < commands.count {
                replies.append(try nextReply(deadline: deadline, read: &read))
            }
            return replies
        } catch {
            broken = true
            throw error
        }
    }

    private static func format(_ commands: [[[UInt8]]]) throws(RedisError) -> [UInt8] {
        var out: [UInt8] = []
        for argv in commands {
            var target: UnsafeMutablePointer<CChar>? = nil
            let n = withArgv(argv) { count, pointers, lengths in
                redisFormatCommandArgv(&target, count, pointers, lengths)
            }
            guard let n, n > 0, let target else { throw RedisError(.connection, "out of memory formatting a command") }
            target.withMemoryRebound(to: UInt8.self, capacity: Int(n)) {
                out.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(n)))
            }
            redisFreeCommand(target)
        }
        return out
    }

    /// The C argv of one command (pointers into the arguments, valid during `body`).
    private static func withArgv<R>(
        _ argv: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R? {
        var pointers = [UnsafePointer<CChar>?](repeating: nil, count: argv.count)
        var lengths = [Int](repeating: 0, count: argv.count)
        // Each argument is copied into one block (an [UInt8]'s storage is not guaranteed to stay
        // put outside a closure, and nesting argv.count closures is not possible).
        let total = argv.reduce(0) { $0 + $1.count }
        let block = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        defer { block.deallocate() }
        var offset = 0
        for (i, a) in argv.enumerated() {
            a.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(block + offset).copyMemory(from: base, byteCount: a.count) }
            }
            pointers[i] = UnsafePointer(block + offset)
            lengths[i] = a.count
            offset += a.count
        }
        // A command has at least its name, so both arrays have storage.
        return pointers.withUnsafeMutableBufferPointer { p in
            lengths.withUnsafeBufferPointer { l in
                guard let pp = p.baseAddress, let lp = l.baseAddress else { return nil }
                return body(Int32(clamping: argv.count), pp, lp)
            }
        }
    }

    private func write(_ data: [UInt8], deadline: Double) throws(RedisError) {
        var sent = 0
        while sent < data.count {
            let n = data.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(fd, base + sent, data.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                sent += n
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try wait(for: Int16(POLLOUT), deadline: deadline)
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw RedisError(.connection, "sending to Redis failed: \(Self.errorText(errno))")
            }
        }
    }

    private func nextReply(deadline: Double, read: inout Int) throws(RedisError) -> RedisReply {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            var raw: UnsafeMutableRawPointer? = nil
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                throw RedisError(.reply, "Redis sent something that is not the Redis protocol: \(readerError)")
            }
            if let raw {
                let reply = raw.assumingMemoryBound(to: redisReply.self)
                defer { freeReplyObject(raw) }
                return Self.copy(reply, depth: 0)
            }
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return recv(fd, base, raw.count, 0)
            }
            if n > 0 {
                read += n
                guard read <= Self.maxReplyBytes else {
                    throw RedisError(.reply, "Redis sent more than \(Self.maxReplyBytes >> 20) MiB for one operation")
                }
                let fed = buffer.withUnsafeBytes { raw -> Int32 in
                    guard let base = raw.baseAddress else { return REDIS_ERR }
                    return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), n)
                }
                guard fed == REDIS_OK else { throw RedisError(.reply, "out of memory reading a Redis reply") }
            } else if n == 0 {
                throw RedisError(.connection, "Redis closed the connection")
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLIN), deadline: deadline)
            } else if errno != EINTR {
                throw RedisError(.connection, "reading from Redis failed: \(Self.errorText(errno))")
            }
        }
    }

    private var readerError: String {
        withUnsafeBytes(of: reader.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// hiredis nests at most 7 levels of arrays (its reader's stack), so `depth` is bounded
    /// by hiredis; the guard keeps it so whatever the version.
    private static func copy(_ r: UnsafeMutablePointer<redisReply>, depth: Int) -> RedisReply {
        let v = r.pointee
        func text() -> [UInt8] {
            guard let s = v.str, v.len > 0 else { return [] }
            return s.withMemoryRebound(to: UInt8.self, capacity: v.len) { Array(UnsafeBufferPointer(start: $0, count: v.len)) }
        }
        switch v.type {
        case REDIS_REPLY_STRING: return .string(text())
        case REDIS_REPLY_STATUS: return .status(String(decoding: text(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: text(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(v.integer)
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            guard depth < 16, let elements = v.element else { return .array([]) }
            var items: [RedisReply] = []
            items.reserveCapacity(v.elements)
            for i in 0..<v.elements {
                if let e = elements[i] { items.append(copy(e, depth: depth + 1)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .error("a reply of an unknown type (\(v.type))")
        }
    }

    /// Waits until the socket is ready for `events`, or throws once `deadline` passes.
    private func wait(for events: Int16, deadline: Double) throws(RedisError) {
        try Self.wait(fd, for: events, deadline: deadline)
    }

    private static func wait(_ fd: Int32, for events: Int16, deadline: Double) throws(RedisError) {
        while true {
            let left = deadline - monotonicSeconds()
            guard left > 0 else { throw RedisError(.timeout, "Redis did not answer within the timeout") }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if rc > 0 { return }
            if rc < 0 && errno != EINTR { throw RedisError(.connection, "poll failed: \(errorText(errno))") }
        }
    }

    private static func errorText(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "error \(code)" }
        return String(cString: s)
    }

    /// A connected non-blocking TCP socket to the first of the host's addresses that answers.
    private static func openSocket(_ endpoint: RedisEndpoint, deadline: Double) throws(RedisError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard rc == 0, let first = list else {
            let why = gai_strerror(rc).map { String(cString: $0) } ?? "error \(rc)"
            throw RedisError(.connection, "cannot resolve the Redis host \"\(endpoint.host)\": \(why)")
        }
        defer { freeaddrinfo(list) }
        var lastError = RedisError(.connection, "no address for \(endpoint)")
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let a = node {
            node = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastError = RedisError(.connection, "socket failed: \(errorText(errno))")
                continue
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastError = RedisError(.connection, "cannot connect to \(endpoint): \(errorText(errno))")
                close(fd)
                continue
            }
            do {
                try wait(fd, for: Int16(POLLOUT), deadline: deadline)
            } catch {
                close(fd)
                throw error.kind == .timeout ? RedisError(.timeout, "connecting to \(endpoint) timed out") : error
            }
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) == 0 && soError == 0 { return fd }
            lastError = RedisError(.connection, "cannot connect to \(endpoint): \(errorText(soError))")
            close(fd)
        }
        throw lastError
    }
}
