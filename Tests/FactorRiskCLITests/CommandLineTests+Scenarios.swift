import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// A what-if scenario (RULEBOOK §9.4) saved under a name, read through the real binary: `report
/// --scenario NAME` shows its rows, `diff --scenario NAME` what it changes against the baseline.
extension CommandLineTests {
    @Test("report --scenario reads a saved scenario of the limits example (the baseline unchanged); diff --scenario compares it with the baseline; an unsaved name is an error")
    func savedScenarioThroughTheCommandLine() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli_scenarios")
        let url = database.conninfo
        _ = try loadExample("limits", recalculatedOn: ["2026-11-20"], databaseURL: url)
        let connection = try database.connect()
        let tenant: Int64 = try connection.query("SELECT tenant_id FROM tenants WHERE tenant_ref = 'limits'").first!.decode(at: 0)
        let saved = try connection.tenantBulkTransaction(tenant) {
            try ScenarioEngine.run($0, tenantID: tenant, asOf: CalendarDate(iso: "2026-11-20")!, scenario: Scenario(defaulted: ["GB"]), saveAs: "gb")
        }

        // Every level of the saved scenario, as the engine computed it.
        for level in ReportLevel.allCases {
            let json = try run(["report", "--tenant", "limits", "--as-of", "2026-11-20", "--by", level.rawValue, "--scenario", "gb",
                                "--format", "json"], databaseURL: url)
            let expected = try JSONSerialization.jsonObject(with: Data(saved.report.json(level).rendered().utf8)) as! NSObject
            #expect((try? JSONSerialization.jsonObject(with: Data(json.output.utf8))) as? NSObject == expected, "\(level.rawValue): \(json.output)")
        }
        // By hand (the example's README): GB's debtors M3 and M4 default; L1 is over-advanced by 32,500.00.
        let clients = try run(["report", "--tenant", "limits", "--as-of", "2026-11-20", "--by", "client", "--scenario", "gb",
                               "--format", "csv"], databaseURL: url)
        let rows = clients.output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let availability = try #require(rows.first?.firstIndex(of: "availability"), "\(clients.output)")
        #expect(rows.first { $0.first == "L1" }?[availability] == "-32500.00", "\(clients.output)")
        // The baseline is still the expected report.
        try expectExpectedReports("limits", asOf: "2026-11-20", databaseURL: url)

        // Against the baseline of the same date: L1's over-advance is new, M4's limit breach cleared.
        let diff = try run(["diff", "--tenant", "limits", "--to", "2026-11-20", "--scenario", "gb", "--format", "csv"], databaseURL: url)
        #expect(diff.status == 0, "\(diff.output)")
        let breaches = diff.output.split(separator: "\n").filter { $0.hasPrefix("breach,") }.map { $0.split(separator: ",").prefix(5).joined(separator: ",") }
        #expect(breaches == ["breach,new,client,L1,OVER_ADVANCE", "breach,cleared,debtor,M4,DEBTOR_LIMIT_BREACH"], "\(diff.output)")

        let missing = try run(["report", "--tenant", "limits", "--as-of", "2026-11-20", "--scenario", "nope"], databaseURL: url)
        #expect(missing.status != 0)
        #expect(missing.output.contains("no scenario \"nope\" saved for tenant \"limits\" as of 2026-11-20"), "\(missing.output)")
        let otherDate = try run(["diff", "--tenant", "limits", "--to", "2026-11-21", "--from", "2026-11-20", "--scenario", "gb"], databaseURL: url)
        #expect(otherDate.status != 0 && otherDate.output.contains("no scenario \"gb\""), "\(otherDate.output)")
        let badName = try run(["report", "--tenant", "limits", "--as-of", "2026-11-20", "--scenario", "a b"], databaseURL: url)
        #expect(badName.status != 0 && badName.output.contains("is not a scenario name"), "\(badName.output)")
        let noFrom = try run(["diff", "--tenant", "limits", "--to", "2026-11-20"], databaseURL: url)
        #expect(noFrom.status != 0 && noFrom.output.contains("--from is needed"), "\(noFrom.output)")
    }
}
