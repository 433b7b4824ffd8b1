import FactorRiskCore
import FactorRiskPostgres
import FactorRiskSynthetic

/// Rulebook version 3's inputs (§9) for the random portfolios of the differential and live tests:
/// random limit changes and insurance policies added to a portfolio in memory, and the same rows
/// written to its tenant, so that both engines read one set of inputs.
enum LimitInputs {
    /// Adds changes of credit limits and approvals around `asOf` (past, in force, pending, announced
    /// later, ties on effective and announced dates, expiries to 0) and insurance policies (in force,
    /// expired, not yet started, open-ended, ending soon) to about a third of the debtors.
    static func randomize(_ portfolio: inout Portfolio, asOf: CalendarDate, _ generator: inout SplitMix64) {
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(generator.next() % UInt64(range.upperBound - range.lowerBound + 1)) }
        func chance(_ percent: Int) -> Bool { pick(1...100) <= percent }
        func amount(around value: Int64) -> Int64 {
            chance(10) ? 0 : max(0, value / 100 * Int64(pick(20...160)) + Int64(pick(0...99)))
        }
        var number = 0
        func change(_ debtor: String, _ client: String?, around value: Int64) {
            let announced = asOf.adding(days: pick(-90...20))
            let effective = announced.adding(days: chance(20) ? 0 : pick(0...60))
            number += 1
            portfolio.limitChanges.append(Portfolio.LimitChange(
                ref: "X\(pick(0...9))-\(number)", debtorRef: debtor, clientRef: client, newLimit: amount(around: value),
                announcedOn: announced, effectiveOn: effective))
            // A twin on the same effective date, announced the same day or another: the ties of §9.1 and §9.2.
            if chance(25) {
                number += 1
                portfolio.limitChanges.append(Portfolio.LimitChange(
                    ref: "X\(pick(0...9))-\(number)", debtorRef: debtor, clientRef: client, newLimit: amount(around: value),
                    announcedOn: chance(50) ? announced : announced.adding(days: -pick(0...10)), effectiveOn: effective))
            }
        }
        for debtor in portfolio.debtors where chance(40) {
            for _ in 0..<pick(1...3) { change(debtor.ref, nil, around: debtor.creditLimit) }
        }
        for (pair, approved) in portfolio.approvals.sorted(by: { $0.key < $1.key }) where chance(15) {
            for _ in 0..<pick(1...2) { change(pair.debtorRef, pair.clientRef, around: max(approved, 100_000)) }
        }
        // A change on a pair without an approval row: its approval exists only through the change.
        if let client = portfolio.clients.first, let debtor = portfolio.debtors.last,
           portfolio.approvals[Portfolio.Pair(client.ref, debtor.ref)] == nil {
            change(debtor.ref, client.ref, around: 5_000_000)
        }
        for debtor in portfolio.debtors where chance(35) {
            let from = asOf.adding(days: pick(-400...10))
            let to: CalendarDate? = chance(30) ? nil : asOf.adding(days: pick(-30...60))
            portfolio.insurance[debtor.ref] = Portfolio.Insurance(
                debtorRef: debtor.ref, insurer: "Insurer \(pick(1...3))", insuredLimit: amount(around: debtor.creditLimit),
                coverBP: Int64(pick(7000...10_000)), validFrom: from, validTo: to.map { max($0, from) })
        }
    }

    /// Replaces the tenant's limit changes and insurance with those of `portfolio`.
    static func write(_ portfolio: Portfolio, tenantRef: String, pool: PGPool) async throws {
        try await pool.withConnection { connection in
            let tenant: Int64 = try connection.query("SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [tenantRef]).first!.decode(at: 0)
            for table in ["limit_changes", "insurance"] { try connection.query("DELETE FROM \(table) WHERE tenant_id = $1", [tenant]) }
            try connection.execute("""
                CREATE TEMPORARY TABLE change_rows (change_ref text, debtor_ref text, client_ref text, new_limit bigint,
                    announced_on date, effective_on date)
                """)
            try connection.copyIn("COPY change_rows FROM STDIN") { writer in
                for c in portfolio.limitChanges {
                    try writer.write("\(c.ref)\t\(c.debtorRef)\t\(c.clientRef ?? "\\N")\t\(c.newLimit)\t\(c.announcedOn)\t\(c.effectiveOn)\n")
                }
            }
            try connection.query("""
                INSERT INTO limit_changes (tenant_id, change_ref, debtor_id, client_id, new_limit, announced_on, effective_on)
                SELECT $1, r.change_ref, d.debtor_id, c.client_id, r.new_limit, r.announced_on, r.effective_on
                FROM change_rows r
                JOIN debtors d ON d.tenant_id = $1 AND d.debtor_ref = r.debtor_ref
                LEFT JOIN clients c ON c.tenant_id = $1 AND c.client_ref = r.client_ref
                """, [tenant])
            try connection.execute("DROP TABLE change_rows")
            try connection.execute("""
                CREATE TEMPORARY TABLE insurance_rows (debtor_ref text, insurer text, insured_limit bigint, cover_bp integer,
                    valid_from date, valid_to date)
                """)
            try connection.copyIn("COPY insurance_rows FROM STDIN") { writer in
                for i in portfolio.insurance.values {
                    try writer.write("\(i.debtorRef)\t\(i.insurer)\t\(i.insuredLimit)\t\(i.coverBP)\t\(i.validFrom)\t\(i.validTo.map { "\($0)" } ?? "\\N")\n")
                }
            }
            try connection.query("""
                INSERT INTO insurance (tenant_id, debtor_id, insurer, insured_limit, cover_bp, valid_from, valid_to)
                SELECT $1, d.debtor_id, r.insurer, r.insured_limit, r.cover_bp, r.valid_from, r.valid_to
                FROM insurance_rows r JOIN debtors d ON d.tenant_id = $1 AND d.debtor_ref = r.debtor_ref
                """, [tenant])
            try connection.execute("DROP TABLE insurance_rows")
        }
    }
}
