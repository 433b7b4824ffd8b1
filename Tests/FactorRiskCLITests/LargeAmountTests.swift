import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// Amounts too large for the sums the engine keeps: refused at the edge, and a tenant whose sums
/// pass 64 bits anyway (many amounts at the ceiling) fails alone and says why.
@Suite("the largest amount, and sums beyond 64 bits")
struct LargeAmountTests {
    let binary = try! BinaryLocator.factorRisk()

    func run(_ arguments: [String], _ database: TestDatabase) throws -> ProcessRunner.Outcome {
        try ProcessRunner(workingDirectory: "/tmp").run(binary, arguments, environment: ["DATABASE_URL": database.conninfo])
    }

    /// The worked example, as tenant `tenant`, with `documents` (CSV lines, no header) in place of its documents.csv.
    func bundle(_ label: String, tenant: String = "demo", documents: [String]) throws -> String {
        let folder = try Fixtures.workedExampleCopy(label)
        let header = try String(contentsOfFile: "\(folder)/tenant.csv", encoding: .utf8)
        try Fixtures.write(header.replacingOccurrences(of: "\ndemo,", with: "\n\(tenant),"), "tenant.csv", in: folder)
        try Fixtures.write(
            (["doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed"] + documents)
                .joined(separator: "\n") + "\n", "documents.csv", in: folder)
        return folder
    }

    @Test("an amount above 99,999,999,999,999.99 EUR is refused by file, line and column, and nothing is written")
    func refusedAtTheEdge() async throws {
        let database = try await TestCluster.shared.freshDatabase("large-edge")
        let folder = try bundle("large-edge", documents: [
            "L1,C1,D1,invoice,EUR,99999999999999.99,99999999999999.99,2026-11-01,2026-12-01,false",
            "L2,C1,D1,invoice,EUR,50000000000000000.00,50000000000000000.00,2026-11-01,2026-12-01,false",
            "L3,C1,D1,invoice,JPY,10000000000000000,1,2026-11-01,2026-12-01,false",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try run(["import", "--tenant", "demo", folder], database)
        #expect(outcome.status == 1)
        #expect(outcome.output.contains(
            "documents.csv line 3, column amount: 50000000000000000.00 is above the largest amount, 99999999999999.99"), "\(outcome.output)")
        #expect(outcome.output.contains("documents.csv line 3, column open_amount: 50000000000000000.00 is above the largest amount"))
        #expect(outcome.output.contains("documents.csv line 4, column amount: 10000000000000000 is above the largest amount, 9999999999999999"))
        #expect(!outcome.output.contains("line 2,"), "the ceiling itself is taken: \(outcome.output)")
        let connection = try database.connect()
        #expect(try connection.query("SELECT count(*) FROM tenants").first?.decode(Int.self, at: 0) == 0)
    }

    @Test("a tenant whose sums pass 64 bits fails alone with a message saying what to look for; the others are recalculated")
    func sumsBeyondSixtyFourBits() async throws {
        let database = try await TestCluster.shared.freshDatabase("large-sums")
        // 1,000 invoices at the ceiling on one pair: 9,999,999,999,999,999,000 minor units on C1/D3.
        let folder = try bundle("large-sums", tenant: "huge", documents: (1...1000).map {
            "H\($0),C1,D3,invoice,EUR,99999999999999.99,99999999999999.99,2026-11-01,2026-12-01,false"
        })
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let huge = try run(["import", "--tenant", "huge", folder], database)
        #expect(huge.status == 0, "\(huge.output)")
        let demo = try run(["import", "--tenant", "demo", Fixtures.workedExample], database)
        #expect(demo.status == 0, "\(demo.output)")

        let outcome = try run(["recalc", "--all", "--as-of", "2026-11-20"], database)
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("tenant huge: a sum or a converted amount is beyond what the engine computes"), "\(outcome.output)")
        #expect(outcome.output.contains("look for the largest amounts and exchange rates"))
        let connection = try database.connect()
        let stored = try connection.query(
            "SELECT t.tenant_ref FROM snapshots s JOIN tenants t USING (tenant_id) ORDER BY 1").rows.map { try $0.decode(String.self, at: 0) }
        #expect(stored == ["demo"])
    }
}
