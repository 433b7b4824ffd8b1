import FactorRiskCore
import Testing

/// One test per rule of RULEBOOK.md §4 and flag of §6 that the worked example does not exercise,
/// each on a portfolio small enough to work out by hand (amounts in EUR cents, as of 2026-11-20).
@Suite("reference engine: rule by rule")
struct ReferenceEngineRuleTests {
    static let eur = Currency.iso("EUR")!
    static let asOf = CalendarDate(iso: "2026-11-20")!

    /// A tenant in FR with own funds 1,000,000.00, one notified client C (grade 2) and debtor D in FR.
    static func portfolio(_ adjust: (inout Portfolio) -> Void = { _ in }) -> Portfolio {
        var portfolio = Portfolio(tenant: .init(ref: "t", baseCurrency: eur, homeCountry: "FR", ownFunds: 100_000_000))
        portfolio.clients = [client("C")]
        portfolio.debtors = [.init(ref: "D", country: "FR", groupRef: nil, creditLimit: 10_000_000)]
        portfolio.approvals = [Portfolio.Pair("C", "D"): 10_000_000]
        adjust(&portfolio)
        return portfolio
    }

    static func client(_ ref: String, mode: ClientMode = .notified, grade: Int = 2, revenue: Int64 = 5_000_000_000,
                       funded: Int64 = 0, group: String? = nil) -> Portfolio.Client {
        .init(ref: ref, country: "FR", mode: mode, annualRevenue: revenue, financialGrade: grade, holdbackBP: 1000,
              fundingLimit: 1_000_000_000, fundedBalance: funded, groupRef: group)
    }

    static func invoice(_ ref: String, _ open: Int64, client: String = "C", debtor: String = "D", issued: String = "2026-11-01",
                        due: String = "2026-12-01", disputed: Bool = false, currency: String = "EUR",
                        kind: Portfolio.Document.Kind = .invoice) -> Portfolio.Document {
        .init(ref: ref, clientRef: client, debtorRef: debtor, kind: kind, currency: Currency.iso(currency)!, amount: open,
              openAmount: open, issueDate: CalendarDate(iso: issued)!, dueDate: CalendarDate(iso: due)!, disputed: disputed)
    }

    static func compute(_ portfolio: Portfolio) -> RiskReport { ReferenceEngine.compute(portfolio, asOf: asOf) }

    @Test("§4.1 the first rule that holds gives the reason: disputed before aged")
    func classificationOrder() {
        let report = Self.compute(Self.portfolio {
            // Disputed and also 111 days old: disputed wins. 1,000.00 disputed, 500.00 aged only.
            $0.documents = [Self.invoice("A", 100_000, issued: "2026-08-01", disputed: true), Self.invoice("B", 50_000, issued: "2026-08-01"),
                            Self.invoice("E", 300_000)]
        })
        let pair = report.pairs[0]
        #expect(pair.ineligible.disputed == 100_000)
        #expect(pair.ineligible.aged == 50_000)
        // Old share (1,000 + 500) / 4,500 = 33 % ≤ 50 %: no cross-ageing; E stays eligible.
        #expect(!pair.crossAged)
        #expect(pair.eligible == 300_000)
    }

    @Test("§4.1 aged by days past due alone: due 61 days before D")
    func agedPastDue() {
        // Issued 2026-09-01 (80 days, within 90) but due 2026-09-20: 61 days past due > 60.
        let report = Self.compute(Self.portfolio { $0.documents = [Self.invoice("A", 10_000, issued: "2026-09-01", due: "2026-09-20")] })
        #expect(report.pairs[0].ineligible.aged == 10_000)
        // Due 2026-09-21 is 60 days past due: not aged (the rule is "longer than").
        let edge = Self.compute(Self.portfolio { $0.documents = [Self.invoice("A", 10_000, issued: "2026-09-01", due: "2026-09-21")] })
        #expect(edge.pairs[0].eligible == 10_000)
    }

    @Test("§4.1 affiliate, embargo and unapproved, and EMBARGO_EXPOSURE on the country")
    func affiliateEmbargoUnapproved() {
        let report = Self.compute(Self.portfolio {
            $0.clients = [Self.client("C", group: "G"), Self.client("K")]
            $0.debtors = [.init(ref: "D", country: "FR", groupRef: "G", creditLimit: 10_000_000),
                          .init(ref: "R", country: "RU", groupRef: nil, creditLimit: 10_000_000)]
            $0.countries = ["RU": .init(grade: 7, embargoed: true, limit: nil)]
            $0.approvals = [Portfolio.Pair("C", "D"): 10_000_000, Portfolio.Pair("C", "R"): 10_000_000]
            $0.documents = [Self.invoice("A", 20_000), Self.invoice("B", 30_000, debtor: "R"), Self.invoice("U", 40_000, client: "K")]
        })
        let byKey = Dictionary(uniqueKeysWithValues: report.pairs.map { ("\($0.clientRef)-\($0.debtorRef)", $0) })
        #expect(byKey["C-D"]!.ineligible.affiliate == 20_000)
        #expect(byKey["C-R"]!.ineligible.embargo == 30_000)
        #expect(byKey["K-D"]!.ineligible.unapproved == 40_000)
        #expect(byKey["K-D"]!.approved == 0)
        let russia = report.countries.first { $0.country == "RU" }!
        #expect(russia.limit == 0)
        #expect(russia.gross == 30_000)
        #expect(russia.flags == [.embargoExposure])
        #expect(report.portfolio.guaranteed == 0)
    }

