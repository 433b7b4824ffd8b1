import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

@Suite("libpq pipeline mode: many statements, one round trip")
struct PipelineTests {
    let connection: PGConnection

    init() async throws {
        connection = try await TestCluster.shared.freshDatabase("pipeline").connect()
    }

    static let double = PGStatement(name: "pipeline_test_double", sql: "SELECT $1::int8 * 2")

    @Test("results come back in order, parameters apart, a prepared statement prepared once for the connection")
    func resultsInOrder() throws {
        try connection.execute("CREATE TABLE t (n int8)")
        let results = try connection.pipeline([
            .statement("BEGIN"),
            .statement("INSERT INTO t VALUES ($1), ($2)", [Int64(20), Int64(22)]),
            .prepared(Self.double, [Int64(21)]),
            .prepared(Self.double, [Int64(-5)]),
            .statement("SELECT sum(n)::int8 FROM t"),
            .statement("COMMIT"),
        ])
        #expect(results.count == 6)
        #expect(results[1].affectedRows == 2)
        #expect(try results[2].first?.decode(Int64.self, at: 0) == 42)
        #expect(try results[3].first?.decode(Int64.self, at: 0) == -10)
        #expect(try results[4].first?.decode(Int64.self, at: 0) == 42)
        // Prepared once: the next pipeline and a plain call use it without preparing it again.
        let again = try connection.pipeline([.prepared(Self.double, [Int64(4)])])
        #expect(try again[0].first?.decode(Int64.self, at: 0) == 8)
        #expect(try connection.query(Self.double, [Int64(5)]).first?.decode(Int64.self, at: 0) == 10)
        #expect(try connection.query("SELECT count(*) FROM pg_prepared_statements WHERE name = $1", [Self.double.name]).first?.decode(Int.self, at: 0) == 1)
    }

    @Test("a failing statement throws its error after the rest is skipped, rolls back, and leaves the connection ready")
    func failureMidway() throws {
        try connection.execute("CREATE TABLE u (n int8 CHECK (n > 0))")
        let error = #expect(throws: PGError.self) {
            try connection.pipeline([
                .statement("BEGIN"),
                .statement("INSERT INTO u VALUES (1)"),
                .statement("INSERT INTO u VALUES (-1)"),
                .statement("INSERT INTO u VALUES (2)"),
                .statement("COMMIT"),
            ])
        }
        #expect(error?.sqlState == "23514")
        #expect(!connection.inTransaction)
        #expect(try connection.query("SELECT count(*) FROM u").first?.decode(Int.self, at: 0) == 0)
        #expect(try connection.query("SELECT 1").first?.decode(Int.self, at: 0) == 1)
    }

    @Test("through the pool without a thread: same results, answers larger than a socket buffer, a failure leaves the pool usable")
    func poolPipelineWithoutBlocking() async throws {
        let database = try await TestCluster.shared.freshDatabase("pipeline_pool")
        let pool = database.pool(maxConnections: 1)
        defer { pool.close() }
        // The first use opens the connection on its thread; the ones after run on the caller's.
        for _ in 0..<2 {
            let results = try await pool.pipeline([
                .statement("BEGIN"),
                .prepared(Self.double, [Int64(21)]),
                .statement("SELECT n, repeat('x', 100) FROM generate_series(1, $1::int) n", [Int64(50_000)]),
                .statement("COMMIT"),
            ])
            #expect(results.count == 4)
            #expect(try results[1].first?.decode(Int64.self, at: 0) == 42)
            // About 5 MB: many reads, each after a wait for the socket.
            #expect(results[2].rowCount == 50_000)
            #expect(try results[2].rows.last?.decode(Int64.self, at: 0) == 50_000)
        }
        let error = await #expect(throws: PGError.self) {
            try await pool.pipeline([.statement("BEGIN"), .statement("SELECT 1 / 0"), .statement("COMMIT")])
        }
        #expect(error?.sqlState == "22012")
        // The next caller (the pool has one connection) is not left in the failed transaction.
        let after = try await pool.pipeline([.statement("SELECT 7")])
        #expect(try after[0].first?.decode(Int64.self, at: 0) == 7)

        // Many tasks at once over two connections: every answer is its own.
        let shared = database.pool(maxConnections: 2)
        defer { shared.close() }
        let sums = try await withThrowingTaskGroup(of: (Int64, Int64).self) { group in
            for n in Int64(1)...64 {
                group.addTask {
                    let results = try await shared.pipeline([.prepared(Self.double, [n]), .statement("SELECT $1::int8 + 1", [n])])
                    return (n, try results[0].first!.decode(Int64.self, at: 0) + results[1].first!.decode(Int64.self, at: 0))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(sums.count == 64)
        #expect(sums.allSatisfy { $0.value == 3 * $0.key + 1 })
    }

    @Test("a connection the server ends in the middle of a pipeline fails that call and is dropped; the next caller gets a new one")
    func terminatedMidPipeline() async throws {
        let database = try await TestCluster.shared.freshDatabase("pipeline_terminated")
        let pool = database.pool(maxConnections: 1)
        defer { pool.close() }
        // Opened on its thread, then used from this one.
        _ = try await pool.pipeline([.statement("SELECT 1")])
        let pid = try await pool.pipeline([.statement("SELECT pg_backend_pid()")])[0].first!.decode(Int32.self, at: 0)
        let running = Task { try await pool.pipeline([.statement("BEGIN"), .statement("SELECT pg_sleep(30)"), .statement("COMMIT")]) }
        let admin = try database.connect()
        while try admin.query(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND query = 'SELECT pg_sleep(30)' AND state = 'active'", [pid]
        ).first!.decode(Int.self, at: 0) == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        try admin.query("SELECT pg_terminate_backend($1)", [pid])
        await #expect(throws: PGError.self) { try await running.value }
        let next = try await pool.pipeline([.statement("SELECT pg_backend_pid()")])[0].first!.decode(Int32.self, at: 0)
        #expect(next != pid)
    }
}
