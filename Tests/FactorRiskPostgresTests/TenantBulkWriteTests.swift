import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// The bulk writes run as the tables' owner, whom row-level security does not restrict
/// (`PGConnection.tenantBulkTransaction`): what keeps each to its tenant is its own `tenant_id`
/// filters. Two tenants here hold the same bundle, every reference alike; every bulk write of one
/// (import, re-import, recalculation, live build, what-if run, staged API write) must leave every
/// row of the other as it was, and compute the first one's figures as if it were alone: a
/// statement that read the twin's rows would count them twice.
@Suite("bulk writes stay within their tenant")
struct TenantBulkWriteTests {
    static let date = CalendarDate(iso: "2026-11-20")!

    /// A digest of every row the tenant has in every table, read by the owner (no row-level security).
    static func fingerprint(_ connection: PGConnection, _ tenant: Int64) throws -> [String: String] {
        let tables = try connection.query("""
            SELECT c.table_name::text FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
            ORDER BY 1
            """).rows.map { try $0.decode(String.self, at: 0) }
        var digests: [String: String] = [:]
        for table in tables {
            digests[table] = try connection.query(
                "SELECT count(*)::text || ' ' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM \(table) x WHERE tenant_id = $1",
                [tenant]).first!.decode(String.self, at: 0)
        }
        return digests
    }

    @Test("every bulk write of one tenant leaves its twin's rows as they were, and reads none of them")
    func twinsStayApart() async throws {
        let database = try await TestCluster.shared.freshDatabase("bulk-twins")
        let pool = database.pool(maxConnections: 4)
        defer { pool.close() }
        let importer = BundleImporter(pool: pool)
        let twinFolder = try Fixtures.workedExampleCopy("bulk-twin")
        defer { try? FileManager.default.removeItem(atPath: twinFolder) }
        let tenantCSV = try String(contentsOfFile: "\(twinFolder)/tenant.csv", encoding: .utf8)
        try Fixtures.write(tenantCSV.replacingOccurrences(of: "\ndemo,", with: "\ntwin,"), "tenant.csv", in: twinFolder)
        let twin = try await importer.importBundle(directory: twinFolder, tenantRef: "twin").tenantID
        let stores = PostgresStores(pool: pool)
        let twinScope = TenantScope(id: twin)

        // The twin has rows in every kind of table: snapshots, a saved scenario, live states, keys, decisions.
        try await Recalculation.run(pool: pool, tenantRef: "twin", asOf: Self.date, wait: true)
        _ = try await stores.scenarios.run(twinScope, asOf: Self.date, scenario: Scenario(defaulted: ["G1"]), saveAs: "g1", timeout: nil)
        _ = try await stores.live.debtorExposure(twinScope, asOf: Self.date, debtorRef: "D1", admit: {})
        _ = try await stores.keys.create(twinScope, role: .read, label: "twin")
        _ = try await stores.decisions.setCreditLimit(twinScope, debtorRef: "D2", LimitDecisionRequest(value: 100_000, reason: "twin", author: "test"))
        let owner = try database.connect()
        let before = try Self.fingerprint(owner, twin)
        #expect(before["snapshot_pairs"]?.hasPrefix("0 ") == false && before["live_pairs"]?.hasPrefix("0 ") == false)

        // The other tenant, with the same references, through every bulk write.
        let demo = try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo").tenantID
        let scope = TenantScope(id: demo)
        try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: Self.date, wait: true)
        let report = try #require(try await pool.tenantTransaction(demo) { try ProductionEngine.snapshot($0, tenantID: demo, asOf: Self.date) })
        try ProductionEngineTests.expectExpected(report, Fixtures.workedExample)
        // §7 by hand, read live after a build: D1 guarantees 125,000 with 25,000 of its limit left.
        let d1 = try #require(try await stores.live.debtorExposure(scope, asOf: Self.date, debtorRef: "D1", admit: {}).value)
        #expect(d1.debtor.guaranteed == 12_500_000 && d1.debtor.availableLimit == 2_500_000)
        let (outcome, _) = try await stores.scenarios.run(scope, asOf: Self.date, scenario: Scenario(defaulted: ["G1"]), saveAs: "g1", timeout: nil)
        let (twinOutcome, _) = try await stores.scenarios.run(twinScope, asOf: Self.date, scenario: Scenario(defaulted: ["G1"]), saveAs: nil, timeout: nil)
        #expect(outcome.loss == twinOutcome.loss && outcome.loss > 0)
        // A batch staged as a large one is, merged from its temporary table.
        let staged = PostgresDocumentStore(pool: pool, directLimit: 0)
        let batch = try await staged.check(scope, .documents, rows: [["I99", "C1", "D1", "invoice", "EUR", "1000.00", "1000.00", "2026-11-01", "2026-12-31", "false"]])
        let counts = try await staged.write(scope, batch)
        #expect(counts.inserted == 1)
        // A newer extract, merged into the stored rows: I1 paid down to 60,000.00.
        let newer = try Fixtures.workedExampleCopy("bulk-newer")
        defer { try? FileManager.default.removeItem(atPath: newer) }
        let documents = try String(contentsOfFile: "\(newer)/documents.csv", encoding: .utf8)
        try Fixtures.write(documents.replacingOccurrences(of: "I1,C1,D1,invoice,EUR,100000.00,70000.00,", with: "I1,C1,D1,invoice,EUR,100000.00,60000.00,"),
                           "documents.csv", in: newer)
        let merged = try await importer.importBundle(directory: newer, tenantRef: "demo")
        #expect(merged.files.first { $0.file == "documents.csv" }?.updated == 1)

        #expect(try Self.fingerprint(owner, twin) == before)
        var twinReport = try #require(try await pool.tenantTransaction(twin) { try ProductionEngine.snapshot($0, tenantID: twin, asOf: Self.date) })
        twinReport.tenantRef = report.tenantRef
        #expect(twinReport == report)
    }
}
