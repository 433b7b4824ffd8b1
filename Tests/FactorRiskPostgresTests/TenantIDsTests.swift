import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

@Suite("ids that count per tenant")
struct TenantIDsTests {
    @Test("each tenant's keys and limit decisions are numbered 1, 2, 3 … whatever the other tenants do")
    func numberedPerTenant() async throws {
        let database = try await TestCluster.shared.freshDatabase("tenant-ids")
        let pool = database.pool(maxConnections: 2)
        let importer = BundleImporter(pool: pool)
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try Fixtures.workedExampleCopy("tenant-ids-second")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tenantCSV = try String(contentsOfFile: "\(folder)/tenant.csv", encoding: .utf8)
        try Fixtures.write(tenantCSV.replacingOccurrences(of: "\ndemo,", with: "\nsecond,"), "tenant.csv", in: folder)
        try await importer.importBundle(directory: folder, tenantRef: "second")
        let stores = PostgresStores(pool: pool)
        let demo = try #require(try await stores.tenants.named("demo"))
        let second = try #require(try await stores.tenants.named("second"))

        var keys: [String] = []
        for tenant in [demo, demo, second, demo, second] {
            let (key, token) = try await stores.keys.create(tenant, role: .read, label: "")
            keys.append("\(tenant == demo ? "demo" : "second") \(key.keyID)")
            #expect(try await stores.keys.authenticate(token)?.keyID == key.keyID)
        }
        #expect(keys == ["demo 1", "demo 2", "second 1", "demo 3", "second 2"])

        func decision(_ value: Int64) -> LimitDecisionRequest {
            LimitDecisionRequest(value: value, reason: "review", author: "test")
        }
        var decisions: [String] = []
        for tenant in [second, second, demo, second] {
            let made = try await stores.decisions.setCreditLimit(tenant, debtorRef: "D1", decision(100_000))
            decisions.append("\(tenant == demo ? "demo" : "second") \(made.id)")
        }
        let approval = try await stores.decisions.setApproval(demo, clientRef: "C1", debtorRef: "D1", decision(5_000))
        #expect(decisions == ["second 1", "second 2", "demo 1", "second 3"])
        #expect(approval.id == 2)
        #expect(try await stores.decisions.decisions(demo, before: Int64.max, limit: 10).map(\.id) == [2, 1])
    }
}
