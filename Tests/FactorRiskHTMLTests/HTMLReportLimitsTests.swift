@testable import FactorRiskCore
import FactorRiskHTML
import Testing

/// "Cuts coming" and the insured share of the largest exposures, rendered from the limits example
/// (RULEBOOK.md §9, `Tests/Fixtures/limits`) through the reference engine, with the figures its
/// README works out by hand.
@Suite("HTML report: cuts coming and insured share")
struct HTMLReportLimitsTests {
    /// The limits example as of 2026-11-20, default policy.
    static let report = HTMLReportTests.computed("limits")

    /// The page's input: the example's report, changed by `adjust` for the cases the example lacks.
    static func input(_ adjust: (inout RiskReport) -> Void = { _ in }) -> HTMLReportInput {
        var changed = report
        adjust(&changed)
        return HTMLReportInput(tenantName: "Limits and Cover Factor", report: changed, history: [], ageing: [], computedAt: "2026-11-21 02:00 UTC")
    }

    static let page = HTMLReportTests.render(input())

    /// The rows of the first table after the `<h3>` of this title in the section.
    static func table(_ title: String, in section: String) -> [String] {
        guard let start = section.range(of: "<h3>\(title)</h3>") else { return [] }
        let rest = section[start.upperBound...]
        guard let table = rest.range(of: "<table"), let end = rest.range(of: "</table>"),
              rest.range(of: "<h3>").map({ table.lowerBound < $0.lowerBound }) ?? true
        else { return [] }
        return HTMLReportTests.rows(String(rest[table.lowerBound..<end.upperBound]))
    }

    static func cuts(_ page: String = page) -> String { HTMLReportTests.section("cuts", of: page) }

