import FactorRiskCore
import Foundation
import Testing

/// The third worked example of the rulebook (`Tests/Fixtures/limits`, RULEBOOK.md §9.1–§9.3):
/// limits in time and credit insurance, its expected report at every level and the figures its
/// README works out by hand.
@Suite("reference engine: the limits example (RULEBOOK §9)")
struct LimitsExampleTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/limits").path
    static let date = CalendarDate(iso: "2026-11-20")!

    static let report: RiskReport = ReferenceEngine.compute(try! WorkedExampleTests.loadPortfolio(folder), asOf: date)

    @Test("every level's JSON equals the expected report", arguments: ReportLevel.allCases)
    func levelMatchesExpected(level: ReportLevel) throws {
        try WorkedExampleTests.expectMatches(Self.report, level, folder: Self.folder)
    }

    @Test("both §9 files are bundle files now")
    func filesKnown() {
        #expect(BundleEntry(name: "limit_changes.csv") == .csv(.limitChanges))
        #expect(BundleEntry(name: "insurance.csv") == .csv(.insurance))
    }

    func debtor(_ ref: String) throws -> RiskReport.DebtorRow { try #require(Self.report.debtors.first { $0.debtorRef == ref }) }
    func pair(_ client: String, _ debtor: String) throws -> RiskReport.PairRow {
        try #require(Self.report.pairs.first { $0.clientRef == client && $0.debtorRef == debtor })
    }
    func client(_ ref: String) throws -> RiskReport.ClientRow { try #require(Self.report.clients.first { $0.clientRef == ref }) }

    @Test("§9.1: the limit in force, by effective date, then announcement, over the files")
    func limitsInForce() throws {
        // M1: LC02 (200,000, announced 09-01) beats LC03 (220,000, 08-15), both effective 10-01.
        let m1 = try debtor("M1")
        #expect(m1.creditLimit == 20_000_000)
        #expect(m1.guaranteed == 18_000_000)
        #expect(m1.utilizationBP == 9000)
        #expect(m1.headroom == 2_000_000)
        // L2–M1: LC10 takes effect on D itself: 80,000 over the 50,000 of approvals.csv.
        #expect(try pair("L2", "M1").approved == 8_000_000)
        #expect(try pair("L2", "M1").guaranteed == 6_000_000)
        #expect(m1.approvedTotal == 23_000_000)
        #expect(m1.flags == [.debtorLimitWarn, .debtorOverAllocated, .uninsuredExposure])
        // M4 expired (LC08 to 0 on 11-15): a breach, utilization null.
        let m4 = try debtor("M4")
        #expect(m4.creditLimit == 0)
        #expect(m4.utilizationBP == nil)
        #expect(m4.headroom == -5_000_000)
        #expect(m4.availableLimit == 0)
        #expect(m4.flags == [.debtorLimitBreach, .debtorOverAllocated])
        // L2–M5's approval expired (LC12): W5 unapproved, the pair keeps its row.
        let l2m5 = try pair("L2", "M5")
        #expect(l2m5.approved == 0)
        #expect(l2m5.ineligible.unapproved == 2_000_000)
        #expect(l2m5.eligible == 0)
        // M5: LC09 is announced after D: neither in force nor pending.
        let m5 = try debtor("M5")
        #expect(m5.creditLimit == 8_000_000)
        #expect(m5.pendingLimit == nil)
        #expect(!m5.flags.contains(.limitCutPending))
    }

    @Test("§9.2: the next pending change, what it costs, and the available limit it cuts")
    func pendingChanges() throws {
        // M2: LC04 and LC05 both on 12-05; LC05 was announced later. LC06 is pending but later.
        let m2 = try debtor("M2")
        #expect(m2.pendingLimit == 6_000_000)
        #expect(m2.pendingOn == CalendarDate(iso: "2026-12-05"))
        #expect(m2.projectedExcess == 4_000_000)
        #expect(m2.availableLimit == 0)
        #expect(m2.flags.contains(.limitCutPending))
        // M3: a cut to 120,000 above its guaranteed 90,000: no flag, but available 30,000, not 110,000.
        let m3 = try debtor("M3")
        #expect(m3.pendingLimit == 12_000_000)
        #expect(m3.projectedExcess == 0)
        #expect(m3.availableLimit == 3_000_000)
        #expect(!m3.flags.contains(.limitCutPending))
        // L1–M3: LC11 to 40,000 on 12-01: projected 40,000 of eligible 90,000; L1's cut 50,000.
        let l1m3 = try pair("L1", "M3")
        #expect(l1m3.pendingApproved == 4_000_000)
        #expect(l1m3.pendingOn == CalendarDate(iso: "2026-12-01"))
        #expect(l1m3.projectedGuaranteed == 4_000_000)
        #expect(try client("L1").approvalCut == 5_000_000)
        #expect(try client("L1").flags.last == .approvalCutPending)
        // Nothing pending elsewhere: projected = guaranteed, no cut.
        #expect(try pair("L1", "M1").projectedGuaranteed == pair("L1", "M1").guaranteed)
        #expect(try pair("L1", "M1").pendingApproved == nil)
        #expect(try client("L2").approvalCut == 0)
    }

    @Test("§9.3: insured, recoverable and net loss per debtor, group and portfolio")
    func insurance() throws {
        let m1 = try debtor("M1")
        #expect((m1.covered, m1.insured, m1.recoverable, m1.netLoss) == (18_000_000, 15_000_000, 13_500_000, 4_500_000))
        let m2 = try debtor("M2")
        #expect((m2.insured, m2.recoverable, m2.netLoss) == (10_000_000, 8_500_000, 1_500_000))
        #expect(m2.flags.contains(.insuranceExpiring))
        // M3's policy expired on 10-31; M4 has none.
        #expect(try (debtor("M3").insured, debtor("M3").netLoss) == (0, 8_100_000))
        #expect(try debtor("M4").netLoss == 4_500_000)
        // M5: floor(2,555,555 × 9,000 / 10,000) = 2,299,999 cents, not the 2,300,000 rounding would give.
        let m5 = try debtor("M5")
        #expect((m5.insured, m5.recoverable, m5.netLoss) == (2_555_555, 2_299_999, 700_001))
        #expect(m5.flags == [.uninsuredExposure])  // valid to 12-20: 30 days, not fewer than 30
        let groups = Dictionary(uniqueKeysWithValues: Self.report.groups.map { ($0.groupRef, $0.netLoss) })
        #expect(groups == ["GA": 6_000_000, "GB": 12_600_000, "M5": 700_001])
        #expect(Self.report.portfolio.netLoss == 19_300_001)
    }

    @Test("an insurance policy is in force from valid_from to valid_to inclusive, or open-ended")
    func insuranceBoundaries() {
        let policy = Portfolio.Insurance(
            debtorRef: "D", insurer: "I", insuredLimit: 100, coverBP: 9000, validFrom: CalendarDate(iso: "2026-01-01")!,
            validTo: CalendarDate(iso: "2026-12-31")!)
        #expect(!policy.inForce(on: CalendarDate(iso: "2025-12-31")!))
        #expect(policy.inForce(on: CalendarDate(iso: "2026-01-01")!))
        #expect(policy.inForce(on: CalendarDate(iso: "2026-12-31")!))
        #expect(!policy.inForce(on: CalendarDate(iso: "2027-01-01")!))
        var open = policy
        open.validTo = nil
        #expect(open.inForce(on: CalendarDate(iso: "2999-01-01")!))
    }

    @Test("a change's status: in force, past, pending, not yet announced")
    func statuses() throws {
        let portfolio = try WorkedExampleTests.loadPortfolio(Self.folder)
        let m1 = portfolio.limitChanges.filter { $0.debtorRef == "M1" && $0.clientRef == nil }
        let status = Dictionary(uniqueKeysWithValues: LimitHistory.statuses(m1, on: Self.date).map { ($0.0.ref, $0.1) })
        #expect(status == ["LC01": .past, "LC02": .inForce, "LC03": .past])
        let m2 = portfolio.limitChanges.filter { $0.debtorRef == "M2" }
        #expect(LimitHistory.statuses(m2, on: Self.date).allSatisfy { $0.1 == .pending })
        let m5 = portfolio.limitChanges.filter { $0.debtorRef == "M5" && $0.clientRef == nil }
        #expect(LimitHistory.statuses(m5, on: Self.date).map(\.1) == [.unannounced])
        // On the day LC05 takes effect, it wins over LC04 (announced earlier), and LC06 is next.
        let later = CalendarDate(iso: "2026-12-05")!
        #expect(LimitHistory.inForce(m2, on: later)?.ref == "LC05")
        #expect(LimitHistory.nextPending(m2, on: later)?.ref == "LC06")
    }
}
