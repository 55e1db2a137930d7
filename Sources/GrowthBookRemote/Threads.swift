#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif


/// A thread, to recognise the calling thread later.
struct ThreadID: @unchecked Sendable {
    private let raw: pthread_t

    static var current: ThreadID { ThreadID(raw: pthread_self()) }

    var isCurrent: Bool { pthread_equal(raw, pthread_self()) != 0 }
}

/// A mutex with a condition variable, for waiting until a state changes (pthreads: the
/// Synchronization module has no condition variable).
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    /// For the fork handlers, which hold locks across calls: prefer `withLock`.
    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits (the lock held by the caller) until signalled or `seconds` pass.
    func wait(seconds: Double) {
        let seconds = seconds.isNaN ? 0 : min(max(seconds, 0), 1e6)
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let whole = Int(seconds)
        let nanos = Int((seconds - Double(whole)) * 1e9) + Int(ts.tv_nsec)
        ts.tv_sec += whole + nanos / 1_000_000_000
        ts.tv_nsec = nanos % 1_000_000_000
        pthread_cond_timedwait(cond, mutex, &ts)
    }

    func broadcast() { pthread_cond_broadcast(cond) }

    /// In the child of fork(), the lock held: threads that waited on the condition in the
    /// parent do not exist here, so it starts afresh.
    func resetConditionAfterFork() {
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }
}
