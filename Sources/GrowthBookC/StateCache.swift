#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GrowthBookCore

/// Each thread keeps the state it last evaluated against, with the handle's id and the
/// state's generation. While the handle's generation (one atomic load) still matches, the
/// thread evaluates against its cached state without taking the handle's lock or touching the
/// shared state's reference count. A thread holds at most one stale state, until it next
/// evaluates.
///
/// Once a second thread evaluates on a handle, each thread evaluates on a private copy of the
/// state (features compiled anew, attributes copied), made when its cache misses and kept
/// while the features stay the same: Swift's reference counts on objects shared between
/// threads made two threads on one handle slower than one, and private objects let them scale.
/// A handle used by one thread (say, one per request) never pays for a copy.
final class StateCache {
    var handleId: UInt64 = 0
    var generation: UInt64 = 0
    /// Owns the cached state; `unmanagedState` is the same object, read without a reference
    /// count (a write to the shared state's count on every call is what made threads contend).
    var state: GrowthBook.State? = nil
    var unmanagedState: Unmanaged<GrowthBook.State>? = nil
    /// The shared feature set this thread last copied, and its private copy.
    var featureSource: FeatureSet? = nil
    var featureCopy: FeatureSet? = nil
    /// The gb_attributes this thread last used while it was shared across threads, and this
    /// thread's private copy of its attributes (see `attributes(of:)`).
    var attributesId: UInt64 = 0
    var attributesCopy: JSON? = nil
    /// The buffer text results are written into, kept between calls (nil while a call is
    /// using it).
    private var textBuffer: [UInt8]? = []

    /// This thread's text buffer, emptied, or a new one when a call on this thread (one that
    /// called back into the library) holds it.
    func takeTextBuffer() -> [UInt8] {
        guard var buffer = textBuffer else {
            var fresh: [UInt8] = []
            fresh.reserveCapacity(1024)
            return fresh
        }
        textBuffer = nil
        buffer.removeAll(keepingCapacity: true)
        if buffer.capacity < 1024 { buffer.reserveCapacity(1024) }
        return buffer
    }

    /// Gives the buffer back for the next call, unless it grew beyond 64 KiB (one huge result
    /// should not keep its memory for the life of the thread).
    func returnTextBuffer(_ buffer: inout [UInt8]) {
        guard textBuffer == nil else { return }
        var kept: [UInt8] = []
        if buffer.capacity <= 65536 { swap(&buffer, &kept) }
        textBuffer = kept
    }

    /// How many gb_ calls on handles are running on this thread (callbacks nest them).
    var callDepth = 0
    /// Handles freed while a call ran on this thread, released when the outermost call ends.
    var deferredFrees: [Unmanaged<Handle>] = []
    /// States this cache let go of while an outer call on this thread was
    /// still evaluating on them (a callback changed the handle and evaluated again): kept until
    /// the outermost call ends, since that call reads them without a reference of its own.
    private var retired: [AnyObject] = []

    @inline(__always)
    func endCall() {
        callDepth -= 1
        if callDepth == 0 && (!deferredFrees.isEmpty || !retired.isEmpty) {
            retired.removeAll()
            let frees = deferredFrees
            deferredFrees.removeAll()
            for h in frees { h.release() }
        }
    }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { raw in
            guard let raw else { return }
            Unmanaged<StateCache>.fromOpaque(raw).release()
        }
        return k
    }()

    /// The attributes of `box` for an evaluation on this thread. A gb_attributes used by one
    /// thread is read as it is; once several threads use it, each evaluates on a private copy
    /// (made on its first use and kept until the thread uses other shared attributes), since
    /// reference counts written by every thread on one object would serialize them.
    @inline(__always)
    func attributes(of box: AttributesBox) -> JSON {
        if !box.sharing.isShared(seenFrom: UInt(bitPattern: ObjectIdentifier(self).hashValue)) { return box.json }
        if attributesId == box.id, let copy = attributesCopy { return copy }
        let copy = box.json.deepCopy()
        attributesId = box.id
        attributesCopy = copy
        return copy
    }

    /// This thread's cache, unretained: the thread-specific slot owns it until the thread
    /// exits, so no reference count is taken per call.
    @inline(__always)
    static var current: Unmanaged<StateCache> {
        if let raw = pthread_getspecific(key) { return Unmanaged<StateCache>.fromOpaque(raw) }
        let c = Unmanaged.passRetained(StateCache())
        pthread_setspecific(key, c.toOpaque())
        return c
    }

    /// Calls `body` with the current state of `handle`, from this thread's cache when still
    /// current, without taking a reference to it (the cache holds one).
    @inline(__always)
    static func withState<R>(
        of handle: Handle, cache: Unmanaged<StateCache>, _ body: (GrowthBook.State) throws(CallError) -> R
    ) throws(CallError) -> R {
        let u: Unmanaged<GrowthBook.State> = cache._withUnsafeGuaranteedRef { $0.currentState(of: handle) }
        let result: Result<R, CallError> = u._withUnsafeGuaranteedRef { s in
            do throws(CallError) {
                return .success(try body(s))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The handle's current state as this thread sees it: the cached one while the handle's
    /// generation is unchanged, else fetched (and, for a handle shared across threads, copied).
    @inline(__always)
    private func currentState(of handle: Handle) -> Unmanaged<GrowthBook.State> {
        let cache = self
        let generation = handle.gb.generation
        let u: Unmanaged<GrowthBook.State>
        if cache.handleId == handle.id && cache.generation == generation, let cached = cache.unmanagedState {
            u = cached
        } else {
            let (shared, g) = handle.gb.stateAndGeneration
            var s = shared
            let thread = UInt(bitPattern: ObjectIdentifier(cache).hashValue)
            if handle.sharing.isShared(seenFrom: thread) {
                let features: FeatureSet
                if let source = cache.featureSource, source === shared.features, let copy = cache.featureCopy {
                    features = copy
                } else {
                    features = shared.features.privateCopy()
                    cache.featureSource = shared.features
                    cache.featureCopy = features
                }
                s = shared.privateCopy(features: features)
            }
            if callDepth > 1 {
                // A call further out on this thread may be evaluating on the state replaced here
                // (which holds its features).
                if let old = cache.state { retired.append(old) }
            }
            cache.handleId = handle.id
            cache.generation = g
            cache.state = s
            u = Unmanaged.passUnretained(s)
            cache.unmanagedState = u
        }
        return u
    }
}
