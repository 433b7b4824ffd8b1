import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

/// What must never be stored is refused by the database itself, whatever the client.
@Suite("schema v1 checks")
struct SchemaTests {
    /// The row was refused by one of the table's checks (23514). Citus reports a check that fails
    /// on a worker, in an `INSERT … SELECT` it sends there whole, as an internal error (XX000) that
    /// carries the worker's message.
    static func refusedByCheck(_ error: PGError?) -> Bool {
        guard let error else { return false }
        return error.sqlState == "23514"
            || (CitusCluster.isActive && error.sqlState == "XX000" && error.message.contains("violates check constraint"))
    }

    let connection: PGConnection
    let tenant: Int64

    init() async throws {
        connection = try await TestCluster.shared.freshDatabase("schema").connect()
        tenant = try RowLevelSecurityTests.seedTenant(connection, ref: "acme", client: "C1", debtor: "D1")
    }

    /// Inserts a document for the seeded pair, with the given columns overridden.
    func insertDocument(ref: String, kind: String = "invoice", amount: Int64 = 1000, open: Int64 = 500,
                        issue: String = "2026-11-01", due: String = "2026-12-01") throws {
        try connection.query("""
            INSERT INTO documents (tenant_id, doc_ref, client_id, debtor_id, kind, currency, amount, open_amount, issue_date, due_date)
            SELECT $1, $2, c.client_id, d.debtor_id, $3, 'EUR', $4, $5, $6::date, $7::date
            FROM clients c, debtors d WHERE c.tenant_id = $1 AND d.tenant_id = $1
            """, [tenant, ref, kind, amount, open, issue, due])
    }

    @Test("a well-formed document is stored")
    func validDocument() throws {
        try insertDocument(ref: "OK-1")
        #expect(try connection.query("SELECT count(*) FROM documents WHERE doc_ref = 'OK-1'").first?.decode(Int.self, at: 0) == 1)
    }

