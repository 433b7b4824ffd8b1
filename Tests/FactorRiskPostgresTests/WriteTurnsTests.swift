@testable import FactorRiskPostgres
import Synchronization
import Testing

/// Writers of one tenant take turns (one at a time, first come first); other tenants' do not wait for them.
@Suite("write turns")
struct WriteTurnsTests {
    /// How many bodies run at once, per tenant, the most seen, and how many finished.
    final class Overlap: Sendable {
        private let state = Mutex<(running: [Int64: Int], most: [Int64: Int], finished: [Int64: Int])>(([:], [:], [:]))

        func enter(_ tenant: Int64) {
            state.withLock { state in
                state.running[tenant, default: 0] += 1
                state.most[tenant] = max(state.most[tenant] ?? 0, state.running[tenant]!)
            }
        }

        func leave(_ tenant: Int64) {
            state.withLock { state in
                state.running[tenant]! -= 1
                state.finished[tenant, default: 0] += 1
            }
        }

        var most: [Int64: Int] { state.withLock { $0.most } }

        func finished(_ tenant: Int64) -> Int { state.withLock { $0.finished[tenant] ?? 0 } }
    }

    @Test("twenty writers of one tenant never overlap; writers of two tenants do")
    func oneAtATimePerTenant() async throws {
        let turns = WriteTurns()
        let overlap = Overlap()
        // Tenant 2's writer waits inside its turn until tenant 1's writers have all finished: were
        // tenant 2 queued behind tenant 1, or the other way round, this would never end.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await turns.run(2) {
                    overlap.enter(2)
                    while overlap.finished(1) < 20 { try await Task.sleep(for: .milliseconds(2)) }
                    overlap.leave(2)
                }
            }
            for _ in 0..<20 {
                group.addTask {
                    try await turns.run(1) {
                        overlap.enter(1)
                        try await Task.sleep(for: .milliseconds(1))
                        overlap.leave(1)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(overlap.most == [1: 1, 2: 1])
    }

    @Test("a writer that throws hands the turn on")
    func failureHandsTheTurnOn() async throws {
        struct Refused: Error {}
        let turns = WriteTurns()
        await #expect(throws: Refused.self) { try await turns.run(7) { throw Refused() } }
        #expect(try await turns.run(7) { 42 } == 42)
    }
}
