#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore

/// Each thread keeps the state it last evaluated against, with the handle's id and the
/// state's generation. While the handle's generation (one atomic load) still matches, the
/// thread evaluates against its cached state without taking the handle's lock or touching the
/// shared state's reference count, which is what keeps threads sharing one handle from
/// contending on every call. A thread holds at most one stale state, until it next evaluates.
final class StateCache {
    var handleId: UInt64 = 0
    var generation: UInt64 = 0
    var state: GrowthBook.State? = nil

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { raw in
            guard let raw else { return }
            Unmanaged<StateCache>.fromOpaque(raw).release()
        }
        return k
    }()

    /// This thread's cache.
    @inline(__always)
    static var current: StateCache {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<StateCache>.fromOpaque(raw).takeUnretainedValue()
        }
        let c = StateCache()
        pthread_setspecific(key, Unmanaged.passRetained(c).toOpaque())
        return c
    }

    /// The current state of `handle`, from this thread's cache when still current.
    @inline(__always)
    static func state(of handle: Handle) -> GrowthBook.State {
        let cache = current
        let generation = handle.gb.generation
        if cache.handleId == handle.id && cache.generation == generation, let s = cache.state {
            return s
        }
        let (s, g) = handle.gb.stateAndGeneration
        cache.handleId = handle.id
        cache.generation = g
        cache.state = s
        return s
    }
}
