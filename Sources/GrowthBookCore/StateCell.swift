import Synchronization

/// Holds a handle's current state for any number of readers and occasional writers.
///
/// Readers take no lock and write no shared reference count. The state sits in a box; a
/// reader adds one to a counter of the current box (one of sixteen, picked per thread, each on
/// cache lines of its own), checks that the box is still current, reads the state, and
/// subtracts one. A writer (writers are serialized by a lock) puts the new state in a free box,
/// makes that box current and retires the old one. A retired box's state is released by
/// whoever sees the box's counters all at zero: the writer right away when no reader is inside,
/// else the last reader on its way out. So a replaced state is freed as soon as the
/// evaluations that began on it end, and nothing holds it afterwards.
///
/// Why it is safe:
/// - Boxes are never freed while the cell lives (they are reused once their state is
///   released), so a reader that loaded a box that has since been replaced still adds to valid
///   memory; it then sees the box is no longer current, subtracts, and retries.
/// - Counter changes, the loads of `current` and the box status are sequentially consistent.
///   A reader that found its box current after adding to its counter did so before any retire
///   of that box, so the retiring writer's sum sees it and leaves the release to a reader.
/// - A box's status carries an incarnation number, so a release claimed for one incarnation
///   cannot release the state of the next, and a box is reused only after its state is out.
///
/// This type and `FlatStorage` hold the library's only unmanaged references.
public final class StateCell<State: AnyObject & Sendable>: @unchecked Sendable {  // see above
    private final class Box: @unchecked Sendable {  // every shared field is atomic
        /// The state, retained once; nil once released.
        let state = Atomic<UnsafeMutableRawPointer?>(nil)
        /// Reader counters, one per stripe, sixteen words apart (128 bytes: two cache lines,
        /// as processors fetch lines in pairs).
        let readers = AtomicWords(count: StateCell.stripes * StateCell.spacing)
        /// incarnation << 3 | free | retired | claimed: retired once replaced; claimed by the
        /// one caller that releases the state; free once the state is released (only then may
        /// a writer reuse the box).
        let status = Atomic<UInt64>(0)

        static var claimed: UInt64 { 1 }
        static var retired: UInt64 { 2 }
        static var free: UInt64 { 4 }
        static var incarnationShift: UInt64 { 3 }

        var isFree: Bool { status.load(ordering: .sequentiallyConsistent) & Box.free != 0 }

        /// Releases the state when the box is retired, not yet released and no reader is
        /// inside; exactly one caller per incarnation does.
        func releaseIfUnused() {
            let s = status.load(ordering: .sequentiallyConsistent)
            guard s & Box.retired != 0, s & Box.claimed == 0 else { return }
            for i in 0..<StateCell.stripes where readers.loadOrdered(i &* StateCell.spacing) != 0 { return }
            guard
                status.compareExchange(expected: s, desired: s | Box.claimed, ordering: .sequentiallyConsistent)
                    .exchanged
            else { return }
            let p = state.exchange(nil, ordering: .sequentiallyConsistent)
            // Free for reuse only once the state is out of the box.
            status.bitwiseOr(Box.free, ordering: .sequentiallyConsistent)
            if let p { Unmanaged<State>.fromOpaque(p).release() }
        }
    }

    static var stripes: Int { 16 }
    /// Words between two stripes' counters.
    static var spacing: Int { 16 }

    /// The current box.
    private let current: Atomic<UnsafeMutableRawPointer>
    /// What writers share: every box (current, retired or free) and the current state.
    private struct Writer {
        var boxes: [Box]
        var current: State
    }
    private let writer: Mutex<Writer>

    public init(_ state: State) {
        let box = Box()
        box.state.store(Unmanaged.passRetained(state).toOpaque(), ordering: .sequentiallyConsistent)
        box.status.store(1 << Box.incarnationShift, ordering: .sequentiallyConsistent)
        current = Atomic(Unmanaged.passUnretained(box).toOpaque())
        writer = Mutex(Writer(boxes: [box], current: state))
    }

    deinit {
        // No reader can be inside: a handle is not freed while calls on it run.
        writer.withLock { w in
            for box in w.boxes {
                if let p = box.state.exchange(nil, ordering: .sequentiallyConsistent) {
                    Unmanaged<State>.fromOpaque(p).release()
                }
            }
        }
    }

    /// Calls `body` with the current state, which stays alive for the call. `stripe` picks the
    /// reader counter (any number; callers that know their thread pass a number of its own so
    /// that threads never share a counter); nil derives one from the thread's stack address.
    @inline(__always)
    public func read<R>(stripe: Int? = nil, _ body: (State) -> R) -> R {
        let stripe = ((stripe ?? threadStripe(Self.stripes)) & (Self.stripes &- 1)) &* Self.spacing
        var raw = current.load(ordering: .sequentiallyConsistent)
        while true {
            Unmanaged<Box>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.readers.add(stripe, 1) }
            let now = current.load(ordering: .sequentiallyConsistent)
            if now == raw { break }
            leave(raw, stripe)
            raw = now
        }
        defer { leave(raw, stripe) }
        return Unmanaged<Box>.fromOpaque(raw)._withUnsafeGuaranteedRef { box -> R in
            // The box was current after this reader was counted: its state is not released
            // until the reader leaves.
            guard let p = box.state.load(ordering: .acquiring) else {
                // Unreachable by the protocol above; read the writer's view instead of crashing.
                return body(self.value)
            }
            return Unmanaged<State>.fromOpaque(p)._withUnsafeGuaranteedRef(body)
        }
    }

    @inline(__always)
    private func leave(_ raw: UnsafeMutableRawPointer, _ stripe: Int) {
        Unmanaged<Box>.fromOpaque(raw)._withUnsafeGuaranteedRef { box in
            box.readers.add(stripe, UInt64.max)  // minus one
            if box.status.load(ordering: .sequentiallyConsistent) & Box.retired != 0 { box.releaseIfUnused() }
        }
    }

    /// The current state (a reference of the caller's own).
    public var value: State {
        writer.withLock { $0.current }
    }

    /// Replaces the state with `change(current)`, as one step: writers are serialized, so no
    /// change is lost to another made at the same time. When `change` throws, nothing changes.
    /// Returns what `change` returned besides the state.
    @discardableResult
    public func update<R, E: Error>(_ change: (State) throws(E) -> (State, R)) throws(E) -> R {
        try writer.withLock { w throws(E) -> R in
            let raw = current.load(ordering: .sequentiallyConsistent)
            let old = w.current
            let (new, result) = try change(old)
            if new === old { return result }
            let oldBox = Unmanaged<Box>.fromOpaque(raw).takeUnretainedValue()
            let box: Box
            if let free = w.boxes.first(where: { $0 !== oldBox && $0.isFree }) {
                box = free
            } else {
                box = Box()
                w.boxes.append(box)
            }
            let incarnation = (box.status.load(ordering: .sequentiallyConsistent) >> Box.incarnationShift) &+ 1
            box.state.store(Unmanaged.passRetained(new).toOpaque(), ordering: .sequentiallyConsistent)
            box.status.store(incarnation << Box.incarnationShift, ordering: .sequentiallyConsistent)
            current.store(Unmanaged.passUnretained(box).toOpaque(), ordering: .sequentiallyConsistent)
            w.current = new
            oldBox.status.bitwiseOr(Box.retired, ordering: .sequentiallyConsistent)
            oldBox.releaseIfUnused()
            return result
        }
    }
}
