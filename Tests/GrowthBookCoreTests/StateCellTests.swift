import GrowthBookCore
import Synchronization
import Testing

/// The state cell: readers on many threads while a writer replaces the state; every state a
/// reader sees is alive and whole, and every replaced state is freed once its readers leave.
@Suite struct StateCellTests {
    static let created = Atomic<Int>(0)
    static let freed = Atomic<Int>(0)

    final class Probe: Sendable {
        let value: Int
        let twice: Int
        let alive = Atomic<Bool>(true)

        init(_ value: Int) {
            self.value = value
            twice = value * 2
            StateCellTests.created.add(1, ordering: .relaxed)
        }

        deinit {
            alive.store(false, ordering: .relaxed)
            StateCellTests.freed.add(1, ordering: .relaxed)
        }
    }

    final class Failures: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func readersSeeLiveStatesAndReplacedStatesAreFreed() async {
        let createdBefore = Self.created.load(ordering: .relaxed)
        let freedBefore = Self.freed.load(ordering: .relaxed)
        do {
            let cell = StateCell(Probe(0))
            let failures = Failures()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for i in 1...20_000 { cell.update { (_: Probe) -> (Probe, Void) in (Probe(i), ()) } }
                }
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<50_000 {
                            let ok = cell.read { (p: Probe) -> Bool in
                                p.alive.load(ordering: .relaxed) && p.twice == p.value * 2
                            }
                            if !ok { failures.count.add(1, ordering: .relaxed) }
                            // A nested read (a callback evaluating again) and a nested write.
                            cell.read { (p: Probe) in
                                if p.value % 1000 == 0 { cell.update { (q: Probe) -> (Probe, Void) in (Probe(q.value), ()) } }
                            }
                        }
                    }
                }
            }
            #expect(failures.count.load(ordering: .relaxed) == 0)
            // Only the current state is alive.
            let live = Self.created.load(ordering: .relaxed) - createdBefore - (Self.freed.load(ordering: .relaxed) - freedBefore)
            #expect(live == 1)
            #expect(cell.value.value >= 0)
        }
        // The cell's own state goes with it.
        #expect(Self.created.load(ordering: .relaxed) - createdBefore == Self.freed.load(ordering: .relaxed) - freedBefore)
    }
}