    @Test("§4.2 cross-ageing: above half aged turns the eligible invoices cross_aged; exactly half does not")
    func crossAgeing() {
        // Aged 600, eligible 400: 600 × 10000 > 5000 × 1000 → cross-aged.
        let over = Self.compute(Self.portfolio { $0.documents = [Self.invoice("O", 60_000, issued: "2026-07-01"), Self.invoice("E", 40_000)] })
        #expect(over.pairs[0].crossAged)
        #expect(over.pairs[0].ineligible.crossAged == 40_000)
        #expect(over.pairs[0].eligible == 0)
        #expect(over.clients[0].flags == [.crossAged])
        // Aged 500, eligible 500: 500 × 10000 = 5000 × 1000, not above → not cross-aged.
        let half = Self.compute(Self.portfolio { $0.documents = [Self.invoice("O", 50_000, issued: "2026-07-01"), Self.invoice("E", 50_000)] })
        #expect(!half.pairs[0].crossAged)
        #expect(half.pairs[0].eligible == 50_000)
    }

    @Test("§4.3 credit notes above the eligible invoices leave eligible at 0 and gross negative")
    func creditNotesFloorEligible() {
        let report = Self.compute(Self.portfolio {
            $0.documents = [Self.invoice("I", 10_000), Self.invoice("N", 25_000, kind: .creditNote)]
        })
        #expect(report.pairs[0].gross == -15_000)
        #expect(report.pairs[0].eligible == 0)
        #expect(report.pairs[0].creditNotes == 25_000)
    }

    @Test("§2 fx: the latest rate on or before D, rounded half away from zero; no rate → missing_fx")
    func foreignExchange() {
        let report = Self.compute(Self.portfolio {
            $0.fxRates = ["JPY": [CalendarDate(iso: "2026-11-01")!: DecimalRate(parsing: "0.005")!,
                                  CalendarDate(iso: "2026-11-21")!: DecimalRate(parsing: "1")!],
                          "USD": [CalendarDate(iso: "2026-11-21")!: DecimalRate(parsing: "0.9")!]]
            // JPY 1 × 0.005 = 0.005 EUR = 0.5 cent → 1 cent; JPY 301 × 0.005 = 1.505 → 151 cents.
            $0.documents = [Self.invoice("J1", 1, currency: "JPY"), Self.invoice("J2", 301, currency: "JPY"),
                            Self.invoice("U", 10_000, currency: "USD"), Self.invoice("Z", 0),
                            Self.invoice("F", 10_000, issued: "2026-11-21", due: "2026-12-21")]
        })
        #expect(report.pairs[0].eligible == 152)
        // USD's only rate is after D; Z is fully paid and F issued after D: neither takes part.
        #expect(report.portfolio.missingFX == ["U"])
        #expect(report.portfolio.documents == 2)
    }

    @Test("§4.5 and §6 debtor limit: warning at 80 %, breach above the limit, over-allocation, a zero limit")
    func debtorLimits() {
        func debtor(open: Int64, limit: Int64, approved: Int64 = 10_000_000) -> RiskReport.DebtorRow {
            Self.compute(Self.portfolio {
                $0.debtors = [.init(ref: "D", country: "FR", groupRef: nil, creditLimit: limit)]
                $0.approvals = [Portfolio.Pair("C", "D"): approved]
                $0.documents = [Self.invoice("I", open)]
            }).debtors[0]
        }
        #expect(debtor(open: 80_000, limit: 100_000, approved: 100_000).flags == [.debtorLimitWarn])
        #expect(debtor(open: 79_999, limit: 100_000, approved: 100_000).flags == [])
        let breach = debtor(open: 100_001, limit: 100_000)
        #expect(breach.flags == [.debtorLimitBreach, .debtorOverAllocated])
        #expect(breach.headroom == -1)
        #expect(breach.availableLimit == 0)
        let zero = debtor(open: 1, limit: 0)
        #expect(zero.utilizationBP == nil)
        #expect(zero.flags == [.debtorLimitBreach, .debtorOverAllocated])
    }

