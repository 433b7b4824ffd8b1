import FactorRiskCore
import FactorRiskHTML
import FactorRiskSynthetic
import FactorRiskTestSupport
import Testing

/// The analysts' page, byte for byte: the worked example's and a synthetic portfolio's, each
/// against a committed file, so a change to the code that renders it cannot change the page unseen.
@Suite("HTML report golden files")
struct HTMLReportGoldenTests {
    static let asOf = CalendarDate(year: 2026, month: 11, day: 20)!

    /// A portfolio with every section filled: countries, a full debtor chart, breaches and warnings
    /// of every level, confidential clients, an ageing in every bucket, clients who collect.
    static let parameters = SyntheticPortfolio.Parameters(tenantRef: "golden", documents: 3000, seed: 2026, asOf: asOf)

    /// The snapshot dates of the synthetic history, as days before the as-of date (within the 30
    /// days the synthetic fx rates cover).
    static let historyDays = [-28, -21, -14, -7, 0]

    @Test("the worked example's page is the golden one")
    func workedExample() {
        // With its worst single defaults, ranked one at a time by the reference engine.
        let worst = WorstDefault.oneAtATime(try! HTMLReportTests.fixture("worked"), asOf: Self.asOf, limit: 10)
        let mismatch = Golden.mismatch(HTMLReport.render(HTMLReportTests.input { $0.worstDefaults = worst }), name: "worked-report.html")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test("a synthetic portfolio's page, with a history of snapshots, is the golden one")
    func syntheticPortfolio() throws {
        let mismatch = Golden.mismatch(HTMLReport.render(try Self.syntheticInput()), name: "synthetic-report.html")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    /// The page's input for the synthetic portfolio, worked out by the reference engine as the
    /// production engine and `ReportData` work it out in PostgreSQL.
    static func syntheticInput() throws -> HTMLReportInput {
        var sink = MemoryBundleSink()
        try SyntheticPortfolio(parameters).generate(into: &sink)
        let portfolio = try Portfolio(bundle: sink.files)
        let reports = historyDays.map { ReferenceEngine.compute(portfolio, asOf: asOf.adding(days: $0)) }
        let history = reports.map { report in
            HTMLReportInput.ConcentrationPoint(asOf: report.asOf, hhiPPM: report.portfolio.hhiPPM,
                                               top10ShareBP: report.portfolio.top10ShareBP, guaranteed: report.portfolio.guaranteed)
        }
        return HTMLReportInput(tenantName: "Golden Factoring", report: ReferenceEngine.compute(portfolio, asOf: asOf), history: history,
                               ageing: ageing(portfolio), computedAt: "2026-11-21 02:00 UTC",
                               utilizationWarnBP: portfolio.policy.utilizationWarnBP,
                               cashHistory: reports.map { .init(asOf: $0.asOf, unremitted: $0.portfolio.unremitted) },
                               worstDefaults: WorstDefault.oneAtATime(portfolio, asOf: asOf, limit: 10))
    }

    /// The open invoices that take part on the as-of date by days past due, in base minor units:
    /// the buckets `ReportData` computes in SQL.
    static func ageing(_ portfolio: Portfolio) -> [HTMLReportInput.AgeingBucket] {
        var buckets = HTMLReportInput.AgeingBucket.labels.map { HTMLReportInput.AgeingBucket(label: $0, open: 0, invoices: 0) }
        for document in portfolio.documents where document.kind == .invoice && document.issueDate <= asOf && document.openAmount != 0 {
            guard let rate = portfolio.rate(document.currency, on: asOf) else { continue }
            let late = asOf - document.dueDate
            let index = late <= 0 ? 0 : late <= 30 ? 1 : late <= 60 ? 2 : late <= 90 ? 3 : 4
            buckets[index].open += Rulebook.fx(amountMinor: document.openAmount, currencyExponent: document.currency.exponent, rate: rate,
                                               baseExponent: portfolio.tenant.baseCurrency.exponent)
            buckets[index].invoices += 1
        }
        return buckets
    }
}
