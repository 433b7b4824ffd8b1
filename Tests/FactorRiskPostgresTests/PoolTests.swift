import FactorRiskPostgres
import Foundation
import FactorRiskTestSupport

import Testing

@Suite("connection pool")
struct PoolTests {
    let database: TestDatabase

    init() async throws {
        database = try await TestCluster.shared.freshDatabase("pool")
    }

    /// Polls the server (through a pool of its own, sleeping between looks) until `count`
    /// sessions of this database run `query`.
    func waitForActiveQueries(_ query: String, count: Int) async throws {
        let watcher = database.pool(maxConnections: 1)
        defer { watcher.close() }
        let name = database.name
        while true {
            let active = try await watcher.withConnection { connection in
                try connection.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND query = $2 AND state = 'active'", [name, query]
                ).first?.decode(Int.self, at: 0) ?? 0
            }
            if active >= count { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("32 concurrent tasks share 4 connections, never more, and all finish")
    func boundedUnderConcurrency() async throws {
        let pool = database.pool(maxConnections: 4)
        defer { pool.close() }
        let peak = Locked(0)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for task in 0..<32 {
                group.addTask {
                    try await pool.withConnection { connection in
                        let open = pool.usage.open
                        peak.withLock { $0 = max($0, open) }
                        let row = try connection.query("SELECT pg_backend_pid(), $1::int + 0 FROM pg_sleep(0.02)", [task]).first
                        #expect(try row?.decode(Int.self, at: 1) == task)
                        return connection.backendPID
                    }
                }
            }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        #expect(pids.count == 32)
        #expect(Set(pids).count == 4)
        #expect(peak.withLock { $0 } == 4)
        #expect(pool.usage == PGPool.Usage(open: 4, idle: 4, waiting: 0))
        // The server saw at most 4 sessions of this database at once.
        let sessions = try database.connect().query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'factor-risk'", [database.name])
        #expect(try sessions.first?.decode(Int.self, at: 0) == 4 + 1)
    }

    @Test("blocking queries run on the pool's own threads: the cooperative pool stays free")
    func blockingCallsStayOffTheCooperativePool() async throws {
        let pool = database.pool(maxConnections: 4)
        defer { pool.close() }
        let finished = Locked(0)
        let sleepers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(20)") }
                        finished.withLock { $0 += 1 }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Wait until all four connections are busy on the server.
        try await waitForActiveQueries("SELECT pg_sleep(20)", count: 4)
        // More tasks than this machine has cores now run on the cooperative pool while the four
        // queries still sleep: had libpq blocked those threads, none of these could run. The sleep
        // is long enough for a machine busy with the rest of the suite to schedule them (6 s was not).
        let ran = await withTaskGroup(of: Int.self) { group in
            for value in 0..<16 { group.addTask { value } }
            return await group.reduce(0, +)
        }
        #expect(ran == 120)
        #expect(finished.withLock { $0 } == 0)
        try await sleepers.value
        #expect(finished.withLock { $0 } == 4)
    }

    @Test("a caller waits for a busy pool, and gets a clear error when nothing frees up in time")
    func acquireTimeout() async throws {
        let pool = database.pool(maxConnections: 1, acquireTimeout: .milliseconds(300))
        defer { pool.close() }
        // The holder's query outlasts the check by far: with the suite's load, seeing a 2 s sleep
        // active and then asking took longer than the sleep once, and the caller got the connection.
        let holder = Task { try await pool.withConnection { try $0.query("SELECT pg_sleep(15)") } }
        try await waitForActiveQueries("SELECT pg_sleep(15)", count: 1)
        let error = await #expect(throws: PGError.self) { try await pool.withConnection { _ in 1 } }
        #expect(error?.kind == .pool)
        #expect(error?.message.contains("no database connection became free") == true)
        _ = try await holder.value
        #expect(try await pool.withConnection { try $0.query("SELECT 5").first?.decode(Int.self, at: 0) } == 5)
    }

    @Test("an unreachable server fails at once with libpq's reason, not a hang")
    func unreachableServerFailsFast() async throws {
        let folder = TestCluster.temporaryFolder("nothing-listens")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pool = PGPool(.init(conninfo: "host=\(folder) port=5432 dbname=x user=x connect_timeout=2", maxConnections: 2))
        defer { pool.close() }
        let error = await #expect(throws: PGError.self) { try await pool.withConnection { _ in 1 } }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("cannot connect to PostgreSQL") == true)
        #expect(error?.message.contains(folder) == true)
    }

    @Test("cancelling the task cancels the query on the server")
    func cancellationReachesTheServer() async throws {
        let pool = database.pool(maxConnections: 1)
        defer { pool.close() }
        let long = Task { try await pool.withConnection { try $0.query("SELECT pg_sleep(60)") } }
        try await waitForActiveQueries("SELECT pg_sleep(60)", count: 1)
        long.cancel()
        let error = await #expect(throws: PGError.self) { _ = try await long.value }
        #expect(error?.sqlState == "57014")
        // The same connection serves the next caller.
        #expect(try await pool.withConnection { try $0.query("SELECT 1").first?.decode(Int.self, at: 0) } == 1)
    }

    @Test("a transaction left open by a caller is rolled back before the connection is reused")
    func leftoverTransactionIsRolledBack() async throws {
        let pool = database.pool(maxConnections: 1)
        defer { pool.close() }
        try await pool.withConnection { try $0.execute("CREATE TABLE t (n int)") }
        try await pool.withConnection { connection in
            try connection.execute("BEGIN")
            try connection.query("INSERT INTO t VALUES (1)")
        }
        let state = try await pool.withConnection { connection in
            (connection.inTransaction, try connection.query("SELECT count(*) FROM t").first?.decode(Int.self, at: 0))
        }
        #expect(state.0 == false)
        #expect(state.1 == 0)
    }
}
