@testable import FactorRiskCore
import Testing

@Suite("what changed between two snapshots")
struct SnapshotDiffTests {
    /// Two hand-made snapshots, the 19th and the 20th: D1 goes over its limit, D2's breach grows,
    /// C1's over-advance clears, FR's limit moves with the portfolio, and availability shifts.
    static func snapshots() -> (RiskReport, RiskReport) {
        var before = RiskReport(tenantRef: "acme", asOf: CalendarDate(iso: "2026-11-19")!, currency: Currency.iso("EUR")!)
        var after = RiskReport(tenantRef: "acme", asOf: CalendarDate(iso: "2026-11-20")!, currency: Currency.iso("EUR")!)
        func debtor(_ ref: String, limit: Int64, guaranteed: Int64, available: Int64) -> RiskReport.DebtorRow {
            var row = RiskReport.DebtorRow(debtorRef: ref, country: "FR", groupRef: ref, creditLimit: limit)
            row.guaranteed = guaranteed
            row.availableLimit = available
            if guaranteed > limit { row.flags = [.debtorLimitBreach] }
            return row
        }
        func client(_ ref: String, availability: Int64) -> RiskReport.ClientRow {
            var row = RiskReport.ClientRow(clientRef: ref, mode: .notified)
            row.availability = availability
            if availability < 0 { row.flags = [.overAdvance] }
            return row
        }
        func country(_ code: String, limit: Int64, guaranteed: Int64) -> RiskReport.CountryRow {
            var row = RiskReport.CountryRow(country: code, grade: 0, embargoed: false)
            row.limit = limit
            row.guaranteed = guaranteed
            return row
        }
        before.debtors = [debtor("D1", limit: 100_00, guaranteed: 90_00, available: 10_00),
                          debtor("D2", limit: 50_00, guaranteed: 60_00, available: 0),
                          debtor("D3", limit: 80_00, guaranteed: 10_00, available: 70_00)]
        after.debtors = [debtor("D1", limit: 100_00, guaranteed: 120_00, available: 0),
                         debtor("D2", limit: 50_00, guaranteed: 75_00, available: 0),
                         debtor("D3", limit: 80_00, guaranteed: 40_00, available: 40_00)]
        before.clients = [client("C1", availability: -5_00), client("C2", availability: 30_00)]
        after.clients = [client("C1", availability: 2_00), client("C2", availability: 10_00)]
        before.countries = [country("FR", limit: 200_00, guaranteed: 160_00)]
        after.countries = [country("FR", limit: 235_00, guaranteed: 235_00)]
        return (before, after)
    }

    @Test("new, worsened and cleared breaches, with the excess over the limit before and after")
    func breaches() {
        let (before, after) = Self.snapshots()
        let diff = SnapshotDiff(from: before, to: after)
        #expect(diff.breaches == [
            .init(change: .new, subject: "debtor", ref: "D1", flag: .debtorLimitBreach, before: nil, after: 20_00),
            .init(change: .worsened, subject: "debtor", ref: "D2", flag: .debtorLimitBreach, before: 10_00, after: 25_00),
            .init(change: .cleared, subject: "client", ref: "C1", flag: .overAdvance, before: 5_00, after: nil),
        ])
    }

    @Test("the limits and availabilities that moved most, largest first, limited to the top N")
    func movements() {
        let (before, after) = Self.snapshots()
        let diff = SnapshotDiff(from: before, to: after, top: 1)
        // Debtors: D3 −30.00, D1 −10.00 (D2 unchanged); clients: C2 −20.00, C1 +7.00; FR +35.00.
        #expect(diff.movements.map { "\($0.subject) \($0.ref) \($0.field) \($0.delta)" } ==
                ["debtor D3 available_limit -3000", "client C2 availability -2000", "country FR limit 3500"])
        let all = SnapshotDiff(from: before, to: after)
        #expect(all.movements.count == 5)
        #expect(all.json.rendered(indent: 0).contains(#"{"subject":"client","ref":"C1","field":"availability","before":"-5.00","after":"2.00","change":"7.00"}"#))
    }

    @Test("every credit limit and approval in force that changed, debtors then pairs, old → new, whatever the size")
    func limits() {
        var (before, after) = Self.snapshots()
        // D3's limit is cut from 80.00 to 60.00 and "a1", a debtor only the later snapshot has, has none before;
        // D1 and D2 keep theirs (D1's availability moves, not its limit).
        after.debtors[2].creditLimit = 60_00
        after.debtors.append(RiskReport.DebtorRow(debtorRef: "a1", country: "FR", groupRef: "a1", creditLimit: 5_00))
        func pair(_ client: String, _ debtor: String, _ approved: Int64) -> RiskReport.PairRow {
            RiskReport.PairRow(clientRef: client, debtorRef: debtor, approved: approved)
        }
        // C2–D1 raised 40.00 → 60.00, C1–D3 cut 50.00 → 30.00, C1–D1 unchanged, C2–D9 gone, C2–D2 new: neither
        // of the last two is a change of a limit in both. All are listed though `top` keeps one move per figure.
        before.pairs = [pair("C1", "D1", 100_00), pair("C1", "D3", 50_00), pair("C2", "D1", 40_00), pair("C2", "D9", 10_00)]
        after.pairs = [pair("C2", "D2", 20_00), pair("C2", "D1", 60_00), pair("C1", "D3", 30_00), pair("C1", "D1", 100_00)]
        let diff = SnapshotDiff(from: before, to: after, top: 1)
        #expect(diff.limits == [
            .init(clientRef: nil, debtorRef: "D3", before: 80_00, after: 60_00),
            .init(clientRef: "C1", debtorRef: "D3", before: 50_00, after: 30_00),
            .init(clientRef: "C2", debtorRef: "D1", before: 40_00, after: 60_00),
        ])
        #expect(diff.limits.map { "\($0.subject) \($0.ref) \($0.field) \($0.delta)" } ==
                ["debtor D3 credit_limit -2000", "pair C1/D3 approved -2000", "pair C2/D1 approved 2000"])
        let json = diff.json.rendered(indent: 0)
        #expect(json.contains(#""limits":[{"subject":"debtor","client_ref":null,"debtor_ref":"D3","field":"credit_limit","before":"80.00","after":"60.00","change":"-20.00"},"#
                              + #"{"subject":"pair","client_ref":"C1","debtor_ref":"D3","field":"approved","before":"50.00","after":"30.00","change":"-20.00"},"#))
        // Back the other way, every change is undone.
        #expect(SnapshotDiff(from: after, to: before).limits.map(\.delta) == [2000, 2000, -2000])
        #expect(SnapshotDiff(from: before, to: before).limits.isEmpty)
    }

    @Test("references in byte order: upper case before lower case, shorter prefix first")
    func limitsInByteOrder() {
        var (before, after) = Self.snapshots()
        for ref in ["b", "B1", "B", "a"] {
            before.debtors.append(RiskReport.DebtorRow(debtorRef: ref, country: "FR", groupRef: ref, creditLimit: 1_00))
            after.debtors.append(RiskReport.DebtorRow(debtorRef: ref, country: "FR", groupRef: ref, creditLimit: 2_00))
        }
        #expect(SnapshotDiff(from: before, to: after).limits.map(\.debtorRef) == ["B", "B1", "a", "b"])
    }

    @Test("a snapshot compared with itself has nothing to say")
    func unchanged() {
        let (before, _) = Self.snapshots()
        let diff = SnapshotDiff(from: before, to: before)
        #expect(diff.breaches.isEmpty)
        #expect(diff.limits.isEmpty)
        #expect(diff.movements.isEmpty)
    }
}
