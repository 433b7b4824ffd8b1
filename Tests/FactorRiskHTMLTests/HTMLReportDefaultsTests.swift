@testable import FactorRiskCore
import FactorRiskHTML
import Testing

/// "If they failed": the worst single defaults of RULEBOOK.md §9.4, rendered from the limits example
/// (`Tests/Fixtures/limits`) ranked one default at a time by the reference engine
/// (`WorstDefault.oneAtATime`), against the figures its README works out by hand.
@Suite("HTML report: if they failed")
struct HTMLReportDefaultsTests {
    static let portfolio = try! HTMLReportTests.fixture("limits")
    static let asOf = HTMLReportTests.date("2026-11-20")
    static let worst = WorstDefault.oneAtATime(portfolio, asOf: asOf, limit: 10)

    static func page(_ worstDefaults: [WorstDefault]) -> String {
        HTMLReportTests.render(HTMLReportInput(
            tenantName: "Limits and Cover Factor", report: HTMLReportLimitsTests.report, history: [], ageing: [],
            computedAt: "2026-11-21 02:00 UTC", worstDefaults: worstDefaults))
    }

    static func section(_ worstDefaults: [WorstDefault] = worst) -> String {
        HTMLReportTests.section("defaults", of: page(worstDefaults))
    }

    @Test("GB first (126,000, 12.60 % of own funds 1,000,000, over-advances L1); GA second despite the largest cover (60,000 after insurance, L1 and L2); M5 last with none")
    func ranking() {
        #expect(HTMLReportTests.rows(Self.section()) == [
            "Group Loss Share of own funds New breaches Clients over-advanced Country limits broken",
            "GB 126,000.00 12.60 % 1 L1 —",
            "GA 60,000.00 6.00 % 2 L1, L2 —",
            "M5 7,000.01 0.70 % 0 — —",
        ])
    }

    @Test("only groups with covered exposure are ranked: three of the example's groups, fewer than ten")
    func onlyCoveredGroups() {
        #expect(Self.worst.map(\.groupRef) == ["GB", "GA", "M5"])
        #expect(HTMLReportTests.text(Self.section()).contains("The 3 groups whose default alone would cost the most on 2026-11-20"))
    }

    @Test("a country whose limit a default would break is named; other breaches count but are not listed; no own funds: a dash")
    func countriesAndOtherBreaches() {
        let breaches = [
            ScenarioOutcome.Breach(level: "client", subject: "L2", code: .overAdvance),
            ScenarioOutcome.Breach(level: "debtor", subject: "M9", code: .debtorLimitBreach),
            ScenarioOutcome.Breach(level: "country", subject: "DE", code: .countryLimitBreach),
            ScenarioOutcome.Breach(level: "country", subject: "ES", code: .countryLimitBreach),
        ]
        let rows = HTMLReportTests.rows(Self.section([WorstDefault(groupRef: "G<1>", loss: 123_456_78, lossOwnFundsBP: nil, newBreaches: breaches)]))
        #expect(rows.dropFirst() == ["G<1> 123,456.78 — 4 L2 DE, ES"])
        #expect(Self.section([WorstDefault(groupRef: "G<1>", loss: 1, lossOwnFundsBP: nil, newBreaches: [])]).contains("G&lt;1&gt;"))
    }

    @Test("with no group covered the section says so in a sentence")
    func emptyState() {
        #expect(HTMLReportTests.text(Self.section([])) ==
                "If they failed No group has covered exposure: no single default would cost the factor anything.")
    }

    @Test("the section comes after the insured share and before the concentration")
    func placement() throws {
        let page = Self.page(Self.worst)
        let insurance = try #require(page.range(of: "<section id=\"insurance\">"))
        let defaults = try #require(page.range(of: "<section id=\"defaults\">"))
        let concentration = try #require(page.range(of: "<section id=\"concentration\">"))
        #expect(insurance.lowerBound < defaults.lowerBound && defaults.lowerBound < concentration.lowerBound)
    }
}
