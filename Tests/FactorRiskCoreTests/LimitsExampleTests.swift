import FactorRiskCore
import Foundation
import Testing

/// The third worked example of the rulebook (`Tests/Fixtures/limits`, RULEBOOK.md §9): limits in
/// time and credit insurance, which this version does not compute yet (rulebook version 3). Until
/// it does, the example holds the service to what it can say of the bundle: its §9 files are
/// refused by a message that says so, and its other files give the figures the example's README
/// works out for the limits of debtors.csv and approvals.csv ("with 300,000 it would be …").
@Suite("the limits example (RULEBOOK §9) under rulebook version 2")
struct LimitsExampleTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/limits").path

    @Test("its limit_changes.csv and insurance.csv are refused as files of rulebook version 3, not as misspelt names")
    func laterFilesRefused() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder)
        let refused = names.filter { $0.hasSuffix(".csv") && BundleEntry(name: $0) == .unknown }.sorted()
        #expect(refused == ["insurance.csv", "limit_changes.csv"])
        for name in refused {
            #expect(BundleEntry.unknownName(name).description.contains("a file of rulebook version 3"), "\(name)")
        }
        #expect(!BundleEntry.unknownName("limit_change.csv").description.contains("version 3"))
    }

    @Test("the other files give the README's figures for the limits as the files state them")
    func classicFigures() throws {
        // WorkedExampleTests' loader reads only the files BundleFile knows.
        let report = ReferenceEngine.compute(try WorkedExampleTests.loadPortfolio(Self.folder), asOf: CalendarDate(iso: "2026-11-20")!)
        func debtor(_ ref: String) throws -> RiskReport.DebtorRow { try #require(report.debtors.first { $0.debtorRef == ref }) }
        func pair(_ client: String, _ debtor: String) throws -> RiskReport.PairRow {
            try #require(report.pairs.first { $0.clientRef == client && $0.debtorRef == debtor })
        }
        // L2–M1: W1 60,000 eligible over the 50,000 of approvals.csv (80,000 once LC10 is in force).
        #expect(try pair("L2", "M1").guaranteed == 5_000_000)
        // M1: 120,000 + 50,000 of the 300,000 of debtors.csv = 5,666 bp: no warning, approvals 200,000 within it.
        #expect(try debtor("M1").utilizationBP == 5666)
        #expect(try debtor("M1").flags.isEmpty)
        // M4: 50,000 of 100,000 (0 once LC08 is in force, a breach).
        #expect(try (debtor("M4").utilizationBP, debtor("M4").flags) == (5000, []))
        // L2–M5: W5 is eligible under the 40,000 of approvals.csv (unapproved once LC12 is in force).
        #expect(try pair("L2", "M5").eligible == 2_000_000)
        // M3: min(headroom 110,000, ES 460,000 − 140,000, GB 250,000 − 140,000) = 110,000, "without the cut".
        #expect(try debtor("M3").availableLimit == 11_000_000)
        // M5: the 80,000 of debtors.csv; LC09 is announced after D anyway.
        #expect(try debtor("M5").creditLimit == 8_000_000)
    }
}
