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
}
