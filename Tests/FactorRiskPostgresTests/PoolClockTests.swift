@testable import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// The pool's timers against a real server, with the pool's time moved by hand.
@Suite("connection pool clock")
struct PoolClockTests {
    /// Polls until `condition` holds: the pool's timer tasks run on their own.
    func eventually(_ condition: () -> Bool) async throws {
        while !condition() { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test("a caller waiting on a busy pool fails when the pool's clock reaches its deadline, not before")
    func deadlineFollowsThePoolClock() async throws {
        let database = try await TestCluster.shared.freshDatabase("pool_clock")
        let clock = ManualClock()
        let pool = PGPool(.init(conninfo: database.conninfo, maxConnections: 1, acquireTimeout: .seconds(30)), clock: clock)
        defer { pool.close() }
        // The holder blocks its connection's own thread (not the cooperative pool) until let go.
        let letGo = DispatchSemaphore(value: 0)
        let holder = Task { try await pool.withConnection { _ in letGo.wait() } }
        try await eventually { pool.usage == PGPool.Usage(open: 1, idle: 0, waiting: 0) }
        let waiter = Task { try await pool.withConnection { _ in 1 } }
        try await eventually { pool.usage.waiting == 1 && clock.sleeperCount == 1 }

        clock.advance(by: .seconds(30) - .nanoseconds(1))
        // The timer woke a nanosecond early: it sets itself again and the caller still waits.
        try await eventually { clock.sleeperCount == 1 }
        #expect(pool.usage.waiting == 1)

        clock.advance(by: .nanoseconds(1))
        let error = await #expect(throws: PGError.self) { try await waiter.value }
        #expect(error?.kind == .pool)
        #expect(error?.message.contains("no database connection became free") == true)
        letGo.signal()
        try await holder.value
        #expect(try await pool.withConnection { try $0.query("SELECT 7").first?.decode(Int.self, at: 0) } == 7)
    }
}
