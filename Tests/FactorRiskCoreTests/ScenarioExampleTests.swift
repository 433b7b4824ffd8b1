import FactorRiskCore
import Foundation
import Testing

/// RULEBOOK.md §9.4 on the limits example: its two scenarios and the worst single defaults, against
/// `expected/whatif-<name>.json` and `expected/worst.json`, and the figures its README works out.
@Suite("reference engine: what-if scenarios of the limits example (RULEBOOK §9.4)")
struct ScenarioExampleTests {
    static let folder = LimitsExampleTests.folder
    static let date = LimitsExampleTests.date
    static let portfolio = try! WorkedExampleTests.loadPortfolio(folder)
    static let baseline = ReferenceEngine.compute(portfolio, asOf: date)

    /// The scenario of `expected/scenario-<name>.json`.
    static func scenario(_ name: String) throws -> Scenario {
        let data = try #require(FileManager.default.contents(atPath: "\(folder)/expected/scenario-\(name).json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let grades = (object["grades"] as? [String: Int]) ?? [:]
        return Scenario(defaulted: object["defaulted"] as? [String] ?? [], grades: grades)
    }

    static func outcome(_ scenario: Scenario) -> (ScenarioOutcome, RiskReport) {
        let report = ReferenceEngine.compute(portfolio, asOf: date, scenario: scenario)
        return (ScenarioOutcome(scenario: scenario, baseline: baseline, scenarioReport: report, ownFunds: portfolio.tenant.ownFunds), report)
    }

    @Test("each scenario's answer equals expected/whatif-<name>.json", arguments: ["gb", "ga-es"])
    func scenarioMatchesExpected(name: String) throws {
        let (outcome, _) = Self.outcome(try Self.scenario(name))
        let produced = outcome.json(tenant: "limits", asOf: Self.date, currency: Self.baseline.currency).rendered()
        let expected = try #require(FileManager.default.contents(atPath: "\(Self.folder)/expected/whatif-\(name).json"))
        #expect(try WorkedExampleTests.parsed(Data(produced.utf8)) == WorkedExampleTests.parsed(expected), "\(produced)")
    }

    @Test("the worst five single defaults equal expected/worst.json")
    func worstMatchesExpected() throws {
        let rows = WorstDefault.oneAtATime(Self.portfolio, asOf: Self.date, limit: 5)
        let produced = JSONText.object([
            ("tenant", .string("limits")), ("as_of", .string(Self.date.description)), ("currency", .string("EUR")),
            ("rows", .array(rows.map { $0.json(exponent: 2) })),
        ]).rendered()
        let expected = try #require(FileManager.default.contents(atPath: "\(Self.folder)/expected/worst.json"))
        #expect(try WorkedExampleTests.parsed(Data(produced.utf8)) == WorkedExampleTests.parsed(expected), "\(produced)")
    }

    @Test("scenario gb by hand: L1 over-advanced by 32,500; L2 keeps 12,000; M4 at zero; France takes all of P")
    func gbByHand() throws {
        let (outcome, report) = Self.outcome(try Self.scenario("gb"))
        #expect(outcome.loss == 12_600_000 && outcome.lossOwnFundsBP == 1260)
        let clients = Dictionary(uniqueKeysWithValues: report.clients.map { ($0.clientRef, $0) })
        #expect(clients["L1"]?.eligible == 15_000_000 && clients["L1"]?.concentrationCap == 4_500_000)
        #expect(clients["L1"]?.fundable == 7_500_000 && clients["L1"]?.availability == -3_250_000)
        #expect(clients["L2"]?.eligible == 16_000_000 && clients["L2"]?.availability == 1_200_000)
        // The defaulted group's debtors keep their rows, at zero.
        let m4 = try #require(report.debtors.first { $0.debtorRef == "M4" })
        #expect((m4.gross, m4.guaranteed, m4.covered, m4.netLoss) == (0, 0, 0, 0))
        #expect(!report.pairs.contains { $0.debtorRef == "M3" || $0.debtorRef == "M4" })
        let fr = try #require(report.countries.first { $0.country == "FR" })
        #expect(fr.guaranteed == 31_000_000 && fr.limit == 31_000_000 && fr.flags == [.countryLimitWarn])
    }

    @Test("scenario ga-es by hand: ES at grade 3 has a limit of 34,000 against 140,000; L2 over-advanced by 48,750")
    func gaEsByHand() throws {
        let (outcome, report) = Self.outcome(try Self.scenario("ga-es"))
        #expect(outcome.loss == 6_000_000 && outcome.lossOwnFundsBP == 600)
        let es = try #require(report.countries.first { $0.country == "ES" })
        #expect(es.grade == 3 && es.limit == 3_400_000 && es.flags.contains(.countryLimitBreach))
        let l1 = try #require(report.clients.first { $0.clientRef == "L1" })
        #expect(l1.availability == -4_060_000 && l1.approvalCut == 5_000_000)
        #expect(report.clients.first { $0.clientRef == "L2" }?.availability == -4_875_000)
        // Without the grade change ES would only warn (140,000 of 170,000: 8,235 bp).
        let gaOnly = Self.outcome(Scenario(defaulted: ["GA"])).1.countries.first { $0.country == "ES" }
        #expect(gaOnly?.utilizationBP == 8235 && gaOnly?.flags == [.countryLimitWarn])
    }

    @Test("an explicit country limit still wins over a changed grade; a country not listed gets its new grade")
    func gradesAndExplicitLimits() {
        var portfolio = Self.portfolio
        portfolio.countries["ES"]?.limit = 20_000_000
        let explicit = ReferenceEngine.compute(portfolio, asOf: Self.date, scenario: Scenario(grades: ["ES": 7]))
        #expect(explicit.countries.first { $0.country == "ES" }.map { ($0.grade, $0.limit) } ?? (0, 0) == (7, 20_000_000))
        // ES unlisted: the default grade 7 (2.5 % of P = 11,250) at baseline, grade 1 (all of P, 450,000) in the scenario.
        portfolio.countries["ES"] = nil
        #expect(ReferenceEngine.compute(portfolio, asOf: Self.date).countries.first { $0.country == "ES" }?.limit == 1_125_000)
        let unlisted = ReferenceEngine.compute(portfolio, asOf: Self.date, scenario: Scenario(grades: ["ES": 1]))
        #expect(unlisted.countries.first { $0.country == "ES" }.map { ($0.grade, $0.limit) } ?? (0, 0) == (1, 45_000_000))
    }

    @Test("collections and remittances still count when their documents' debtor defaults")
    func cashStillCounts() {
        var portfolio = Self.portfolio
        portfolio.collections = [.init(ref: "K", docRef: "W2", collectedOn: CalendarDate(iso: "2026-11-01")!, amount: 1_000_000)]
        let report = ReferenceEngine.compute(portfolio, asOf: Self.date, scenario: Scenario(defaulted: ["GA"]))
        let l2 = report.clients.first { $0.clientRef == "L2" }
        #expect(l2?.collected == 1_000_000 && l2?.unremitted == 1_000_000 && l2?.flags.contains(.unremittedCollections) == true)
    }
}
