// A pthread-backed stand-in for Synchronization.Mutex, used ONLY by the ThreadSanitizer build
// (`make tsan`), never by the library that ships.
//
// Why: on Linux, Synchronization.Mutex locks with raw futex system calls and atomics inside the
// uninstrumented Swift runtime, so ThreadSanitizer cannot see its lock and unlock. Every access
// made under the lock, and every object published through it, is then reported as a race (a
// two-thread counter incremented under Mutex.withLock is enough to show it). `make tsan` copies
// Package.swift and Sources/ into .build-tsan/src and adds this file to each module that imports
// Synchronization; a module's own declaration shadows the imported one, so the modules then lock
// with pthread_mutex_lock, which ThreadSanitizer intercepts. Same API subset, same semantics.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

final class _TSanMutexStorage<Value>: @unchecked Sendable {
    let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    var value: Value

    init(_ value: consuming Value) {
        self.value = value
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }
}

struct Mutex<Value>: @unchecked Sendable {
    private let storage: _TSanMutexStorage<Value>

    init(_ initialValue: consuming sending Value) {
        storage = _TSanMutexStorage(initialValue)
    }

    func withLock<Result, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(storage.lock)
        defer { pthread_mutex_unlock(storage.lock) }
        return try body(&storage.value)
    }
}
