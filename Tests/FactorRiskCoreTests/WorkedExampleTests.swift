import FactorRiskCore
import FactorRiskTestSupport
import Foundation
import Testing

/// RULEBOOK.md §7: the worked example bundle and its expected report at every level.
@Suite("reference engine: the worked example")
struct WorkedExampleTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/worked").path

    static func loadPortfolio(_ folder: String = folder) throws -> Portfolio {
        var files: [BundleFile: [UInt8]] = [:]
        for file in BundleFile.allCases {
            if let data = FileManager.default.contents(atPath: "\(folder)/\(file.fileName)") { files[file] = Array(data) }
        }
        return try Portfolio(bundle: files, policy: FileManager.default.contents(atPath: "\(folder)/\(BundleFile.policyFileName)").map(Array.init))
    }

    static let report: RiskReport = {
        let portfolio = try! loadPortfolio()
        return ReferenceEngine.compute(portfolio, asOf: CalendarDate(iso: "2026-11-20")!)
    }()

    /// Parses JSON text into Foundation objects, so that key order and spacing do not matter.
    static func parsed(_ data: Data) throws -> NSObject {
        try #require(try JSONSerialization.jsonObject(with: data) as? NSObject)
    }

    /// Compares `report`'s JSON of `level` with the expected file of the bundle in `folder`.
    static func expectMatches(_ report: RiskReport, _ level: ReportLevel, folder: String) throws {
        let expectedData = try ExpectedReport.data(folder, level)
        let produced = report.json(level).rendered()
        let expected = try parsed(expectedData)
        let actual = try parsed(Data(produced.utf8))
        #expect(actual == expected, "\(level.rawValue):\n\(produced)")
    }

    @Test("every level's JSON equals the expected report", arguments: ReportLevel.allCases)
    func levelMatchesExpected(level: ReportLevel) throws {
        try Self.expectMatches(Self.report, level, folder: Self.folder)
    }

    @Test("the figures of §7 worked by hand")
    func handFigures() {
        let report = Self.report
        let c1d1 = report.pairs.first { $0.clientRef == "C1" && $0.debtorRef == "D1" }!
        // I1 70,000 eligible, I2 20,000 aged, N1 5,000 credit note: gross 85,000, eligible 65,000.
        #expect((c1d1.gross, c1d1.eligible, c1d1.guaranteed, c1d1.ineligible.aged) == (8_500_000, 6_500_000, 6_500_000, 2_000_000))
        // I3: USD 50,000.00 × 0.9000 = 45,000.00; foreign cover 90 % → 40,500.
        let c1d3 = report.pairs.first { $0.clientRef == "C1" && $0.debtorRef == "D3" }!
        #expect((c1d3.eligible, c1d3.covered, c1d3.coverBP) == (4_500_000, 4_050_000, 9000))
        // C2–D1: 80,000 eligible over a 60,000 approval; confidential weight 150 %.
        let c2d1 = report.pairs.first { $0.clientRef == "C2" && $0.debtorRef == "D1" }!
        #expect((c2d1.overApproval, c2d1.riskWeighted) == (2_000_000, 9_000_000))
        // C2–D4: I7 aged, old share 100 % > 50 %: the pair is cross-aged.
        #expect(report.pairs.first { $0.debtorRef == "D4" }!.crossAged)
        // C1: cap 33,000, excess 44,000, fundable 66,000, holdback 6,600, capacity 59,400, availability −40,600.
        let c1 = report.clients[0]
        #expect([c1.concentrationCap, c1.concentrationExcess, c1.fundable, c1.holdback, c1.fundingCapacity, c1.availability]
                == [3_300_000, 4_400_000, 6_600_000, 660_000, 5_940_000, -4_060_000])
        #expect(c1.tierLetter == "B")
        // C2: tier 2 + 1 + 1 + 1 = 5, capped at 4 → D.
        #expect(report.clients[1].tierLetter == "D")
        // D1: 125,000 of 150,000 → 8,333 bp; D4 available min(50,000, 30,000, 250,000).
        #expect(report.debtors[0].utilizationBP == 8333)
        #expect(report.debtors[3].availableLimit == 3_000_000)
        // Portfolio: covered 195,500, HHI 475,278 ppm, 8 documents, I8 (SEK) without a rate.
        #expect(report.portfolio.covered == 19_550_000)
        #expect(report.portfolio.hhiPPM == 475_278)
        #expect(report.portfolio.documents == 8)
        #expect(report.portfolio.missingFX == ["I8"])
        // H1 to H3 are closed July invoices: they take no part, and only make C1–D3, C2–D1 and C2–D2 old acquaintances.
        #expect(report.pairs.filter(\.newDebtor).isEmpty)
        // C1's dilution: N1 5,000 over I1 100,000 + I3 45,000 (I8 has no rate) = 344 bp, within the 500 bp allowance.
        #expect((report.clients[0].dilutionBP, report.clients[0].dilutionReserve) == (344, 0))
    }
}
