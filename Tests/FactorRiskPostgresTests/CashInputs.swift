import FactorRiskCore
import FactorRiskPostgres
import FactorRiskSynthetic
import FactorRiskTestSupport
import Foundation

/// Rulebook version 2's inputs for the engine tests: a bundle with them through the importer, or
/// random ones (collections, remittances, document events, the §5 v2 policy) written with plain
/// SQL from the same in-memory `Portfolio` the reference engine reads.
enum CashInputs {
    /// The bundle in `folder` (its collections, remittances, events and policy.json too) imported
    /// as `tenantRef` by the importer, and the same bundle in memory, for the reference engine.
    static func importBundle(_ folder: String, tenantRef: String, pool: PGPool) async throws -> Portfolio {
        var files: [BundleFile: [UInt8]] = [:]
        for file in BundleFile.allCases {
            if let data = FileManager.default.contents(atPath: "\(folder)/\(file.fileName)") { files[file] = Array(data) }
        }
        try await BundleImporter(pool: pool).importBundle(directory: folder, tenantRef: tenantRef)
        let policy = FileManager.default.contents(atPath: "\(folder)/\(BundleFile.policyFileName)").map { Array($0) }
        return try Portfolio(bundle: files, policy: policy)
    }

    /// Sets every document's event dates (`paid_on`, `refused_on`, `deposited_on`) from the tenant's
    /// `document_events`, as a merge of events does: for events written here with plain SQL.
    static func setEventDates(_ connection: PGConnection, tenantID: Int64) throws {
        try connection.query("""
            UPDATE documents d
            SET paid_on = (SELECT event_date FROM document_events e WHERE e.tenant_id = $1 AND e.doc_ref = d.doc_ref AND e.event = 'paid'),
                refused_on = (SELECT event_date FROM document_events e WHERE e.tenant_id = $1 AND e.doc_ref = d.doc_ref AND e.event = 'refused'),
                deposited_on = (SELECT event_date FROM document_events e
                                WHERE e.tenant_id = $1 AND e.doc_ref = d.doc_ref AND e.event = 'deposited')
            WHERE d.tenant_id = $1
            """, [tenantID])
    }

