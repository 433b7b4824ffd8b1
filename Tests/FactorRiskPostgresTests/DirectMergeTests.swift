import FactorRiskCore
@testable import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

/// A small batch is merged by parameterised statements (`DirectDocumentMerge`), a large one through
/// the import's staging tables: the same batches, sent one way to a tenant and the other way to its
/// twin (the same synthetic portfolio), must leave the same rows, counts, rejections and live figures.
@Suite("small batches without staging tables")
struct DirectMergeTests {
    let database: TestDatabase
    let pool: PGPool
    let asOf = CalendarDate(iso: "2026-11-20")!

    init() async throws {
        database = try await TestCluster.shared.freshDatabase("direct")
        pool = database.pool(maxConnections: 2)
    }

    /// The outcome of one batch: its counts, or the issues it was refused for.
    enum Outcome: Equatable {
        case written(DocumentWriteCounts)
        case refused([DocumentBatchRejection.Issue], total: Int)
    }

    func send(_ store: PostgresDocumentStore, _ tenant: TenantScope, _ file: BundleFile, _ rows: [[String]]) async throws -> Outcome {
        do {
            let batch = try await store.check(tenant, file, rows: rows)
            return .written(try await store.write(tenant, batch))
        } catch let rejection as DocumentBatchRejection {
            return .refused(rejection.issues, total: rejection.total)
        }
    }

    /// What a tenant holds that a batch or a live state can change, by reference (ids differ between tenants).
    func contents(_ tenant: TenantScope) async throws -> [String] {
        try await pool.tenantTransaction(tenant.id) { connection in
            let queries = [
                """
                SELECT d.doc_ref, c.client_ref, de.debtor_ref, d.kind, d.currency, d.amount, d.open_amount, d.issue_date, d.due_date,
                       d.disputed, d.paid_on, d.refused_on, d.deposited_on
                FROM documents d JOIN clients c ON c.tenant_id = $1 AND c.client_id = d.client_id
                JOIN debtors de ON de.tenant_id = $1 AND de.debtor_id = d.debtor_id WHERE d.tenant_id = $1
                """,
                "SELECT doc_ref, event, event_date FROM document_events WHERE tenant_id = $1",
                """
                SELECT r.remittance_ref, c.client_ref, r.received_on, r.currency, r.amount FROM remittances r
                JOIN clients c ON c.tenant_id = $1 AND c.client_id = r.client_id WHERE r.tenant_id = $1
                """,
                """
                SELECT c.client_ref, de.debtor_ref, to_jsonb(lp) - 'tenant_id' - 'client_id' - 'debtor_id' FROM live_pairs lp
                JOIN clients c ON c.tenant_id = $1 AND c.client_id = lp.client_id
                JOIN debtors de ON de.tenant_id = $1 AND de.debtor_id = lp.debtor_id WHERE lp.tenant_id = $1
                """,
                """
                SELECT de.debtor_ref, to_jsonb(ld) - 'tenant_id' - 'debtor_id' FROM live_debtors ld
                JOIN debtors de ON de.tenant_id = $1 AND de.debtor_id = ld.debtor_id WHERE ld.tenant_id = $1
                """,
                "SELECT to_jsonb(l) - 'tenant_id' FROM live_groups l WHERE tenant_id = $1",
                "SELECT to_jsonb(l) - 'tenant_id' FROM live_countries l WHERE tenant_id = $1",
                "SELECT as_of, gross, eligible, guaranteed, covered, risk_weighted, documents FROM live_states WHERE tenant_id = $1",
                "SELECT count(*) FROM live_changes WHERE tenant_id = $1",
            ]
            return try queries.flatMap { sql in
                try connection.query("SELECT x::text FROM (\(sql)) x ORDER BY 1", [tenant.id]).rows.map { try $0.decode(String.self, at: 0) }
            }
        }
    }

