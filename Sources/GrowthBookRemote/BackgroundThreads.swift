#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookRedis
import Synchronization

/// Every thread the library starts (streams, periodic refreshers, refreshes in flight), so that
/// they can be stopped and joined: by `gb_shutdown`, and by the library's destructor before
/// `dlclose` unmaps the code they run (a detached thread would go on running unmapped code).
///
/// A thread is joinable and recorded here while it runs; one that has finished is joined by
/// the next `start` or `stop`, so finished threads do not pile up. Stopping is by epoch: each
/// thread carries the epoch it started in (its `StopToken`), and `stop` moves the epoch on,
/// which stops every thread started before it and none started after (a `gb_load_features`
/// after `gb_shutdown` starts its stream again).
public enum BackgroundThreads {
    /// What a background thread asks, at each point where it could stop, whether to stop.
    public final class StopToken: @unchecked Sendable {
        fileprivate let epoch: Int

        fileprivate init(epoch: Int) { self.epoch = epoch }

        /// True once `stop` was called after this thread started (or the library is unloading).
        public var isStopped: Bool { BackgroundThreads.isStopped(epoch) }

        /// Waits `seconds` or until stopped; false when stopped.
        public func pause(_ seconds: Double) -> Bool { BackgroundThreads.pause(seconds, epoch: epoch) }
    }

    private struct Record {
        let thread: pthread_t
        let epoch: Int
        var finished = false
    }

    /// Guards everything below; its condition is broadcast when a thread finishes and when
    /// `stop` is called (waking pauses).
    private static let lock = ConditionLock()
    nonisolated(unsafe) private static var records: [Int: Record] = [:]
    nonisolated(unsafe) private static var nextID = 0
    nonisolated(unsafe) private static var epoch = 0
    /// The library is being unloaded (or the process is exiting): nothing starts any more.
    nonisolated(unsafe) private static var unloading = false
    /// The epoch threads must have reached to run, read without the lock by `isStopped` (a
    /// stale read only delays a stop until the next check).
    private static let stopBelow = Atomic<Int>(0)

    /// True when threads of `threadEpoch` have been stopped.
    static func isStopped(_ threadEpoch: Int) -> Bool { threadEpoch < stopBelow.load(ordering: .relaxed) }

    private static func pause(_ seconds: Double, epoch threadEpoch: Int) -> Bool {
        guard seconds > 0 else { return !isStopped(threadEpoch) }
        let until = monotonicSeconds() + min(seconds, 1e6)
        return lock.withLock {
            while !isStopped(threadEpoch) {
                let left = until - monotonicSeconds()
                if left <= 0 { return true }
                lock.wait(seconds: left)
            }
            return false
        }
    }

    /// Starts a thread running `body` with its stop token; false (and `body` never runs) when
    /// no thread could be made or the library is unloading. `name` (at most 15 bytes) is what
    /// `top -H`, `ps -L` and debuggers show for it.
    @discardableResult
    public static func start(name: StaticString, _ body: @escaping @Sendable (StopToken) -> Void) -> Bool {
        final class Box {
            let name: StaticString
            let id: Int
            let token: StopToken
            let body: @Sendable (StopToken) -> Void
            init(name: StaticString, id: Int, token: StopToken, body: @escaping @Sendable (StopToken) -> Void) {
                self.name = name
                self.id = id
                self.token = token
                self.body = body
            }
        }
        return lock.withLock { () -> Bool in
            joinFinishedLocked()
            guard !unloading else { return false }
            let id = nextID
            nextID &+= 1
            let box = Unmanaged.passRetained(Box(name: name, id: id, token: StopToken(epoch: epoch), body: body)).toOpaque()
            var thread = pthread_t()
            // The thread's first act is to take `lock` (in `finish`, at the latest), which this
            // holds until the record exists.
            let rc = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
                nameCurrentThread(box.name)
                box.body(box.token)
                BackgroundThreads.finish(box.id)
                return nil
            }, box)
            if rc != 0 {
                Unmanaged<Box>.fromOpaque(box).release()
                return false
            }
            records[id] = Record(thread: thread, epoch: epoch)
            return true
        }
    }

    private static func finish(_ id: Int) {
        lock.withLock {
            records[id]?.finished = true
            lock.broadcast()
        }
    }

    /// Joins the threads that have finished (the lock held): they are past their last use of
    /// the lock, so the join waits only for them to return.
    private static func joinFinishedLocked() {
        for (id, r) in records where r.finished {
            pthread_join(r.thread, nil)
            records[id] = nil
        }
    }

    /// Stops every background thread started so far and waits up to `timeout` seconds for them
    /// to end (the calling thread, when it is one of them, is not waited for). Threads in
    /// library code stop within milliseconds: pauses wake, transfers are aborted. One inside a
    /// host callback (an HTTP transport, a log or subscription callback) ends when the callback
    /// returns. With `unloading`, no thread starts afterwards. Returns how many threads were
    /// still running at the deadline.
    public static func stop(timeout: Double, unloading isUnloading: Bool = false) -> Int {
        let (stoppedBelow, deadline) = lock.withLock { () -> (Int, Double) in
            if isUnloading { unloading = true }
            epoch &+= 1
            stopBelow.store(epoch, ordering: .relaxed)
            lock.broadcast()
            return (epoch, monotonicSeconds() + max(0, timeout.isNaN ? 0 : timeout))
        }
        TransferSockets.shutDown(below: stoppedBelow)
        return lock.withLock { () -> Int in
            while true {
                joinFinishedLocked()
                let running = records.values.filter { $0.epoch < stoppedBelow && pthread_equal($0.thread, pthread_self()) == 0 }
                let left = deadline - monotonicSeconds()
                if running.isEmpty || left <= 0 { return running.count }
                lock.wait(seconds: min(left, 0.05))
            }
        }
    }

    /// The calling thread's stop token, when it is a background thread (for the transfer it
    /// is about to make: its sockets are shut down when it is stopped).
    static func currentEpoch() -> Int? {
        lock.withLock { records.values.first { pthread_equal($0.thread, pthread_self()) != 0 }?.epoch }
    }

    /// How many background threads are recorded (running or finished and not yet joined).
    public static var count: Int { lock.withLock { records.count } }

    // MARK: fork()

    // FeatureCache's fork handlers call these, in order with the cache's own locks: threads
    // start only from cache entries, so the handlers are installed before the first thread.

    static func prepareFork() {
        lock.lock()
        TransferSockets.lockForFork()
    }

    static func parentAfterFork() {
        TransferSockets.unlockAfterFork()
        lock.unlock()
    }

    /// In the child of fork() only the forking thread exists: the other records name threads
    /// that are not there (they must never be joined), and their sockets are the parent's.
    static func childAfterFork() {
        lock.resetConditionAfterFork()
        records = records.filter { pthread_equal($0.value.thread, pthread_self()) != 0 }
        TransferSockets.closeAfterFork()
        lock.unlock()
    }
}

/// Names the calling thread (Linux: /proc/thread-self/comm; pthread_setname_np is not
/// visible to Swift); best effort.
private func nameCurrentThread(_ name: StaticString) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = name.withUTF8Buffer { write(fd, $0.baseAddress, min($0.count, 15)) }
    close(fd)
}
