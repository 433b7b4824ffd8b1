import FactorRiskCore
import Testing

/// The boundaries of RULEBOOK.md §9.1–§9.3 that the limits example does not reach, each on a
/// portfolio small enough to work out by hand (EUR cents, as of 2026-11-20; the tenant, client C
/// and debtor D of `ReferenceEngineRuleTests`, with France given an explicit limit of 1,000,000.00
/// so that the country never binds the available limit).
@Suite("reference engine: v3 rules at their boundaries")
struct ReferenceEngineLimitRuleTests {
    typealias Rules = ReferenceEngineRuleTests
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

    static func portfolio(_ adjust: (inout Portfolio) -> Void) -> Portfolio {
        Rules.portfolio {
            $0.countries = ["FR": .init(grade: 0, embargoed: false, limit: 100_000_000)]
            adjust(&$0)
        }
    }

    static func change(_ ref: String, _ limit: Int64, client: String? = nil, debtor: String = "D", announced: String,
                       effective: String) -> Portfolio.LimitChange {
        .init(ref: ref, debtorRef: debtor, clientRef: client, newLimit: limit, announcedOn: day(announced), effectiveOn: day(effective))
    }

    @Test("§9.1 a change effective on D is in force; one announced on D is pending; one announced after D is neither")
    func onTheDate() {
        let report = Rules.compute(Self.portfolio {
            $0.documents = [Rules.invoice("I", 3_000_000)]
            $0.limitChanges = [
                Self.change("A", 5_000_000, announced: "2026-11-20", effective: "2026-11-20"),
                Self.change("B", 2_000_000, announced: "2026-11-20", effective: "2026-11-30"),
                Self.change("C", 1_000_000, announced: "2026-11-21", effective: "2026-11-22"),
            ]
        })
        let debtor = report.debtors[0]
        #expect(debtor.creditLimit == 5_000_000)
        #expect(debtor.pendingLimit == 2_000_000 && debtor.pendingOn == Self.day("2026-11-30"))
        // Guaranteed 30,000 above the pending 20,000: 10,000 projected excess, nothing available, flagged; the
        // approval of 100,000 is above the 50,000 in force.
        #expect(debtor.projectedExcess == 1_000_000 && debtor.availableLimit == 0)
        #expect(debtor.flags == [.debtorOverAllocated, .limitCutPending])
    }

    @Test("§4.8 and §9.2 a pending cut caps the available limit, a raise never lowers it, a cut above guaranteed is not flagged")
    func availableLimit() {
        func debtor(_ pending: Int64) -> RiskReport.DebtorRow {
            Rules.compute(Self.portfolio {
                $0.documents = [Rules.invoice("I", 3_000_000)]
                $0.limitChanges = [Self.change("P", pending, announced: "2026-11-01", effective: "2026-12-01")]
            }).debtors[0]
        }
        // Limit 100,000, guaranteed 30,000: headroom 70,000; the group's 250,000 − 30,000 and the country's
        // 1,000,000 − 30,000 do not bind.
        #expect(debtor(15_000_000).availableLimit == 7_000_000)   // a raise to 150,000: 120,000 left, no lower
        #expect(debtor(4_000_000).availableLimit == 1_000_000)    // a cut to 40,000: 10,000 left
        #expect(debtor(4_000_000).flags.isEmpty)                  // 40,000 is still above the 30,000 guaranteed
        #expect(debtor(4_000_000).projectedExcess == 0)
        #expect(debtor(2_000_000).flags == [.limitCutPending])    // 20,000 is below it
    }

    @Test("§9.2 approval cuts are summed pair by pair: a raise on one pair does not offset a cut on another")
    func approvalCut() {
        let report = Rules.compute(Self.portfolio {
            $0.debtors.append(.init(ref: "E", country: "FR", groupRef: nil, creditLimit: 10_000_000))
            $0.approvals[Portfolio.Pair("C", "E")] = 10_000_000
            $0.documents = [Rules.invoice("I", 6_000_000), Rules.invoice("J", 6_000_000, debtor: "E")]
            $0.limitChanges = [
                Self.change("CUT", 2_000_000, client: "C", debtor: "D", announced: "2026-11-10", effective: "2026-12-10"),
                Self.change("RAISE", 20_000_000, client: "C", debtor: "E", announced: "2026-11-10", effective: "2026-12-10"),
            ]
        })
        let pairs = Dictionary(uniqueKeysWithValues: report.pairs.map { ($0.debtorRef, $0) })
        #expect(pairs["D"]?.projectedGuaranteed == 2_000_000 && pairs["D"]?.pendingApproved == 2_000_000)
        #expect(pairs["E"]?.projectedGuaranteed == 6_000_000)   // min(eligible 60,000, 200,000)
        #expect(report.clients[0].approvalCut == 4_000_000)     // 60,000 − 20,000, the raise adds nothing back
        #expect(report.clients[0].flags.contains(.approvalCutPending))
    }

