import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Glibc
import Testing

/// Each test here has a cluster of its own, since it stops, kills or restarts it.
@Suite("embedded cluster and reconnection", .serialized)
struct EmbeddedPostgresTests {
    func newCluster(_ label: String, durable: Bool = false) -> EmbeddedPostgres {
        let settings = durable ? [:] : TestCluster.fastSettings
        let cluster = EmbeddedPostgres(stateDirectory: TestCluster.temporaryFolder(label), settings: settings)
        ClusterCleanup.register(cluster)
        return cluster
    }

    @Test("the pool reconnects after the server is restarted mid-run")
    func reconnectAfterRestart() async throws {
        let cluster = newCluster("restart")
        try await cluster.start()
        let pool = PGPool(.init(conninfo: cluster.conninfo(), maxConnections: 2))
        defer { pool.close() }
        let before = try await pool.withConnection { $0.backendPID }
        try await pool.withConnection { try $0.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)") }

        try await cluster.stop()
        // While the server is down, a call fails at once with a connection error, not a hang.
        let down = await #expect(throws: PGError.self) { try await pool.withConnection { try $0.query("SELECT 1") } }
        #expect(down?.isConnectionFailure == true)

        try await cluster.start()
        // The first call after the restart already succeeds: the dead connection is replaced before use.
        let after = try await pool.withConnection { connection in
            (connection.backendPID, try connection.query("SELECT count(*) FROM kept").first?.decode(Int.self, at: 0))
        }
        #expect(after.0 != before)
        #expect(after.1 == 1)
        #expect(pool.usage.open <= 2)
        try await cluster.stop()
    }

    @Test("a restart while connections sit idle goes unnoticed by the next callers")
    func idleConnectionsAreValidated() async throws {
        let cluster = newCluster("idle")
        try await cluster.start()
        let pool = PGPool(.init(conninfo: cluster.conninfo(), maxConnections: 3))
        defer { pool.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { _ = try await pool.withConnection { try $0.query("SELECT pg_sleep(0.1)") } } }
            try await group.waitForAll()
        }
        #expect(pool.usage.idle == 3)
        try await cluster.stop()
        try await cluster.start()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<6 {
                group.addTask { try await pool.withConnection { try $0.query("SELECT $1::int", [i]).first!.decode(Int.self, at: 0) } }
            }
            return try await group.reduce(0, +)
        }
        #expect(values == 15)
        try await cluster.stop()
    }

    @Test("a crashed server (killed with SIGKILL) is recovered by the next start")
    func crashRecovery() async throws {
        // Durable settings: with synchronous_commit off, a commit may legitimately vanish in a crash.
        let cluster = newCluster("crash", durable: true)
        try await cluster.start()
        do {
            let connection = try PGConnection(conninfo: cluster.conninfo())
            try connection.execute("CREATE TABLE survived (n int); INSERT INTO survived VALUES (42)")
        }
        guard case .running(let pid, _) = cluster.status() else {
            Issue.record("cluster not running after start")
            return
        }
        kill(pid, SIGKILL)
        while kill(pid, 0) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(cluster.status() == .stopped)
        #expect(FileManager.default.fileExists(atPath: "\(cluster.dataDirectory)/postmaster.pid"))
        #expect(try await cluster.start())
        let connection = try PGConnection(conninfo: cluster.conninfo())
        #expect(try connection.query("SELECT n FROM survived").first?.decode(Int.self, at: 0) == 42)
        try await cluster.stop()
    }

    @Test("a pid file naming a live process that is not PostgreSQL is cleared, not a dead end")
    func stalePidFileWithReusedPid() async throws {
        let cluster = newCluster("stale")
        try await cluster.start()
        try await cluster.stop()
        // Our own pid is alive and is not a PostgreSQL server: as after a reboot that reused the number.
        let fake = "\(getpid())\n\(cluster.dataDirectory)\n1700000000\n5432\n\(cluster.socketDirectory)\n\n  5432001    32768\nready   \n"
        let path = "\(cluster.dataDirectory)/postmaster.pid"
        try fake.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(cluster.status() == .stopped)
        #expect(try await cluster.start())
        guard case .running(let pid, _) = cluster.status() else {
            Issue.record("cluster not running after start")
            return
        }
        #expect(pid != getpid())
        #expect(try await !cluster.start())
        #expect(try await cluster.stop())
        #expect(try await !cluster.stop())
    }
}
