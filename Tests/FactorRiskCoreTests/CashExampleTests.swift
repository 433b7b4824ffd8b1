import FactorRiskCore
import Foundation
import Testing

/// RULEBOOK.md §8.6: the cash example bundle and its expected report at every level.
@Suite("reference engine: the cash example")
struct CashExampleTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cash").path
    static let date = CalendarDate(iso: "2026-11-20")!

    static let report: RiskReport = {
        let portfolio = try! WorkedExampleTests.loadPortfolio(folder)
        return ReferenceEngine.compute(portfolio, asOf: date)
    }()

    @Test("every level's JSON equals the expected report", arguments: ReportLevel.allCases)
    func levelMatchesExpected(level: ReportLevel) throws {
        try WorkedExampleTests.expectMatches(Self.report, level, folder: Self.folder)
    }

    @Test("policy.json is applied: deposit_days 5, round_min_invoices 4, slow_payer_days 10")
    func policyApplied() throws {
        let policy = try WorkedExampleTests.loadPortfolio(Self.folder).policy
        #expect((policy.depositDays, policy.roundMinInvoices, policy.slowPayerDays, policy.remittanceDays) == (5, 4, 10, 2))
    }

    @Test("the figures of §8.6 worked by hand")
    func handFigures() throws {
        let report = Self.report
        let k1 = try #require(report.clients.first { $0.clientRef == "K1" })
        let k2 = try #require(report.clients.first { $0.clientRef == "K2" })
        // A2 paid on 11-10 (before D − 2), A3 never deposited in 18 days; Z3 refused by the buyer.
        #expect((k1.ineligible.paid, k1.ineligible.undeposited, k2.ineligible.disputed) == (5_000_000, 6_000_000, 1_000_000))
        // Dilution: A6 35,000 over 280,000 invoiced → 1,250 bp; reserve 750 bp of fundable 37,500 = 2,812.50.
        #expect((k1.dilutionBP, k1.fundable, k1.dilutionReserve) == (1250, 3_750_000, 281_250))
        // Holdback 10 % of 34,687.50 = 3,468.75; capacity 31,218.75; availability −268,781.25.
        #expect((k1.holdback, k1.fundingCapacity, k1.availability) == (346_875, 3_121_875, -26_878_125))
        // Cash: collected 70,000, due by 11-18 40,000, remitted 30,000 → 10,000 unremitted, oldest not passed on 10-16.
        #expect((k1.collected, k1.remitted, k1.unremitted, k1.unremittedDays) == (7_000_000, 3_000_000, 1_000_000, 35))
        #expect(k1.tierLetter == "C")
        #expect(k1.flags == [.delegatedCollection, .concentrationExcess, .overAdvance, .dilutionHigh, .unremittedCollections, .paidStillOpen])
        // K2: Z1 and Z2 twins; four round invoices in 30 days; K2–B3 new, 25,000 of 65,000 eligible; (25,000×15 + 7,500×51)/82,500 → 9.
        #expect((k2.duplicateSuspects, k2.roundInvoices, k2.roundShareBP) == (2, 4, 10_000))
        #expect((k2.newDebtorEligible, k2.eligible, k2.pastDueDays) == (2_500_000, 6_500_000, 9))
        #expect(k2.flags.contains(.roundAmounts) && k2.flags.contains(.newDebtorConcentration) && k2.flags.contains(.duplicateSuspect))
        // B3: Z3 10,000 not yet due, Z4 25,000 15 days past due → 10 days: a slow payer at the policy's 10.
        let b3 = try #require(report.debtors.first { $0.debtorRef == "B3" })
        #expect(b3.pastDueDays == 10 && b3.flags.contains(.debtorSlowPayer))
        #expect(report.portfolio.unremitted == 1_000_000)
    }

    @Test("without deposit_days, an invoice that was never deposited stays eligible")
    func depositDaysOff() throws {
        var portfolio = try WorkedExampleTests.loadPortfolio(Self.folder)
        portfolio.policy.depositDays = nil
        let k1 = try #require(ReferenceEngine.compute(portfolio, asOf: Self.date).clients.first { $0.clientRef == "K1" })
        // A3 (60,000 on B2) joins K1's eligible ledger: 75,000 + 60,000.
        #expect((k1.ineligible.undeposited, k1.eligible) == (0, 13_500_000))
    }

    @Test("a collection in a currency without a rate is listed, not counted")
    func collectionWithoutRate() throws {
        var portfolio = try WorkedExampleTests.loadPortfolio(Self.folder)
        portfolio.documents.append(Portfolio.Document(
            ref: "S1", clientRef: "K1", debtorRef: "B1", kind: .invoice, currency: Currency.iso("SEK")!, amount: 100_000,
            openAmount: 0, issueDate: CalendarDate(iso: "2026-05-01")!, dueDate: CalendarDate(iso: "2026-06-01")!, disputed: false))
        portfolio.collections.append(Portfolio.Collection(ref: "SC1", docRef: "S1", collectedOn: CalendarDate(iso: "2026-06-01")!, amount: 100_000))
        portfolio.remittances.append(Portfolio.Remittance(
            ref: "SR1", clientRef: "K1", receivedOn: CalendarDate(iso: "2026-06-02")!, currency: Currency.iso("SEK")!, amount: 100_000))
        let report = ReferenceEngine.compute(portfolio, asOf: Self.date)
        #expect(report.portfolio.missingFXCollections == ["SC1"])
        #expect(report.portfolio.missingFXRemittances == ["SR1"])
        // S1 is closed and outside the dilution window: not in missing_fx.
        #expect(report.portfolio.missingFX.isEmpty)
        #expect(report.clients.first { $0.clientRef == "K1" }!.collected == 7_000_000)
    }
}