    @Test("documents, events and remittances written directly leave the rows, counts, rejections and live figures of the staged write")
    func sameAsStaged() async throws {
        let importer = BundleImporter(pool: pool)
        let direct = PostgresDocumentStore(pool: pool)
        let staged = PostgresDocumentStore(pool: pool, directLimit: 0)
        var tenants: [TenantScope] = []
        for ref in ["direct", "staged"] {
            _ = try await importer.importSynthetic(.init(tenantRef: ref, documents: 400, seed: 31, asOf: asOf))
            let id = try await pool.withConnection { try TenantScope.named(ref, on: $0)!.id }
            tenants.append(TenantScope(id: id))
            // A live state to move.
            try await pool.tenantBulkTransaction(id) { [asOf] in try LiveEngine.prepare($0, tenantID: id, asOf: asOf) }
        }
        let tenant = tenants[0].id
        #expect(try await contents(tenants[0]) == contents(tenants[1]))

        // Two stored invoices as the API would send them, and a second debtor.
        let stored = try await pool.tenantTransaction(tenant) { connection in
            try connection.query("""
                SELECT d.doc_ref, c.client_ref, de.debtor_ref, d.currency, round(d.amount::numeric / 100, 2)::text,
                       round(d.open_amount::numeric / 100, 2)::text, d.issue_date::text, d.due_date::text
                FROM documents d JOIN clients c ON c.tenant_id = $1 AND c.client_id = d.client_id
                JOIN debtors de ON de.tenant_id = $1 AND de.debtor_id = d.debtor_id
                WHERE d.tenant_id = $1 AND d.kind = 'invoice' AND d.currency = 'EUR' AND NOT d.disputed AND d.open_amount > 0
                ORDER BY d.doc_ref LIMIT 2
                """, [tenant]).rows.map { row in try (0..<8).map { try row.decode(String.self, at: $0) } }
        }
        let otherDebtor = try await pool.tenantTransaction(tenant) { connection in
            try connection.query("SELECT debtor_ref FROM debtors WHERE tenant_id = $1 AND debtor_ref <> $2 ORDER BY debtor_ref LIMIT 1",
                                 [tenant, stored[0][2]]).first!.decode(String.self, at: 0)
        }
        func document(_ fields: [String], debtor: String? = nil, open: String? = nil) -> [String] {
            [fields[0], fields[1], debtor ?? fields[2], "invoice", fields[3], fields[4], open ?? fields[5], fields[6], fields[7], "false"]
        }
        let (a, b) = (stored[0], stored[1])
        let batches: [(BundleFile, [[String]], Outcome?)] = [
            // Two new invoices, the first stored one moved to another debtor and half paid, the second as stored.
            (.documents, [
                document(["NEW-1"] + a.dropFirst()), document(["NEW-2"] + b.dropFirst()),
                document(a, debtor: otherDebtor, open: "0.50"), document(b),
            ], .written(DocumentWriteCounts(received: 4, inserted: 2, updated: 1))),
            // The same batch again changes nothing.
            (.documents, [
                document(["NEW-1"] + a.dropFirst()), document(["NEW-2"] + b.dropFirst()),
                document(a, debtor: otherDebtor, open: "0.50"), document(b),
            ], .written(DocumentWriteCounts(received: 4, inserted: 0, updated: 0))),
            // Unknown client and debtor on the first entry, unknown debtor on the third: nothing written.
            (.documents, [
                document(["NEW-3", "NO-CLIENT"] + a.dropFirst(2), debtor: "NO-DEBTOR"), document(["NEW-4"] + b.dropFirst()),
                document(["NEW-5"] + b.dropFirst(), debtor: "NO-DEBTOR"),
            ], .refused([
                .init(index: 0, column: "client_ref", problem: .unknownReference("NO-CLIENT")),
                .init(index: 0, column: "debtor_ref", problem: .unknownReference("NO-DEBTOR")),
                .init(index: 2, column: "debtor_ref", problem: .unknownReference("NO-DEBTOR")),
            ], total: 3)),
            // Events: the new invoice paid, the second stored one refused; then the payment's date moves.
            (.documentEvents, [["NEW-1", "paid", "2026-11-18"], [b[0], "refused", "2026-11-12"]],
             .written(DocumentWriteCounts(received: 2, inserted: 2, updated: 0))),
            (.documentEvents, [["NEW-1", "paid", "2026-11-19"], [b[0], "refused", "2026-11-12"]],
             .written(DocumentWriteCounts(received: 2, inserted: 0, updated: 1))),
            (.documentEvents, [["NO-DOC", "paid", "2026-11-19"]],
             .refused([.init(index: 0, column: "doc_ref", problem: .unknownReference("NO-DOC"))], total: 1)),
            (.remittances, [["REM-NEW", a[1], "2026-11-19", "EUR", "125.00"]], .written(DocumentWriteCounts(received: 1, inserted: 1, updated: 0))),
        ]
        for (number, (file, rows, expected)) in batches.enumerated() {
            let outcomes = [
                try await send(direct, tenants[0], file, rows),
                try await send(staged, tenants[1], file, rows),
            ]
            #expect(outcomes[0] == expected, "batch \(number)")
            #expect(outcomes[1] == expected, "batch \(number)")
            let (directRows, stagedRows) = (try await contents(tenants[0]), try await contents(tenants[1]))
            #expect(directRows == stagedRows, "batch \(number): \(Set(directRows).symmetricDifference(stagedRows).sorted().prefix(4))")
        }
        // The writes moved the live state, and left no change for a reader to apply.
        #expect(try await contents(tenants[0]).last == "(0)")
    }
}