    @Test("M2's credit limit: 150,000 cut to 60,000 on 2026-12-05 (LC05, announced after LC04), guaranteed 100,000, projected excess 40,000")
    func debtorCut() {
        #expect(Self.table("Credit limits", in: Self.cuts()) == [
            "Debtor Country Takes effect In (days) Credit limit Pending limit Guaranteed Projected excess",
            "M2 FR 2026-12-05 15 150,000.00 60,000.00 100,000.00 40,000.00",
            "Total 100,000.00 40,000.00",
        ])
    }

    @Test("L1–M3's approval: 100,000 cut to 40,000 on 2026-12-01 (LC11): guaranteed 90,000 becomes 40,000, a cut of 50,000")
    func approvalCut() {
        #expect(Self.table("Approvals", in: Self.cuts()) == [
            "Client Debtor Takes effect In (days) Approved Pending approval Guaranteed Projected guaranteed Guaranteed cut",
            "L1 M3 2026-12-01 11 100,000.00 40,000.00 90,000.00 40,000.00 50,000.00",
            "Total 90,000.00 40,000.00 50,000.00",
        ])
    }

    @Test("the window is the next 30 days, 30 not included: M3's cut on 2026-12-20 is left out, on 2026-12-19 it is in")
    func windowBoundary() {
        #expect(Self.report.debtors.first { $0.debtorRef == "M3" }?.pendingOn == CalendarDate(iso: "2026-12-20"))
        #expect(!HTMLReportTests.text(Self.cuts()).contains("M3 ES"))
        #expect(HTMLReportTests.text(Self.cuts()).contains("next 30 days (1 to 29 days after 2026-11-20)"))
        let page = HTMLReportTests.render(Self.input { report in
            let index = report.debtors.firstIndex { $0.debtorRef == "M3" }!
            report.debtors[index].pendingOn = CalendarDate(iso: "2026-12-19")
        })
        // M3's cut to 120,000 stays above its guaranteed 90,000: no projected excess, listed after M2's sooner cut.
        #expect(Self.table("Credit limits", in: Self.cuts(page)).dropFirst().prefix(2) == [
            "M2 FR 2026-12-05 15 150,000.00 60,000.00 100,000.00 40,000.00",
            "M3 ES 2026-12-19 29 200,000.00 120,000.00 90,000.00 0.00",
        ])
    }

    @Test("sorted by the day the cut takes effect, then the larger projected excess, then by reference; a raise is no cut")
    func order() {
        let page = HTMLReportTests.render(Self.input { report in
            func debtor(_ ref: String) -> Int { report.debtors.firstIndex { $0.debtorRef == ref }! }
            // M3 to 10,000 on M2's day: excess 90,000 − 10,000 = 80,000, before M2's 40,000.
            report.debtors[debtor("M3")].pendingOn = CalendarDate(iso: "2026-12-05")
            report.debtors[debtor("M3")].pendingLimit = 10_000_00
            report.debtors[debtor("M3")].projectedExcess = 80_000_00
            // M5 to 20,000 a day earlier: first, though its excess of 10,000 is the smallest.
            report.debtors[debtor("M5")].pendingOn = CalendarDate(iso: "2026-12-04")
            report.debtors[debtor("M5")].pendingLimit = 20_000_00
            report.debtors[debtor("M5")].projectedExcess = 10_000_00
            // M1 raised from 200,000 to 250,000: not listed.
            report.debtors[debtor("M1")].pendingOn = CalendarDate(iso: "2026-11-25")
            report.debtors[debtor("M1")].pendingLimit = 250_000_00
        })
        let rows = Self.table("Credit limits", in: Self.cuts(page))
        #expect(rows.dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["M5", "M3", "M2", "Total"])
        #expect(rows.last == "Total 220,000.00 130,000.00")
    }

    @Test("with nothing pending the section says so in a sentence")
    func emptyState() {
        let page = HTMLReportTests.render(Self.input { report in
            for index in report.debtors.indices { (report.debtors[index].pendingLimit, report.debtors[index].pendingOn) = (nil, nil) }
            for index in report.pairs.indices { (report.pairs[index].pendingApproved, report.pairs[index].pendingOn) = (nil, nil) }
        })
        #expect(HTMLReportTests.text(Self.cuts(page)) ==
                "Cuts coming No announced cut of a credit limit or an approval takes effect in the next 30 days.")
    }

    static var insurance: String { HTMLReportTests.section("insurance", of: page) }

    @Test("insured, recoverable and net loss of the debtors by covered: M1 150,000 of 180,000 insured, M5's 22,999.99 floored")
    func insuredTable() {
        let rows = HTMLReportTests.rows(Self.insurance)
        #expect(rows == [
            "Debtor Country Covered Insured Insured share Recoverable Net loss Flags",
            "M1 FR 180,000.00 150,000.00 83.33 % 135,000.00 45,000.00 UNINSURED_EXPOSURE",
            "M2 FR 100,000.00 100,000.00 100.00 % 85,000.00 15,000.00 INSURANCE_EXPIRING",
            "M3 ES 81,000.00 0.00 0.00 % 0.00 81,000.00 —",
            "M4 ES 45,000.00 0.00 0.00 % 0.00 45,000.00 —",
            "M5 FR 30,000.00 25,555.55 85.18 % 22,999.99 7,000.01 UNINSURED_EXPOSURE",
            "Total 436,000.00 275,555.55 242,999.99 193,000.01",
        ])
        #expect(HTMLReportTests.text(Self.insurance).contains("Portfolio: covered 436,000.00, net loss after credit insurance 193,000.01 EUR."))
    }

    @Test("the chart: covered against insured per debtor, M1's covered the full 540 px and its insured 150/180 of it, 450 px")
    func chart() {
        let charts = HTMLReportTests.svgs(Self.insurance)
        #expect(charts.count == 1)
        let chart = charts.first ?? ""
        #expect(chart.contains(##"<rect x="170" y="39" width="540" height="14" fill="#c9d7e6"><title>M1: covered 180,000.00</title></rect>"##))
        #expect(chart.contains(##"<rect x="170" y="39" width="450" height="14" fill="#1f4e79"><title>M1: insured 150,000.00</title></rect>"##))
        // M2: 100,000 of 180,000 is 300 px, all of it insured; M5: 30,000 → 90 px, 25,555.55 → 76 px (floored).
        #expect(chart.contains(##"width="300" height="14" fill="#1f4e79"><title>M2: insured 100,000.00</title>"##))
        #expect(chart.contains(##"width="90" height="14" fill="#c9d7e6"><title>M5: covered 30,000.00</title>"##))
        #expect(chart.contains(##"width="76" height="14" fill="#1f4e79"><title>M5: insured 25,555.55</title>"##))
        // M3's policy expired and M4 has none: no insured bar, said in words.
        #expect(!chart.contains("M3: insured") && !chart.contains("M4: insured"))
        #expect(HTMLReportTests.occurrences(of: "not insured", in: chart) == 2)
        #expect(HTMLReportTests.text(chart).contains("83.33 % insured"))
    }

    @Test("the summary gives the portfolio's net loss, 193,000.01")
    func summary() {
        #expect(HTMLReportTests.rows(HTMLReportTests.section("summary", of: Self.page)).contains("Net loss after credit insurance 193,000.01"))
    }

    @Test("the warnings name the §9 figures: M2's projected excess, M1's insured part, L1's approval cut")
    func warnings() {
        let rows = HTMLReportTests.rows(HTMLReportTests.section("warnings", of: Self.page))
        #expect(rows.contains(
            "debtor M2 LIMIT_CUT_PENDING projected excess 40,000.00 pending limit 60,000.00 from 2026-12-05, guaranteed 100,000.00, credit limit 150,000.00"))
        #expect(rows.contains("debtor M1 UNINSURED_EXPOSURE covered 180,000.00 insured 150,000.00, net loss 45,000.00"))
        #expect(rows.contains("client L1 APPROVAL_CUT_PENDING approval cut 50,000.00 pending approvals: M3 to 40,000.00 from 2026-12-01"))
    }
}
