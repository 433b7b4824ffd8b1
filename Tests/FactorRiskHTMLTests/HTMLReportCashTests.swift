@testable import FactorRiskCore
import FactorRiskHTML
import Foundation
import Testing

/// The cash control section, rendered from the second worked example of RULEBOOK.md §8.6 through
/// the reference engine, with the figures the rulebook works out by hand.
@Suite("HTML report: cash control")
struct HTMLReportCashTests {
    /// The cash example as of 2026-11-20, with its policy.json (deposit_days 5,
    /// round_min_invoices 4, slow_payer_days 10).
    static let report = HTMLReportTests.computed("cash")

    /// Three stored snapshots: nothing held a fortnight ago, 40,000.00 a week ago, 10,000.00 now.
    static let cashHistory: [HTMLReportInput.CashPoint] = [
        .init(asOf: HTMLReportTests.date("2026-11-06"), unremitted: 0),
        .init(asOf: HTMLReportTests.date("2026-11-13"), unremitted: 4_000_000),
        .init(asOf: HTMLReportTests.date("2026-11-20"), unremitted: 1_000_000),
    ]

    static func input(_ adjust: (inout HTMLReportInput) -> Void = { _ in }) -> HTMLReportInput {
        var input = HTMLReportInput(tenantName: "Cash Factor", report: report, history: [], ageing: [],
                                    computedAt: "2026-11-21 02:00 UTC", cashHistory: cashHistory)
        adjust(&input)
        return input
    }

    static let page = HTMLReportTests.render(input())
    static var cash: String { HTMLReportTests.section("cash", of: page) }

    @Test("K1: collected 70,000, remitted 30,000, unremitted 10,000 for 35 days, paid still open 50,000, undeposited 60,000, dilution 12.50 % with a 2,812.50 reserve")
    func delegatedClient() {
        let rows = HTMLReportTests.rows(Self.cash)
        #expect(rows.first == "Client Mode Collected Remitted Unremitted Age (days) Paid still open Undeposited Dilution Dilution reserve")
        #expect(rows.dropFirst().prefix(2) == [
            "K1 delegated 70,000.00 30,000.00 10,000.00 35 50,000.00 60,000.00 12.50 % 2,812.50",
            "Flags: DILUTION_HIGH UNREMITTED_COLLECTIONS PAID_STILL_OPEN",
        ])
    }

    @Test("K2, confidential, collects nothing and shows its ledger patterns; the totals are K1's cash")
    func confidentialClientAndTotals() {
        let rows = HTMLReportTests.rows(Self.cash)
        #expect(rows.dropFirst(3).prefix(2) == [
            "K2 confidential 0.00 0.00 0.00 — 0.00 0.00 0.00 % 0.00",
            "Flags: DUPLICATE_SUSPECT ROUND_AMOUNTS NEW_DEBTOR_CONCENTRATION",
        ])
        #expect(rows.contains("Total 70,000.00 30,000.00 10,000.00 50,000.00 60,000.00 2,812.50"))
    }

    @Test("slow payers: B3, 10 days past due on average, guaranteed 25,000")
    func slowPayers() {
        let text = HTMLReportTests.text(Self.cash)
        #expect(text.contains("Slow-paying debtors"))
        #expect(HTMLReportTests.rows(Self.cash).contains("B3 FR 10 25,000.00"))
        #expect(!HTMLReportTests.rows(Self.cash).contains { $0.hasPrefix("B1 ") || $0.hasPrefix("B2 ") })
    }

    @Test("the unremitted cash over the snapshots: a column per date, held cash in red, the largest and last labelled")
    func trend() {
        let charts = HTMLReportTests.svgs(Self.cash)
        #expect(charts.count == 1)
        let chart = charts[0]
        let text = HTMLReportTests.text(chart)
        for label in ["2026-11-06", "2026-11-13", "2026-11-20", "40,000.00", "10,000.00"] { #expect(text.contains(label), "\(label)") }
        #expect(HTMLReportTests.occurrences(of: "fill=\"#c0392b\"", in: chart) == 2)
        #expect(HTMLReportTests.text(Self.cash).contains("over 3 stored snapshots from 2026-11-06 to 2026-11-20"))
        #expect(HTMLReportTests.text(Self.cash).contains("This snapshot (2026-11-20): unremitted 10,000.00 EUR."))
        let none = HTMLReportTests.section("cash", of: HTMLReportTests.render(Self.input { $0.cashHistory = [] }))
        #expect(HTMLReportTests.svgs(none).isEmpty)
        #expect(HTMLReportTests.text(none).contains("No stored snapshots of unremitted cash."))
    }

    @Test("notified clients come after the collecting ones, and only with a collection")
    func notifiedClients() {
        let page = HTMLReportTests.render(Self.input {
            var misdirected = RiskReport.ClientRow(clientRef: "K0", mode: .notified)
            misdirected.collected = 120_000
            misdirected.remitted = 120_000
            misdirected.unremittedDays = nil
            $0.report.clients.insert(misdirected, at: 0)
            $0.report.clients.append(RiskReport.ClientRow(clientRef: "K3", mode: .notified))
        })
        let clients = HTMLReportTests.rows(HTMLReportTests.section("cash", of: page)).compactMap { $0.split(separator: " ").first }
            .filter { $0.hasPrefix("K") }
        #expect(clients == ["K1", "K2", "K0"])
    }

    @Test("the breaches name the cash figures: unremitted with its age, paid still open")
    func breaches() {
        let rows = HTMLReportTests.rows(HTMLReportTests.section("breaches", of: Self.page))
        #expect(rows.contains(
            "client K1 UNREMITTED_COLLECTIONS unremitted 10,000.00 collected 70,000.00, remitted 30,000.00, oldest not passed on 35 days ago"))
        #expect(rows.contains("client K1 PAID_STILL_OPEN paid still open (ineligible) 50,000.00 reported paid on the e-invoicing platform"))
        let warnings = HTMLReportTests.rows(HTMLReportTests.section("warnings", of: Self.page))
        #expect(warnings.contains("debtor B3 DEBTOR_SLOW_PAYER guaranteed 25,000.00 10 days past due on average"))
        #expect(warnings.contains("client K1 DILUTION_HIGH dilution reserve 2,812.50 dilution 12.50 %"))
    }
}
