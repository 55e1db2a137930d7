#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The connections of this process to one Redis server, shared by every handle and thread that
/// names the same endpoint (`shared(_:)`): an operation borrows an idle connection (or opens
/// one), runs, and gives it back unless it failed.
///
/// A server that fails (refused, reset, timed out) is backed off: for a while every operation
/// fails at once with `.backingOff` instead of waiting for its timeout again; then one
/// operation at a time tries (a probe) while the others still fail fast. The wait doubles with
/// each failure in a row, from `initialBackoff` to `maxBackoff`, and one success ends it.
public final class RedisPool: Sendable {
    public let endpoint: RedisEndpoint

    /// Idle connections kept per server; more are opened when needed, and closed when given
    /// back beyond this.
    static let maxIdle = 16
    static let initialBackoff = 0.1
    static let maxBackoff = 5.0

    private struct State {
        var idle: [RedisConnection] = []
        var failuresInARow = 0
        var retryAt = 0.0
        var probing = false
        /// Round trips made (a pipeline counts once), for benchmarks and tests.
        var roundTrips = 0
    }

    private let state = Mutex(State())

    init(endpoint: RedisEndpoint) {
        self.endpoint = endpoint
    }

    private static let registry = Mutex<[RedisEndpoint: RedisPool]>([:])

    /// The process's pool for `endpoint`.
    public static func shared(_ endpoint: RedisEndpoint) -> RedisPool {
        registry.withLock { pools in
            if let p = pools[endpoint] { return p }
            let p = RedisPool(endpoint: endpoint)
            pools[endpoint] = p
            return p
        }
    }

    /// Round trips made through this pool so far.
    public var roundTrips: Int { state.withLock { $0.roundTrips } }

    /// Runs the commands as one pipeline (one round trip) within `timeout` seconds, connecting
    /// first if no idle connection is there. Error replies come back as `.error` elements; a
    /// failure to talk to the server throws.
    public func run(_ commands: [[[UInt8]]], timeout: Double) throws(RedisError) -> [RedisReply] {
        let deadline = monotonicSeconds() + timeout
        let (reused, probe) = try checkOut()
        var connection = reused
        var lastError: RedisError
        // A reused connection the server has since closed (a restart, an idle timeout) fails
        // at once; one retry on a new connection tells that from a server that is down.
        var attempts = reused == nil ? 1 : 2
        repeat {
            attempts -= 1
            do {
                let c: RedisConnection
                if let connection { c = connection } else { c = try RedisConnection(endpoint, deadline: deadline) }
                connection = c
                let replies = try c.run(commands, deadline: deadline)
                checkIn(c, probe: probe)
                return replies
            } catch {
                lastError = error
                connection = nil
                if error.kind == .timeout { break }
            }
        } while attempts > 0 && monotonicSeconds() < deadline
        failed(probe: probe)
        throw lastError
    }

    private func checkOut() throws(RedisError) -> (RedisConnection?, Bool) {
        let pid = getpid()
        let outcome = state.withLock { s -> Result<(RedisConnection?, Bool), RedisError> in
            // In a child of fork() the parent's connections are the parent's: forget them.
            if let first = s.idle.first, first.pid != pid {
                s.idle.removeAll()
                s.failuresInARow = 0
                s.probing = false
            }
            var probe = false
            if s.failuresInARow > 0 {
                let now = monotonicSeconds()
                guard now >= s.retryAt, !s.probing else {
                    return .failure(RedisError(.backingOff, "\(endpoint) failed recently; not retried yet"))
                }
                s.probing = true
                probe = true
            }
            s.roundTrips += 1
            return .success((s.idle.popLast(), probe))
        }
        return try outcome.get()
    }

    private func checkIn(_ c: RedisConnection, probe: Bool) {
        state.withLock { s in
            s.failuresInARow = 0
            if probe { s.probing = false }
            if !c.broken && s.idle.count < Self.maxIdle { s.idle.append(c) }
        }
    }

    private func failed(probe: Bool) {
        state.withLock { s in
            s.failuresInARow += 1
            if probe { s.probing = false }
            let wait = min(Self.initialBackoff * Double(1 << min(s.failuresInARow - 1, 20)), Self.maxBackoff)
            s.retryAt = monotonicSeconds() + wait * Double.random(in: 0.75...1)
            // The idle connections went to the same server: drop them too.
            s.idle.removeAll()
        }
    }
}
