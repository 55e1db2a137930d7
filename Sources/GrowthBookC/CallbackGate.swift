#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What makes gb_free's promise hold: after it returns, none of the handle's callbacks runs
/// again, whatever thread would call it (an evaluation on another thread, the background
/// refresher, a stream pushing an update).
///
/// Every host callback registered on a handle (log, tracking, subscriptions, sticky-bucket
/// get and save) calls through the handle's gate. `close()`, which gb_free calls before
/// anything is released, shuts the gate and waits until no callback of the handle is running
/// on another thread. A callback running on the closing thread itself (gb_free called from
/// inside one of the handle's callbacks, or from inside a callback of another handle that the
/// first one is nested in) is not waited for: it is this thread's own caller, and waiting for
/// it would never end. Callbacks that would start after the gate closed are skipped.
///
/// A callback takes one uncontended lock to enter and one to leave; the gate is not touched
/// by an evaluation that calls no callback.
final class CallbackGate: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var open = true
    /// The threads in a callback of this handle, with how deep (callbacks can nest through
    /// calls back into the library). Guarded by `mutex`.
    private var running: [(thread: pthread_t, depth: Int)] = []

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
        Self.register(self)
    }

    deinit {
        Self.unregister(self)
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    // MARK: fork()

    // In a child of fork() only the forking thread exists: a gate that recorded a callback
    // running on another thread would make gb_free wait for it forever, and a gate locked by
    // another thread at that moment would stay locked. So every gate is locked before fork()
    // (a gate is never locked while a callback runs, only around its bookkeeping), and in the
    // child each forgets the threads it does not have.

    nonisolated(unsafe) private static let registry = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Every live gate (unowned: a gate removes itself in deinit, under `registry`).
    nonisolated(unsafe) private static var gates: [ObjectIdentifier: Unmanaged<CallbackGate>] = [:]

    private static let registryReady: Bool = {
        pthread_mutex_init(registry, nil)
        return pthread_atfork(
            { CallbackGate.prepareFork() }, { CallbackGate.afterFork(child: false) },
            { CallbackGate.afterFork(child: true) }) == 0
    }()

    private static func register(_ gate: CallbackGate) {
        _ = registryReady
        pthread_mutex_lock(registry)
        gates[ObjectIdentifier(gate)] = Unmanaged.passUnretained(gate)
        pthread_mutex_unlock(registry)
    }

    private static func unregister(_ gate: CallbackGate) {
        pthread_mutex_lock(registry)
        gates[ObjectIdentifier(gate)] = nil
        pthread_mutex_unlock(registry)
    }

    private static func prepareFork() {
        pthread_mutex_lock(registry)
        for g in gates.values { pthread_mutex_lock(g.takeUnretainedValue().mutex) }
    }

    private static func afterFork(child: Bool) {
        for g in gates.values {
            let gate = g.takeUnretainedValue()
            if child {
                gate.running.removeAll { pthread_equal($0.thread, pthread_self()) == 0 }
                pthread_cond_init(gate.cond, nil)  // its waiters, if any, were other threads
            }
            pthread_mutex_unlock(gate.mutex)
        }
        pthread_mutex_unlock(registry)
    }

    /// Runs `body` (which calls the host) unless the gate is closed; returns whether it ran.
    @discardableResult
    func run(_ body: () -> Void) -> Bool {
        let me = pthread_self()
        pthread_mutex_lock(mutex)
        guard open else {
            pthread_mutex_unlock(mutex)
            return false
        }
        if let i = running.firstIndex(where: { pthread_equal($0.thread, me) != 0 }) {
            running[i].depth += 1
        } else {
            running.append((me, 1))
        }
        pthread_mutex_unlock(mutex)

        body()

        pthread_mutex_lock(mutex)
        if let i = running.firstIndex(where: { pthread_equal($0.thread, me) != 0 }) {
            running[i].depth -= 1
            if running[i].depth == 0 {
                running.remove(at: i)
                pthread_cond_broadcast(cond)
            }
        }
        pthread_mutex_unlock(mutex)
        return true
    }

    /// Shuts the gate: no callback starts after this, and it returns once no callback is
    /// running on any other thread.
    func close() {
        let me = pthread_self()
        pthread_mutex_lock(mutex)
        open = false
        while running.contains(where: { pthread_equal($0.thread, me) == 0 }) {
            pthread_cond_wait(cond, mutex)
        }
        pthread_mutex_unlock(mutex)
    }
}