    @Test("§9.1 an approval that exists only through a change gives its pair a row")
    func approvalFromChangeAlone() {
        let report = Rules.compute(Self.portfolio {
            $0.approvals = [:]
            $0.limitChanges = [Self.change("NEW", 5_000_000, client: "C", announced: "2026-11-01", effective: "2026-11-15")]
        })
        #expect(report.pairs.map(\.approved) == [5_000_000])
        #expect(report.debtors[0].approvedTotal == 5_000_000)
    }

    @Test("§9.3 insurance: covered (not guaranteed) against the insured limit, recoverable rounded down, expiry within the notice days")
    func insurance() {
        func debtor(validTo: String?, from: String = "2026-01-01", country: String = "DE", limit: Int64 = 9_500_000) -> RiskReport.DebtorRow {
            Rules.compute(Self.portfolio {
                $0.debtors = [.init(ref: "D", country: country, groupRef: nil, creditLimit: 20_000_000)]
                $0.countries[country] = .init(grade: 0, embargoed: false, limit: 100_000_000)
                $0.documents = [Rules.invoice("I", 10_000_000)]
                $0.insurance["D"] = .init(debtorRef: "D", insurer: "I", insuredLimit: limit, coverBP: 8500, validFrom: Self.day(from),
                                          validTo: validTo.map(Self.day))
            }).debtors[0]
        }
        // Foreign: guaranteed 100,000, covered 90 % = 90,000, within the 95,000 insured: no UNINSURED_EXPOSURE.
        let open = debtor(validTo: nil)
        #expect((open.covered, open.insured, open.recoverable, open.netLoss) == (9_000_000, 9_000_000, 7_650_000, 1_350_000))
        #expect(open.flags.isEmpty)
        #expect(debtor(validTo: nil, limit: 8_999_999).flags == [.uninsuredExposure])
        // 8,999,999 × 85 % = 7,649,999.15 → 7,649,999 cents.
        #expect(debtor(validTo: nil, limit: 8_999_999).recoverable == 7_649_999)
        // Ends in 29 days: expiring; in 30: not; on D itself: still in force, expiring; the day before D: over.
        #expect(debtor(validTo: "2026-12-19").flags == [.insuranceExpiring])
        #expect(debtor(validTo: "2026-12-20").flags.isEmpty)
        #expect(debtor(validTo: "2026-11-20").flags == [.insuranceExpiring] && debtor(validTo: "2026-11-20").insured == 9_000_000)
        #expect(debtor(validTo: "2026-11-19").insured == 0 && debtor(validTo: "2026-11-19").netLoss == 9_000_000)
        // Not started yet: nothing insured, no flag.
        #expect(debtor(validTo: nil, from: "2026-11-21").insured == 0)
        #expect(debtor(validTo: nil, from: "2026-11-21", limit: 0).flags.isEmpty)
    }
}

/// §9.4 (a) on a portfolio small enough to work out by hand: a defaulted group's documents leave
/// `missing_fx`, the dilution window and days past due, while its collections still count.
@Suite("reference engine: a defaulted group's documents under a scenario")
struct ReferenceEngineScenarioRuleTests {
    typealias Rules = ReferenceEngineRuleTests

    @Test("missing_fx, dilution and days past due leave with the defaulted debtor; its collections stay")
    func documentsLeave() {
        let portfolio = Rules.portfolio {
            $0.debtors.append(.init(ref: "E", country: "FR", groupRef: nil, creditLimit: 10_000_000))
            $0.approvals[Portfolio.Pair("C", "E")] = 10_000_000
            $0.documents = [
                Rules.invoice("I1", 10_000_000, due: "2026-11-10"),                       // on D, 10 days past due
                Rules.invoice("I2", 10_000_000, debtor: "E"),                             // on E, not yet due
                Rules.invoice("U", 5_000, debtor: "E", currency: "USD"),                  // on E, no USD rate: missing_fx
                Rules.invoice("N", 2_000_000, debtor: "E", issued: "2026-11-05", kind: .creditNote),
            ]
            $0.collections = [.init(ref: "K", docRef: "I2", collectedOn: CalendarDate(iso: "2026-11-01")!, amount: 300_000)]
        }
        let date = CalendarDate(iso: "2026-11-20")!
        let baseline = ReferenceEngine.compute(portfolio, asOf: date)
        let scenario = ReferenceEngine.compute(portfolio, asOf: date, scenario: Scenario(defaulted: ["E"]))
        // Baseline: credited 20,000 of 200,000 invoiced in the window = 1,000 bp; (100,000 × 10 + 100,000 × 0) / 200,000 = 5 days.
        #expect(baseline.portfolio.missingFX == ["U"])
        #expect((baseline.clients[0].dilutionBP, baseline.clients[0].pastDueDays) == (1000, 5))
        // E defaults: only I1 is left: no dilution, 10 days past due, nothing missing; the collection still counts.
        #expect(scenario.portfolio.missingFX.isEmpty)
        #expect((scenario.clients[0].dilutionBP, scenario.clients[0].pastDueDays) == (0, 10))
        #expect(scenario.clients[0].collected == 300_000)
        let e = scenario.debtors.first { $0.debtorRef == "E" }
        #expect(e.map { ($0.gross, $0.guaranteed, $0.approvedTotal) } ?? (1, 1, 1) == (0, 0, 0))
        #expect(scenario.portfolio.documents == 1)
    }
}
