import FactorRiskCore
import FactorRiskTestSupport
import Foundation
import Testing

/// The limits example (RULEBOOK §9, `Tests/Fixtures/limits`) through the real binary: import,
/// recalc on two dates, the report of every level, a sort by a §9 figure, and `diff` naming the
/// limits that changed in between.
extension CommandLineTests {
    @Test("the limits example through import, recalc and report at every level; sorted by projected excess; diff lists the limits cut by 2026-12-05")
    func limitsExampleEndToEnd() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli_limits")
        let url = database.conninfo
        let imported = try loadExample("limits", recalculatedOn: ["2026-11-20", "2026-12-05"], databaseURL: url)
        #expect(imported.contains("limit_changes.csv: 12 rows, 12 new"), "\(imported)")
        #expect(imported.contains("insurance.csv: 4 rows, 4 new"), "\(imported)")
        try expectExpectedReports("limits", asOf: "2026-11-20", databaseURL: url)

        // Only M2 has a projected excess (guaranteed 100,000 against its pending 60,000): first, then the others at 0.
        let sorted = try run(["report", "--tenant", "limits", "--as-of", "2026-11-20", "--by", "debtor", "--sort", "projected_excess",
                              "--format", "csv"], databaseURL: url)
        let rows = sorted.output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let excess = try #require(rows.first?.firstIndex(of: "projected_excess"), "\(sorted.output)")
        #expect(rows.dropFirst().first?.first == "M2", "\(sorted.output)")
        #expect(rows.dropFirst().map { $0[excess] } == ["40000.00", "0.00", "0.00", "0.00", "0.00"], "\(sorted.output)")

        // By 2026-12-05, LC05 has cut M2's credit limit (LC04 the same day was announced earlier) and LC11 (12-01)
        // L1–M3's approval; LC07 (M3, 12-20) and LC09 (M5, 12-21) are still ahead; nothing else moves.
        let csv = try run(["diff", "--tenant", "limits", "--from", "2026-11-20", "--to", "2026-12-05", "--format", "csv"], databaseURL: url)
        #expect(csv.status == 0, "\(csv.output)")
        #expect(csv.output.split(separator: "\n").filter { $0.hasPrefix("limit,") } == [
            "limit,down,debtor,M2,credit_limit,150000.00,60000.00,-90000.00",
            "limit,down,pair,L1/M3,approved,100000.00,40000.00,-60000.00",
        ], "\(csv.output)")

        let json = try run(["diff", "--tenant", "limits", "--from", "2026-11-20", "--to", "2026-12-05", "--format", "json"], databaseURL: url)
        let object = (try? JSONSerialization.jsonObject(with: Data(json.output.utf8))) as? [String: Any]
        let limits = object?["limits"] as? NSArray
        let expected: NSArray = [
            ["subject": "debtor", "client_ref": NSNull(), "debtor_ref": "M2", "field": "credit_limit",
             "before": "150000.00", "after": "60000.00", "change": "-90000.00"],
            ["subject": "pair", "client_ref": "L1", "debtor_ref": "M3", "field": "approved",
             "before": "100000.00", "after": "40000.00", "change": "-60000.00"],
        ]
        #expect(limits == expected, "\(json.output)")

        let table = try run(["diff", "--tenant", "limits", "--from", "2026-11-20", "--to", "2026-12-05", "--format", "table"], databaseURL: url)
        let lines = table.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("Limits changed"), "\(table.output)")
        #expect(lines.contains("debtor M2 credit_limit 150,000.00 60,000.00 -90,000.00"), "\(table.output)")
        #expect(lines.contains("pair L1 M3 approved 100,000.00 40,000.00 -60,000.00"), "\(table.output)")

        // Back the other way the cuts are raises; a snapshot against itself changes no limit.
        let back = try run(["diff", "--tenant", "limits", "--from", "2026-12-05", "--to", "2026-11-20", "--format", "csv"], databaseURL: url)
        #expect(back.output.split(separator: "\n").filter { $0.hasPrefix("limit,") } == [
            "limit,up,debtor,M2,credit_limit,60000.00,150000.00,90000.00",
            "limit,up,pair,L1/M3,approved,40000.00,100000.00,60000.00",
        ], "\(back.output)")
        let same = try run(["diff", "--tenant", "limits", "--from", "2026-11-20", "--to", "2026-11-20", "--format", "csv"], databaseURL: url)
        #expect(!same.output.contains("limit,"), "\(same.output)")
    }
}
