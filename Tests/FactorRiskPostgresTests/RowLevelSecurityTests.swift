import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

/// Two tenants side by side; with the transaction set to A, nothing of B can be read or written.
@Suite("row-level security between tenants")
struct RowLevelSecurityTests {
    let connection: PGConnection
    let tenantA: Int64
    let tenantB: Int64

    init() async throws {
        connection = try await TestCluster.shared.freshDatabase("rls").connect()
        // Set up as the owner, which row-level security does not restrict.
        tenantA = try Self.seedTenant(connection, ref: "alpha", client: "CA", debtor: "DA")
        tenantB = try Self.seedTenant(connection, ref: "beta", client: "CB", debtor: "DB")
    }

    static func seedTenant(_ connection: PGConnection, ref: String, client: String, debtor: String) throws -> Int64 {
        let id = try #require(try connection.query(
            "INSERT INTO tenants (tenant_ref, name, base_currency, home_country, own_funds) VALUES ($1, $1, 'EUR', 'FR', 100000000) RETURNING tenant_id",
            [ref]
        ).first?.decode(Int64.self, at: 0))
        try connection.query("INSERT INTO policies (tenant_id) VALUES ($1)", [id])
        try connection.query("INSERT INTO countries (tenant_id, country, grade) VALUES ($1, 'FR', 0)", [id])
        try connection.query("""
            INSERT INTO clients (tenant_id, client_ref, name, country, mode, annual_revenue, financial_grade, holdback_bp, funding_limit, funded_balance)
            VALUES ($1, $2, $2, 'FR', 'notified', 100, 3, 1000, 100, 0)
            """, [id, client])
        try connection.query("INSERT INTO debtors (tenant_id, debtor_ref, name, country, credit_limit) VALUES ($1, $2, $2, 'FR', 500)", [id, debtor])
        try connection.query("""
            INSERT INTO approvals (tenant_id, client_id, debtor_id, approved)
            SELECT $1, c.client_id, d.debtor_id, 300 FROM clients c, debtors d WHERE c.tenant_id = $1 AND d.tenant_id = $1
            """, [id])
        try connection.query("""
            INSERT INTO documents (tenant_id, doc_ref, client_id, debtor_id, kind, currency, amount, open_amount, issue_date, due_date)
            SELECT $1, 'I-' || $2, c.client_id, d.debtor_id, 'invoice', 'EUR', 1000, 900, DATE '2026-11-01', DATE '2026-12-01'
            FROM clients c, debtors d WHERE c.tenant_id = $1 AND d.tenant_id = $1
            """, [id, ref])
        try connection.query("INSERT INTO fx_rates (tenant_id, currency, as_of, rate) VALUES ($1, 'USD', DATE '2026-11-01', 0.9)", [id])
        try connection.query("""
            INSERT INTO collections (tenant_id, collection_ref, doc_ref, collected_on, amount)
            VALUES ($1, 'K-' || $2, 'I-' || $2, DATE '2026-11-10', 100)
            """, [id, ref])
        try connection.query("""
            INSERT INTO remittances (tenant_id, remittance_ref, client_id, received_on, currency, amount)
            SELECT $1, 'R-' || $2, c.client_id, DATE '2026-11-11', 'EUR', 100 FROM clients c WHERE c.tenant_id = $1
            """, [id, ref])
        try connection.query(
            "INSERT INTO document_events (tenant_id, doc_ref, event, event_date) VALUES ($1, 'I-' || $2, 'deposited', DATE '2026-11-01')",
            [id, ref])
        try connection.query("""
            INSERT INTO limit_changes (tenant_id, change_ref, debtor_id, new_limit, announced_on, effective_on)
            SELECT $1, 'L-' || $2, d.debtor_id, 400, DATE '2026-11-01', DATE '2026-12-01' FROM debtors d WHERE d.tenant_id = $1
            """, [id, ref])
        try connection.query("""
            INSERT INTO insurance (tenant_id, debtor_id, insurer, insured_limit, cover_bp, valid_from)
            SELECT $1, d.debtor_id, 'Coface', 450, 9000, DATE '2026-01-01' FROM debtors d WHERE d.tenant_id = $1
            """, [id])
        return id
    }

    static let tenantTables = ["tenants", "policies", "countries", "clients", "debtors", "approvals", "documents", "fx_rates",
                               "collections", "remittances", "document_events", "limit_changes", "insurance"]
    static let snapshotTables = ["snapshots", "snapshot_pairs", "snapshot_clients", "snapshot_debtors", "snapshot_group_totals", "snapshot_countries",
                                 "saved_scenarios"]
    static let apiTables = ["api_keys", "limit_decisions", "live_states", "live_pairs", "live_debtors", "live_groups", "live_countries",
                            "live_changes", "tenant_counters"]

    @Test("every tenant table shows tenant A only its own rows, even when asked for B's by id")
    func readsAreConfined() throws {
        for table in Self.tenantTables {
            let counts = try connection.tenantTransaction(tenantA) { connection in
                (try connection.query("SELECT count(*) FROM \(table)").first?.decode(Int.self, at: 0),
                 try connection.query("SELECT count(*) FROM \(table) WHERE tenant_id = $1", [tenantB]).first?.decode(Int.self, at: 0),
                 try connection.query("SELECT count(*) FROM \(table) WHERE tenant_id <> $1", [tenantA]).first?.decode(Int.self, at: 0))
            }
            #expect(counts.0 == 1, "\(table): A sees its one row")
            #expect(counts.1 == 0, "\(table): A sees none of B's rows")
            #expect(counts.2 == 0, "\(table): A sees no other tenant's rows")
        }
        // As the owner, both tenants' rows are there: the filtering above is the policy's doing.
        #expect(try connection.query("SELECT count(*) FROM documents").first?.decode(Int.self, at: 0) == 2)
    }

    @Test("tenant A can neither insert, update nor delete B's rows")
    func writesAreConfined() throws {
        let insert = #expect(throws: PGError.self) {
            try connection.tenantTransaction(tenantA) { connection in
                try connection.query(
                    "INSERT INTO countries (tenant_id, country, grade) VALUES ($1, 'DE', 1)", [tenantB])
            }
        }
        #expect(insert?.sqlState == "42501")
        let touched = try connection.tenantTransaction(tenantA) { connection in
            (try connection.query("UPDATE debtors SET credit_limit = 0 WHERE tenant_id = $1", [tenantB]).affectedRows,
             try connection.query("UPDATE documents SET open_amount = 0 WHERE tenant_id = $1", [tenantB]).affectedRows)
        }
        #expect(touched.0 == 0)
        #expect(touched.1 == 0)
        let moved = #expect(throws: PGError.self) {
            // A's own row may not be moved into B either (WITH CHECK).
            try connection.tenantTransaction(tenantA) { connection in
                try connection.query("UPDATE countries SET tenant_id = $1 WHERE tenant_id = $2", [tenantB, tenantA])
            }
        }
        // Citus refuses it before row-level security does: a row's tenant_id places it on its shard.
        #expect(moved?.sqlState == (CitusCluster.isActive ? "0A000" : "42501"))
        let deleted = try connection.tenantTransaction(tenantA) { connection in
            try connection.query("DELETE FROM fx_rates WHERE tenant_id = $1", [tenantB]).affectedRows
        }
        #expect(deleted == 0)
        let limits = try connection.tenantTransaction(tenantA) { connection in
            (try connection.query("UPDATE insurance SET cover_bp = 0 WHERE tenant_id = $1", [tenantB]).affectedRows,
             try connection.query("DELETE FROM limit_changes WHERE tenant_id = $1", [tenantB]).affectedRows)
        }
        #expect(limits.0 == 0)
        #expect(limits.1 == 0)
        #expect(try connection.query("SELECT cover_bp FROM insurance WHERE tenant_id = $1", [tenantB]).first?.decode(Int.self, at: 0) == 9000)
        #expect(try connection.query("SELECT count(*) FROM limit_changes WHERE tenant_id = $1", [tenantB]).first?.decode(Int.self, at: 0) == 1)
        let untouched = try connection.query(
            "SELECT credit_limit FROM debtors WHERE tenant_id = $1", [tenantB]).first?.decode(Int64.self, at: 0)
        #expect(untouched == 500)
        #expect(try connection.query("SELECT count(*) FROM fx_rates WHERE tenant_id = $1", [tenantB]).first?.decode(Int.self, at: 0) == 1)
    }

    @Test("without a tenant set, the service role sees nothing at all")
    func noTenantNoRows() throws {
        let count = try connection.transaction { connection in
            try connection.execute("SET LOCAL ROLE factor_risk_app")
            return try connection.query("SELECT count(*) FROM documents").first?.decode(Int.self, at: 0)
        }
        #expect(count == 0)
        // The setting does not outlive its transaction either.
        _ = try connection.tenantTransaction(tenantA) { _ in () }
        let after = try connection.transaction { connection in
            try connection.execute("SET LOCAL ROLE factor_risk_app")
            return try connection.query("SELECT count(*) FROM clients").first?.decode(Int.self, at: 0)
        }
        #expect(after == 0)
    }

    @Test("a tenant cannot point its rows at another tenant's client or debtor")
    func foreignKeysStayInsideATenant() throws {
        let clientOfB = try #require(try connection.query("SELECT client_id FROM clients WHERE tenant_id = $1", [tenantB]).first?.decode(Int64.self, at: 0))
        let debtorOfA = try #require(try connection.query("SELECT debtor_id FROM debtors WHERE tenant_id = $1", [tenantA]).first?.decode(Int64.self, at: 0))
        // Even as the owner (no RLS), the composite key (tenant_id, client_id) refuses the mix.
        let error = #expect(throws: PGError.self) {
            try connection.query("INSERT INTO approvals (tenant_id, client_id, debtor_id, approved) VALUES ($1, $2, $3, 1)",
                                 [tenantA, clientOfB, debtorOfA])
        }
        #expect(error?.sqlState == "23503")
    }

    @Test("the audit of limit decisions is append-only for the service role: no update, no delete")
    func decisionsAreAppendOnly() throws {
        try connection.tenantTransaction(tenantA) { connection in
            try connection.query("""
                INSERT INTO limit_decisions (tenant_id, decision_id, subject, debtor_ref, old_value, new_value, decided_by, reason)
                VALUES ($1, 1, 'credit_limit', 'D1', 100, 200, 'test', 'annual review')
                """, [tenantA])
        }
        for statement in ["UPDATE limit_decisions SET new_value = 1", "DELETE FROM limit_decisions"] {
            let refused = #expect(throws: PGError.self) {
                try connection.tenantTransaction(tenantA) { try $0.execute(statement) }
            }
            #expect(refused?.sqlState == "42501", "\(statement)")
        }
        #expect(try connection.query("SELECT new_value FROM limit_decisions WHERE tenant_id = $1", [tenantA]).first?.decode(Int64.self, at: 0) == 200)
    }
}