    @Test("negative amounts, open above amount, due before issue and unknown kinds are refused",
          arguments: [
            ("negative amount", -1 as Int64, 0 as Int64, "2026-11-01", "invoice"),
            ("negative open", 100, -5, "2026-11-01", "invoice"),
            ("open above amount", 100, 101, "2026-11-01", "invoice"),
            ("due before issue", 100, 50, "2026-10-31", "invoice"),
            ("unknown kind", 100, 50, "2026-11-01", "debit_note"),
          ])
    func documentChecks(label: String, amount: Int64, open: Int64, due: String, kind: String) throws {
        let error = #expect(throws: PGError.self, "\(label)") {
            try insertDocument(ref: "BAD", kind: kind, amount: amount, open: open, due: due)
        }
        #expect(Self.refusedByCheck(error), "\(label): \(String(describing: error))")
        #expect(try connection.query("SELECT count(*) FROM documents WHERE doc_ref = 'BAD'").first?.decode(Int.self, at: 0) == 0)
    }

    @Test("an unknown mode, a negative limit and an out-of-range grade are refused")
    func clientAndDebtorChecks() throws {
        let mode = #expect(throws: PGError.self) {
            try connection.query("UPDATE clients SET mode = 'silent' WHERE tenant_id = $1", [tenant])
        }
        #expect(mode?.sqlState == "23514")
        let limit = #expect(throws: PGError.self) {
            try connection.query("UPDATE debtors SET credit_limit = -1 WHERE tenant_id = $1", [tenant])
        }
        #expect(limit?.sqlState == "23514")
        let grade = #expect(throws: PGError.self) {
            try connection.query("UPDATE countries SET grade = 8 WHERE tenant_id = $1", [tenant])
        }
        #expect(grade?.sqlState == "23514")
        let caps = #expect(throws: PGError.self) {
            try connection.query("UPDATE policies SET country_cap_bp = '{1,2,3}' WHERE tenant_id = $1", [tenant])
        }
        #expect(caps?.sqlState == "23514")
        let currency = #expect(throws: PGError.self) {
            try connection.query("INSERT INTO fx_rates (tenant_id, currency, as_of, rate) VALUES ($1, 'XYZ', DATE '2026-01-01', 1)", [tenant])
        }
        #expect(currency?.sqlState == "23503")
    }

    @Test("a limit change below 0 or effective before its announcement, and insurance with cover above 100 % or ending before it starts, are refused",
          arguments: [
            ("negative new limit", "INSERT INTO limit_changes (tenant_id, change_ref, debtor_id, new_limit, announced_on, effective_on) SELECT $1, 'BAD', debtor_id, -1, DATE '2026-11-01', DATE '2026-11-01' FROM debtors WHERE tenant_id = $1"),
            ("effective before announced", "INSERT INTO limit_changes (tenant_id, change_ref, debtor_id, new_limit, announced_on, effective_on) SELECT $1, 'BAD', debtor_id, 0, DATE '2026-11-02', DATE '2026-11-01' FROM debtors WHERE tenant_id = $1"),
            ("negative insured limit", "UPDATE insurance SET insured_limit = -1 WHERE tenant_id = $1"),
            ("cover above 10000 bp", "UPDATE insurance SET cover_bp = 10001 WHERE tenant_id = $1"),
            ("valid_to before valid_from", "UPDATE insurance SET valid_to = valid_from - 1 WHERE tenant_id = $1"),
          ])
    func limitChecks(label: String, statement: String) throws {
        let error = #expect(throws: PGError.self, "\(label)") {
            try connection.query(statement, [tenant])
        }
        #expect(Self.refusedByCheck(error), "\(label): \(String(describing: error))")
        // The seeded rows as they were; the bounds themselves are allowed.
        #expect(try connection.query("SELECT count(*) FROM limit_changes WHERE tenant_id = $1", [tenant]).first?.decode(Int.self, at: 0) == 1)
        try connection.query("UPDATE insurance SET cover_bp = 10000, valid_to = valid_from, insured_limit = 0 WHERE tenant_id = $1", [tenant])
        try connection.query("UPDATE limit_changes SET new_limit = 0, effective_on = announced_on WHERE tenant_id = $1", [tenant])
    }

    @Test("a tenant's policy row starts with the rulebook's defaults (§5)")
    func policyDefaults() throws {
        let row = try #require(try connection.query("""
            SELECT max_days_from_invoice, max_days_past_due, cross_age_bp, cover_domestic_bp, cover_foreign_bp,
                   concentration_cap_notified_bp, concentration_cap_delegated_bp, concentration_cap_confidential_bp,
                   weight_notified_bp, weight_delegated_bp, weight_confidential_bp, country_cap_bp::text,
                   default_country_grade, large_exposure_report_bp, large_exposure_limit_bp, utilization_warn_bp,
                   confidential_min_revenue, confidential_max_grade
            FROM policies WHERE tenant_id = $1
            """, [tenant]).first)
        let integers = try (0..<11).map { try row.decode(Int.self, at: $0) }
        #expect(integers == [90, 60, 5000, 10000, 9000, 3000, 2500, 2000, 10000, 12500, 15000])
        #expect(try row.decode(String.self, at: 11) == "{10000,10000,2500,2000,1500,1000,500,250}")
        #expect(try (12..<16).map { try row.decode(Int.self, at: $0) } == [7, 1000, 2500, 8000])
        #expect(try row.decode(Int64?.self, at: 16) == nil)
        #expect(try row.decode(Int.self, at: 17) == 5)
        // §5 of rulebook version 3: 30 days' notice of an insurance's end, no notice required of a limit cut.
        let notices = try #require(try connection.query(
            "SELECT insurance_notice_days, limit_notice_days FROM policies WHERE tenant_id = $1", [tenant]).first)
        #expect(try [notices.decode(Int.self, at: 0), notices.decode(Int.self, at: 1)] == [30, 0])
    }

    @Test("the currencies table holds exactly the ISO 4217 table of the core")
    func currenciesMatchTheCore() throws {
        let stored = try connection.query("SELECT currency, exponent FROM currencies ORDER BY currency").rows.map {
            "\(try $0.decode(String.self, at: 0)):\(try $0.decode(Int.self, at: 1))"
        }
        let core = Currency.all.map { "\($0.code):\($0.exponent)" }
        #expect(stored == core)
    }

    @Test("every tenant table leads its primary key with tenant_id and has row-level security on")
    func tenantTablesFollowTheScaleOutRules() throws {
        let rows = try connection.query("""
            SELECT c.relname, c.relrowsecurity,
                   (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                    WHERE i.indrelid = c.oid AND i.indisprimary) AS first_key_column
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT IN ('currencies', 'factor_risk_migrations')
            ORDER BY c.relname
            """).rows
        #expect(rows.count == RowLevelSecurityTests.tenantTables.count + RowLevelSecurityTests.snapshotTables.count
                + RowLevelSecurityTests.apiTables.count)
        for row in rows {
            let table = try row.decode(String.self, at: 0)
            #expect(try row.decode(Bool.self, at: 1), "\(table) has row-level security")
            #expect(try row.decode(String.self, at: 2) == "tenant_id", "\(table) key starts with tenant_id")
        }
        // Every unique index of a tenant table other than the tenant directory starts with tenant_id too.
        let strays = try connection.query("""
            SELECT i.indexrelid::regclass::text FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE n.nspname = 'public' AND c.relname NOT IN ('currencies', 'factor_risk_migrations', 'tenants')
              AND a.attname <> 'tenant_id'
            """).rows.map { try $0.decode(String.self, at: 0) }
        #expect(strays.isEmpty, "indexes not led by tenant_id: \(strays)")
    }
}
