import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

@Suite("migrations")
struct MigratorTests {
    let database: TestDatabase

    init() async throws {
        database = try await TestCluster.shared.emptyDatabase("migrations")
    }

    static let first = Migration(version: 1, name: "first", sql: "CREATE TABLE one (id int PRIMARY KEY);")
    static let second = Migration(version: 2, name: "second", sql: "CREATE TABLE two (id int PRIMARY KEY); INSERT INTO two VALUES (2);")

    func tables(_ connection: PGConnection) throws -> [String] {
        try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").rows.map { try $0.decode(at: 0) }
    }

    @Test("migrations apply in order, once, each recorded with a checksum")
    func appliesInOrderOnce() throws {
        let connection = try database.connect()
        let report = try Migrator(migrations: [Self.second, Self.first]).migrate(connection)
        #expect(report.pending.map(\.version) == [1, 2])
        #expect(try tables(connection) == ["factor_risk_migrations", "one", "two"])
        let again = try Migrator(migrations: [Self.first, Self.second]).migrate(connection)
        #expect(again.pending.isEmpty)
        #expect(again.applied.map(\.version) == [1, 2])
        #expect(try connection.query("SELECT count(*) FROM two").first?.decode(Int.self, at: 0) == 1)
        // The checksum is the SHA-256 of the file's text.
        let checksum = try connection.query("SELECT checksum FROM factor_risk_migrations WHERE version = 1").first?.decode(String.self, at: 0)
        let expected = try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [Self.first.sql]).first?.decode(String.self, at: 0)
        #expect(checksum == expected)
        #expect(checksum?.count == 64)
    }

    @Test("a file edited after it was applied is refused, and nothing more is applied")
    func editedFileIsRefused() throws {
        let connection = try database.connect()
        try Migrator(migrations: [Self.first]).migrate(connection)
        let edited = Migration(version: 1, name: "first", sql: "CREATE TABLE one (id bigint PRIMARY KEY);")
        let error = #expect(throws: Migrator.Failure.self) {
            try Migrator(migrations: [edited, Self.second]).migrate(connection)
        }
        #expect(error?.description.contains("0001_first.sql was edited after it was applied") == true)
        #expect(try tables(connection) == ["factor_risk_migrations", "one"])
    }

    @Test("a database migrated by a newer build is refused by an older one")
    func unknownAppliedMigrationIsRefused() throws {
        let connection = try database.connect()
        try Migrator(migrations: [Self.first, Self.second]).migrate(connection)
        let error = #expect(throws: Migrator.Failure.self) { try Migrator(migrations: [Self.first]).migrate(connection) }
        #expect(error?.description.contains("migration 2 (second) that this build does not know") == true)
    }

    @Test("a failing migration leaves nothing of itself behind")
    func failingMigrationRollsBack() throws {
        let connection = try database.connect()
        let broken = Migration(version: 2, name: "broken", sql: "CREATE TABLE half (id int); SELECT 1/0;")
        let error = #expect(throws: Migrator.Failure.self) { try Migrator(migrations: [Self.first, broken]).migrate(connection) }
        #expect(error?.description.contains("0002_broken.sql failed: division by zero") == true)
        #expect(try tables(connection) == ["factor_risk_migrations", "one"])
        #expect(try Migrator(migrations: [Self.first, Self.second]).migrate(connection).pending.map(\.version) == [2])
    }

    @Test("a dry run lists what is pending and changes nothing")
    func dryRunChangesNothing() throws {
        let connection = try database.connect()
        let report = try Migrator(migrations: [Self.first]).migrate(connection, dryRun: true)
        #expect(report.pending.map(\.version) == [1])
        #expect(try tables(connection) == ["factor_risk_migrations"])
    }

    @Test("two migrators started at once take turns: each migration runs exactly once")
    func concurrentRunsTakeTurns() async throws {
        let database = self.database
        let reports = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let pool = database.pool(maxConnections: 1)
                    defer { pool.close() }
                    return try await pool.withConnection { try Migrator().migrate($0).pending.count }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(reports.sorted() == [0, Migration.bundled.count])
    }

    @Test("the bundled migrations are numbered from 1 with no gap")
    func bundledMigrationsAreContiguous() {
        #expect(Migration.bundled.map(\.version) == Array(1...Migration.bundled.count))
        #expect(Migration.bundled.first?.fileName == "0001_schema_v1.sql")
    }
}
