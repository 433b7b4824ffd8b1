import FactorRiskCore
import FactorRiskHTTP
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing

/// A real server on a free port, over a fresh database holding the worked example as tenant
/// "demo" (with its snapshot of 2026-11-20) and a small tenant "other".
struct APIHarness: Sendable {
    let database: TestDatabase
    let pool: PGPool
    /// HummingbirdTesting's live client, connected to the server for the length of the test.
    let live: any TestClientProtocol
    let demo: Int64
    let other: Int64
    /// Keys of demo by role, and a read key of other.
    let read: String, write: String, admin: String, otherRead: String, otherWrite: String

    static let asOf = CalendarDate(iso: "2026-11-20")!

    /// Runs `test` against the server (`app.test(.live)`), which then shuts down, closing its pool.
    /// `liveBuildsPerMinute` is the server's budget of live builds per key and `scenarioTimeout` how
    /// long a scenario's statement may run (`serve`'s defaults unless given).
    static func run(
        _ label: String, liveBuildsPerMinute: Int = APIServer.Configuration().liveBuildsPerMinute,
        scenarioTimeout: Duration = APIServer.Configuration().scenarioTimeout,
        _ test: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        let database = try await TestCluster.shared.freshDatabase(label)
        let setup = database.pool(maxConnections: 2)
        try await BundleImporter(pool: setup).importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = TestCluster.temporaryFolder("\(label)-other")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Fixtures.write("tenant_ref,name,base_currency,home_country,own_funds\nother,Other Factor,EUR,FR,500000.00\n", "tenant.csv", in: folder)
        try Fixtures.write("debtor_ref,name,country,group_ref,credit_limit\nX1,Other Debtor,FR,,1000.00\n", "debtors.csv", in: folder)
        try await BundleImporter(pool: setup).importBundle(directory: folder, tenantRef: "other")
        func id(_ ref: String) async throws -> Int64 {
            try await setup.withConnection { try $0.query("SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [ref]).first!.decode(Int64.self, at: 0) }
        }
        let demo = try await id("demo")
        let other = try await id("other")
        try await setup.tenantBulkTransaction(demo) { try ProductionEngine.recalculate($0, tenantID: demo, asOf: asOf) }
        func key(_ tenant: Int64, _ role: APIRole) async throws -> String {
            try await setup.tenantTransaction(tenant) { try APIKeys.create($0, tenantID: tenant, role: role, label: "\(role.rawValue) test").token }
        }
        let keys = (try await key(demo, .read), try await key(demo, .write), try await key(demo, .admin),
                    try await key(other, .read), try await key(other, .write))
        setup.close()

        let pool = database.pool(maxConnections: 4)
        var logger = Logger(label: "factor-risk-test")
        logger.logLevel = .critical
        let application = APIServer.application(pool: pool, configuration: .init(host: "127.0.0.1", port: 0, keyCacheSeconds: 0, liveBuildsPerMinute: liveBuildsPerMinute,
                                                                                        scenarioTimeout: scenarioTimeout), logger: logger)
        try await application.test(.live) { live in
            try await test(APIHarness(database: database, pool: pool, live: live, demo: demo, other: other,
                                      read: keys.0, write: keys.1, admin: keys.2, otherRead: keys.3, otherWrite: keys.4))
        }
    }

    func client(_ token: String?) -> HTTPTestClient { HTTPTestClient(live, token: token) }

    /// A row of the worked example's expected report for `level` whose `key` is `ref`.
    static func expectedRow(_ level: String, _ key: String, _ ref: String) throws -> JSONValue? {
        guard case .array(let rows)? = try expected(level)["rows"] else { return nil }
        return rows.first { $0[key] == .string(ref) }
    }

    static func expected(_ level: String) throws -> JSONValue {
        try ExpectedReport.json(Fixtures.workedExample, ReportLevel(rawValue: level)!)
    }
}
