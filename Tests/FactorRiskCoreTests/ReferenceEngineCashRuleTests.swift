import FactorRiskCore
import Testing

/// The boundaries of RULEBOOK.md §8 and the v2 rules of §4.1 that the cash example does not reach,
/// each on a portfolio small enough to work out by hand (EUR cents, as of 2026-11-20; the tenant,
/// client C and debtor D of `ReferenceEngineRuleTests`).
@Suite("reference engine: v2 rules at their boundaries")
struct ReferenceEngineCashRuleTests {
    typealias Rules = ReferenceEngineRuleTests
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

    @Test("§4.1 a paid event counts from D − remittance_days back, a refused one from D back; later events do not count")
    func eventDates() throws {
        let report = Rules.compute(Rules.portfolio {
            $0.documents = ["P1", "P2", "P3", "R1", "R2"].map { Rules.invoice($0, 100_000) }
            $0.events = [
                "P1": [.paid: Self.day("2026-11-18")],      // D − 2: paid
                "P2": [.paid: Self.day("2026-11-19")],      // within the 2 days: still eligible
                "P3": [.paid: Self.day("2026-11-21")],      // after D: not known yet
                "R1": [.refused: Self.day("2026-11-20")],   // on D: disputed
                "R2": [.refused: Self.day("2026-11-21")],   // after D: not known yet
            ]
        })
        let pair = report.pairs[0]
        #expect((pair.ineligible.paid, pair.ineligible.disputed, pair.eligible) == (100_000, 100_000, 300_000))
        #expect(report.clients[0].flags.contains(.paidStillOpen))
        #expect(!report.clients[0].flags.contains(.unremittedCollections))
    }

    @Test("§4.1 undeposited: more than deposit_days after issue with no deposited event on or before D; off when null")
    func undeposited() throws {
        var portfolio = Rules.portfolio {
            $0.documents = [
                Rules.invoice("U5", 100_000, issued: "2026-11-15"),   // 5 days: not yet late
                Rules.invoice("U6", 200_000, issued: "2026-11-14"),   // 6 days, never deposited
                Rules.invoice("UL", 400_000, issued: "2026-11-01"),   // deposited only after D
                Rules.invoice("OK", 800_000, issued: "2026-11-01"),
            ]
            $0.events = ["UL": [.deposited: Self.day("2026-11-21")], "OK": [.deposited: Self.day("2026-11-03")]]
        }
        portfolio.policy.depositDays = 5
        #expect(Rules.compute(portfolio).pairs[0].ineligible.undeposited == 600_000)
        portfolio.policy.depositDays = nil
        #expect(Rules.compute(portfolio).pairs[0].ineligible.undeposited == 0)
        #expect(Rules.compute(portfolio).pairs[0].eligible == 1_500_000)
    }

    @Test("§8.2 cash collected within the remittance days is not yet unremitted, but has an age")
    func freshCollection() throws {
        let report = Rules.compute(Rules.portfolio {
            $0.documents = [Rules.invoice("I", 0, issued: "2026-10-01", due: "2026-10-31")]
            $0.collections = [.init(ref: "K1", docRef: "I", collectedOn: Self.day("2026-11-19"), amount: 100_000)]
        })
        let client = report.clients[0]
        #expect((client.collected, client.unremitted, client.unremittedDays) == (100_000, 0, 1))
        #expect(!client.flags.contains(.unremittedCollections))
    }

    @Test("§8.2 a notified client that keeps a misdirected payment is flagged like any other, and its tier rises")
    func notifiedCollector() throws {
        let report = Rules.compute(Rules.portfolio {
            $0.documents = [Rules.invoice("I", 0, issued: "2026-06-01", due: "2026-07-01")]
            $0.collections = [
                .init(ref: "K1", docRef: "I", collectedOn: Self.day("2026-07-01"), amount: 60_000),
                .init(ref: "K2", docRef: "I", collectedOn: Self.day("2026-07-05"), amount: 40_000),
            ]
            $0.remittances = [.init(ref: "R1", clientRef: "C", receivedOn: Self.day("2026-07-10"), currency: Rules.eur, amount: 70_000)]
        })
        let client = report.clients[0]
        // 100,000 collected, 70,000 remitted: the oldest not covered is K2 (running 100,000 > 70,000), 138 days ago.
        #expect((client.unremitted, client.unremittedDays) == (30_000, 138))
        #expect(client.flags == [.unremittedCollections])
        // Grade 2 → A, + cash → B.
        #expect(client.tierLetter == "B")
        #expect(report.portfolio.unremitted == 30_000)
    }

    @Test("§8.1 the dilution reserve takes at most the whole fundable amount")
    func dilutionCapped() throws {
        let report = Rules.compute(Rules.portfolio {
            $0.documents = [
                Rules.invoice("I", 1_000_000, issued: "2026-11-01"),
                Rules.invoice("N", 0, issued: "2026-11-02", kind: .creditNote),
                Rules.invoice("H", 0, issued: "2026-06-01", due: "2026-07-01"),
            ]
            // N's full amount is 2,000,000 although it is closed: dilution 20,000 bp.
            $0.documents[1].amount = 2_000_000
        })
        let client = report.clients[0]
        #expect(client.dilutionBP == 20_000)
        #expect(client.dilutionReserve == client.fundable && client.fundable > 0)
        #expect((client.holdback, client.fundingCapacity) == (0, 0))
        #expect(client.flags.contains(.dilutionHigh))
    }

    @Test("§8.3 duplicates within duplicate_days of each other, open ones counted; round amounts in the currency's own units")
    func ledgerPatterns() throws {
        let report = Rules.compute(Rules.portfolio {
            $0.documents = [
                Rules.invoice("A", 150_050, issued: "2026-11-01"),
                Rules.invoice("B", 150_050, issued: "2026-11-04"),   // 3 days after A: twins
                Rules.invoice("C", 150_050, issued: "2026-11-08"),   // 4 days after B: alone
                Rules.invoice("J", 1_000_000, issued: "2026-11-10", currency: "JPY"),   // JPY 1,000,000: round
                Rules.invoice("E", 100_000, issued: "2026-11-11"),   // EUR 1,000.00: round
                Rules.invoice("F", 150_050, issued: "2026-11-09", currency: "USD"),   // another currency: no twin of C
            ]
            $0.documents[1].openAmount = 0   // B is closed: it is a twin, not a suspect
        })
        let client = report.clients[0]
        #expect(client.duplicateSuspects == 1)
        // Six invoices in the 30 days, two of them round.
        #expect((client.roundInvoices, client.roundShareBP) == (6, 3333))
        // Fewer than round_min_invoices (10): no flag.
        #expect(!client.flags.contains(.roundAmounts))
        #expect(client.flags.contains(.duplicateSuspect))
    }
}