    @Test("§4.6 and §6 groups: large exposure at 10 % of own funds, breach above 25 %")
    func largeExposure() {
        func group(_ open: Int64) -> RiskReport.GroupRow {
            Self.compute(Self.portfolio {
                $0.debtors = [.init(ref: "D", country: "FR", groupRef: "G", creditLimit: 100_000_000)]
                $0.approvals = [Portfolio.Pair("C", "D"): 100_000_000]
                $0.documents = [Self.invoice("I", open)]
            }).groups[0]
        }
        // Own funds 1,000,000.00: 100,000.00 is exactly 10 % → LARGE_EXPOSURE; 250,000.01 > 25 % → breach.
        #expect(group(10_000_000).flags == [.largeExposure])
        #expect(group(9_999_999).flags == [])
        #expect(group(25_000_001).flags == [.largeExposureBreach])
        #expect(group(25_000_001).ownFundsBP == 2500)
    }

    @Test("§4.7 and §6 countries: cap by grade, explicit limit, warning and breach")
    func countryLimits() {
        let report = Self.compute(Self.portfolio {
            $0.debtors = [.init(ref: "D", country: "FR", groupRef: nil, creditLimit: 100_000_000),
                          .init(ref: "T", country: "TR", groupRef: nil, creditLimit: 100_000_000),
                          .init(ref: "X", country: "XX", groupRef: nil, creditLimit: 100_000_000)]
            $0.countries = ["TR": .init(grade: 4, embargoed: false, limit: 2_000_000)]
            $0.approvals = [Portfolio.Pair("C", "D"): 100_000_000, Portfolio.Pair("C", "T"): 100_000_000, Portfolio.Pair("C", "X"): 100_000_000]
            // Guaranteed: FR 80,000, TR 16,000, XX 4,000 → P = 100,000.
            $0.documents = [Self.invoice("F", 8_000_000, debtor: "D"), Self.invoice("T", 1_600_000, debtor: "T"), Self.invoice("X", 400_000, debtor: "X")]
        })
        let byCode = Dictionary(uniqueKeysWithValues: report.countries.map { ($0.country, $0) })
        // FR is not listed: default grade 7, cap 2.5 % of P = 2,500.00 → breached by 80,000.
        #expect(byCode["FR"]!.grade == 7)
        #expect(byCode["FR"]!.limit == 250_000)
        #expect(byCode["FR"]!.flags == [.countryLimitBreach])
        // TR: explicit limit 20,000; 16,000 is 8,000 bp → warning.
        #expect(byCode["TR"]!.utilizationBP == 8000)
        #expect(byCode["TR"]!.flags == [.countryLimitWarn])
        #expect(byCode["XX"]!.shareBP == 400)
        // §4.8: T's available limit is its country's headroom, 4,000.00.
        #expect(report.debtors.first { $0.debtorRef == "T" }!.availableLimit == 400_000)
    }

    @Test("§4.4, §4.10 and §6 client: delegated weight and flag, tier from a weak grade, over-advance")
    func clientWaterfallAndTier() {
        let report = Self.compute(Self.portfolio {
            $0.clients = [Self.client("C", mode: .delegated, grade: 9, funded: 100_000)]
            // H, closed in the summer, makes D an old debtor of C (no NEW_DEBTOR_CONCENTRATION, §8.3).
            $0.documents = [Self.invoice("I", 100_000), Self.invoice("H", 0, issued: "2026-06-01", due: "2026-07-01")]
        })
        let client = report.clients[0]
        // One pair of 1,000.00: cap 25 % = 250.00, excess 750.00, fundable 250.00, holdback 25.00, capacity 225.00.
        #expect([client.concentrationCap, client.concentrationExcess, client.fundable, client.holdback, client.fundingCapacity]
                == [25_000, 75_000, 25_000, 2_500, 22_500])
        #expect(client.availability == -77_500)
        #expect(client.riskWeighted == 125_000)
        #expect(client.flags == [.delegatedCollection, .concentrationExcess, .overAdvance])
        // Grade 9 → 4; + 1 over-advance → capped at 4: D.
        #expect(client.tierLetter == "D")
    }

    @Test("§4.9 top-10 share counts only the ten largest debtors' covered amounts")
    func topTenShare() {
        let report = Self.compute(Self.portfolio {
            $0.debtors = (1...11).map { .init(ref: "D\($0 < 10 ? "0" : "")\($0)", country: "FR", groupRef: nil, creditLimit: 100_000_000) }
            $0.approvals = Dictionary(uniqueKeysWithValues: $0.debtors.map { (Portfolio.Pair("C", $0.ref), Int64(100_000_000)) })
            // Ten debtors of 1,000.00 and one of 500.00: top 10 = 10,000 of 10,500 → 9,523 bp.
            $0.documents = $0.debtors.map { Self.invoice("I-\($0.ref)", $0.ref == "D11" ? 50_000 : 100_000, debtor: $0.ref) }
        })
        #expect(report.portfolio.top10ShareBP == 9523)
        // HHI: (10 × 1000² + 500²) / 10500² = 10,250,000 / 110,250,000 → 92,970 ppm.
        #expect(report.portfolio.hhiPPM == 92_970)
    }
}