    /// Writes the portfolio's collections, remittances, events and §5 v2 policy for its tenant
    /// (replacing any written before), and stores `documents` (added or changed).
    static func write(_ portfolio: Portfolio, tenantRef: String, documents: [Portfolio.Document] = [], pool: PGPool) async throws {
        try await pool.withConnection { connection in
            let tenant: Int64 = try connection.query(
                "SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [tenantRef]).first!.decode(at: 0)
            try connection.execute("""
                CREATE TEMPORARY TABLE document_rows (doc_ref text, client_ref text, debtor_ref text, kind text, currency text,
                    amount bigint, open_amount bigint, issue_date date, due_date date, disputed boolean)
                """)
            try connection.copyIn("COPY document_rows FROM STDIN") { writer in
                for d in documents {
                    try writer.write("\(d.ref)\t\(d.clientRef)\t\(d.debtorRef)\t\(d.kind.rawValue)\t\(d.currency.code)\t\(d.amount)\t"
                        + "\(d.openAmount)\t\(d.issueDate)\t\(d.dueDate)\t\(d.disputed)\n")
                }
            }
            try connection.query("""
                INSERT INTO documents (tenant_id, doc_ref, client_id, debtor_id, kind, currency, amount, open_amount, issue_date, due_date,
                                       disputed)
                SELECT $1, r.doc_ref, c.client_id, d.debtor_id, r.kind, r.currency, r.amount, r.open_amount, r.issue_date, r.due_date,
                       r.disputed
                FROM document_rows r
                JOIN clients c ON c.tenant_id = $1 AND c.client_ref = r.client_ref
                JOIN debtors d ON d.tenant_id = $1 AND d.debtor_ref = r.debtor_ref
                ON CONFLICT (tenant_id, doc_ref) DO UPDATE SET amount = excluded.amount, open_amount = excluded.open_amount
                """, [tenant])
            try connection.execute("DROP TABLE document_rows")
            for table in ["collections", "remittances", "document_events"] {
                try connection.query("DELETE FROM \(table) WHERE tenant_id = $1", [tenant])
            }
            try connection.copyIn("COPY collections (tenant_id, collection_ref, doc_ref, collected_on, amount) FROM STDIN") { writer in
                for c in portfolio.collections { try writer.write("\(tenant)\t\(c.ref)\t\(c.docRef)\t\(c.collectedOn)\t\(c.amount)\n") }
            }
            try connection.execute("""
                CREATE TEMPORARY TABLE remittance_rows (ref text, client_ref text, received_on date, currency text, amount bigint)
                """)
            try connection.copyIn("COPY remittance_rows FROM STDIN") { writer in
                for r in portfolio.remittances {
                    try writer.write("\(r.ref)\t\(r.clientRef)\t\(r.receivedOn)\t\(r.currency.code)\t\(r.amount)\n")
                }
            }
            try connection.query("""
                INSERT INTO remittances (tenant_id, remittance_ref, client_id, received_on, currency, amount)
                SELECT $1, r.ref, c.client_id, r.received_on, r.currency, r.amount
                FROM remittance_rows r JOIN clients c ON c.tenant_id = $1 AND c.client_ref = r.client_ref
                """, [tenant])
            try connection.execute("DROP TABLE remittance_rows")
            try connection.copyIn("COPY document_events (tenant_id, doc_ref, event, event_date) FROM STDIN") { writer in
                for (doc, events) in portfolio.events {
                    for (event, date) in events { try writer.write("\(tenant)\t\(doc)\t\(event.rawValue)\t\(date)\n") }
                }
            }
            try setEventDates(connection, tenantID: tenant)
            let p = portfolio.policy
            try connection.query("INSERT INTO policies (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING", [tenant])
            try connection.query("""
                UPDATE policies SET remittance_days = $2, deposit_days = $3, dilution_window_days = $4, dilution_allowance_bp = $5,
                       dilution_warn_bp = $6, duplicate_days = $7, round_window_days = $8, round_unit = $9, round_min_invoices = $10,
                       round_warn_bp = $11, new_debtor_days = $12, new_debtor_warn_bp = $13, slow_payer_days = $14
                WHERE tenant_id = $1
                """, [tenant, p.remittanceDays, p.depositDays, p.dilutionWindowDays, p.dilutionAllowanceBP, p.dilutionWarnBP,
                      p.duplicateDays, p.roundWindowDays, p.roundUnit, p.roundMinInvoices, p.roundWarnBP, p.newDebtorDays,
                      p.newDebtorWarnBP, p.slowPayerDays])
        }
    }

    /// Random version 2 inputs for a portfolio: collections on some documents (now and then in a
    /// currency without a rate), remittances of each client (in the base currency or another),
    /// events on documents, duplicated and round invoices, and random §5 v2 parameters
    /// (`deposit_days` on or off).
    /// Returns the documents it added or changed, for `write` to store.
    static func randomize(_ portfolio: inout Portfolio, asOf: CalendarDate, _ generator: inout SplitMix64) -> [Portfolio.Document] {
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(generator.next() % UInt64(range.upperBound - range.lowerBound + 1)) }
        func chance(_ percent: Int) -> Bool { pick(1...100) <= percent }
        var policy = portfolio.policy
        policy.remittanceDays = pick(0...5)
        policy.depositDays = chance(50) ? pick(0...40) : nil
        policy.dilutionWindowDays = pick(20...120)
        policy.dilutionAllowanceBP = Int64(pick(0...1500))
        policy.dilutionWarnBP = Int64(pick(0...3000))
        policy.duplicateDays = pick(0...10)
        policy.roundWindowDays = pick(5...60)
        policy.roundUnit = [1, 10, 100, 1000][pick(0...3)]
        policy.roundMinInvoices = pick(0...20)
        policy.roundWarnBP = Int64(pick(0...10_000))
        policy.newDebtorDays = pick(0...120)
        policy.newDebtorWarnBP = Int64(pick(0...5000))
        policy.slowPayerDays = pick(0...60)
        portfolio.policy = policy

        // Twins: copies of some invoices, a few days apart, open or closed; and round amounts.
        let invoices = portfolio.documents.filter { $0.kind == .invoice }
        var added: [Portfolio.Document] = []
        for (index, invoice) in invoices.enumerated() where chance(8) {
            var twin = invoice
            twin.ref = "\(invoice.ref)-T\(index)"
            let shift = pick(-6...6)
            twin.issueDate = invoice.issueDate.adding(days: shift)
            twin.dueDate = invoice.dueDate.adding(days: shift)
            twin.openAmount = chance(50) ? twin.amount : 0
            added.append(twin)
        }
        var changed: [Portfolio.Document] = []
        for index in portfolio.documents.indices where chance(10) {
            let unit = Int64([1, 10, 100, 1000, 10_000][pick(0...4)]) * powerOfTen(portfolio.documents[index].currency.exponent)
            let amount = max(unit, portfolio.documents[index].amount / unit * unit)
            portfolio.documents[index].openAmount = min(portfolio.documents[index].openAmount, amount)
            portfolio.documents[index].amount = amount
            changed.append(portfolio.documents[index])
        }
        portfolio.documents += added

        // Events on a third of the documents, dated around their issue, some after the date.
        for document in portfolio.documents where chance(35) {
            var events: [Portfolio.Event: CalendarDate] = [:]
            for event in Portfolio.Event.allCases where chance(event == .deposited ? 70 : 25) {
                events[event] = document.issueDate.adding(days: pick(-2...60))
            }
            if !events.isEmpty { portfolio.events[document.ref] = events }
        }

        // Collections on a fifth of the documents, remittances of each client around them.
        var number = 0
        for document in portfolio.documents where chance(20) {
            for _ in 0..<pick(1...2) {
                number += 1
                portfolio.collections.append(.init(
                    ref: "COL\(pick(0...9))\(number)", docRef: document.ref, collectedOn: asOf.adding(days: pick(-120...20)),
                    amount: Int64(pick(1...max(1, Int(min(document.amount, 50_000_000)))))))
            }
        }
        let currencies = [portfolio.tenant.baseCurrency] + portfolio.fxRates.keys.sorted().compactMap(Currency.iso) + [Currency.iso("SEK")!]
        for client in portfolio.clients where chance(80) {
            for _ in 0..<pick(0...6) {
                number += 1
                let currency = chance(75) ? portfolio.tenant.baseCurrency : currencies[pick(0...currencies.count - 1)]
                portfolio.remittances.append(.init(
                    ref: "REM\(pick(0...9))\(number)", clientRef: client.ref, receivedOn: asOf.adding(days: pick(-120...20)),
                    currency: currency, amount: Int64(pick(1...20_000_000))))
            }
        }
        return changed + added
    }

    static func powerOfTen(_ exponent: Int) -> Int64 { (0..<exponent).reduce(1) { value, _ in value * 10 } }
}
