import FactorRiskCore

/// The temporary table a bundle file is staged in, and the statement that merges it.
///
/// Staging tables are temporary (no row-level security, dropped at commit): COPY into a table with
/// row-level security is refused for a role it restricts, and a temporary table is private to the
/// import's session. Columns are the file's, typed, plus the source line for error messages.
struct StagingTable {
    let file: BundleFile

    init(_ file: BundleFile) { self.file = file }

    var name: String { "staged_\(file.rawValue == "fxRates" ? "fx_rates" : file.rawValue)" }

    /// SQL types of the staged columns, in `file.columns` order.
    private var types: [String] {
        switch file {
        case .tenant: ["text", "text", "text", "text", "bigint"]
        case .countries: ["text", "smallint", "boolean", "bigint"]
        case .clients: ["text", "text", "text", "text", "bigint", "smallint", "integer", "bigint", "bigint", "text"]
        case .debtors: ["text", "text", "text", "text", "bigint"]
        case .approvals: ["text", "text", "bigint"]
        case .documents: ["text", "text", "text", "text", "text", "bigint", "bigint", "date", "date", "boolean"]
        case .fxRates: ["text", "date", "numeric"]
        }
    }

    var createSQL: String {
        let columns = zip(file.columns, types).map { "\"\($0)\" \($1)" }.joined(separator: ", ")
        return "CREATE TEMPORARY TABLE \(name) (line integer NOT NULL, \(columns)) ON COMMIT DROP"
    }

    /// The statements that merge the staged rows into the tenant's table (see `merge`).
    /// `$1` in the selects stands for the tenant id, which is rendered from an integer.
    func mergeStatements(tenantID: Int64) -> MergeStatements {
        switch file {
        case .tenant:
            preconditionFailure("tenant.csv is merged by the import itself")
        case .countries:
            return Self.merge(tenantID: tenantID, staged: name, 
                table: "countries", key: ["country"], columns: ["grade", "embargoed", "explicit_limit"],
                select: "SELECT country, grade, embargoed, \"limit\" AS explicit_limit FROM \(name)", touch: false)
        case .clients:
            let columns = ["name", "country", "mode", "annual_revenue", "financial_grade", "holdback_bp", "funding_limit",
                           "funded_balance", "group_ref"]
            return Self.merge(tenantID: tenantID, staged: name, 
                table: "clients", key: ["client_ref"], columns: columns,
                select: "SELECT client_ref, \(columns.joined(separator: ", ")) FROM \(name)")
        case .debtors:
            return Self.merge(tenantID: tenantID, staged: name, 
                table: "debtors", key: ["debtor_ref"], columns: ["name", "country", "group_ref", "credit_limit"],
                select: "SELECT debtor_ref, name, country, group_ref, credit_limit FROM \(name)")
        case .approvals:
            return Self.merge(tenantID: tenantID, staged: name, 
                table: "approvals", key: ["client_id", "debtor_id"], columns: ["approved"],
                select: """
                    SELECT c.client_id, d.debtor_id, s.approved FROM \(name) s
                    JOIN clients c ON c.tenant_id = $1 AND c.client_ref = s.client_ref
                    JOIN debtors d ON d.tenant_id = $1 AND d.debtor_ref = s.debtor_ref
                    """)
        case .fxRates:
            return Self.merge(tenantID: tenantID, staged: name, 
                table: "fx_rates", key: ["currency", "as_of"], columns: ["rate"],
                select: "SELECT currency, as_of, rate FROM \(name)", touch: false)
        case .documents:
            return Self.merge(tenantID: tenantID, staged: name, 
                table: "documents", key: ["doc_ref"],
                columns: ["client_id", "debtor_id", "kind", "currency", "amount", "open_amount", "issue_date", "due_date", "disputed"],
                select: """
                    SELECT s.doc_ref, c.client_id, d.debtor_id, s.kind, s.currency, s.amount, s.open_amount,
                           s.issue_date, s.due_date, s.disputed FROM \(name) s
                    JOIN clients c ON c.tenant_id = $1 AND c.client_ref = s.client_ref
                    JOIN debtors d ON d.tenant_id = $1 AND d.debtor_ref = s.debtor_ref
                    """, touch: false)
        }
    }

    /// The statements of a merge, in order.
    struct MergeStatements {
        /// Resolves references and marks each staged row as present in the table or new,
        /// before anything is written.
        let resolve: [String]
        /// Rewrites the present rows whose values differ (the affected count is the updated rows).
        let update: String
        /// Inserts the new rows (the affected count is the inserted rows).
        let insert: String
    }

    /// Whether each row is already there is decided first, into a temporary table, and only then
    /// are rows written: a statement that both inserted into a table and probed it for the keys
    /// it had not yet inserted could, under a nested-loop plan, walk its own new index entries
    /// for every row. Rows that are the same are not rewritten, so a re-import leaves no new row
    /// version; new rows are plain inserts. Imports of one tenant are serialised by an advisory lock.
    ///
    /// Rows are resolved and inserted in the order of the table's key: each probe and each new
    /// entry of the primary key's B-tree then lands next to the one before (a million documents
    /// in key order went in 1.5 s faster than in the order of the file).
    private static func merge(tenantID: Int64, staged: String, table: String, key: [String], columns: [String], select: String,
                              touch: Bool = true) -> MergeStatements {
        let resolved = "resolved_\(staged)"
        let tenant = String(tenantID)
        let all = (key + columns).joined(separator: ", ")
        let match = key.map { "t.\($0) = r.\($0)" }.joined(separator: " AND ")
        let order = key.map { "r.\($0)" }.joined(separator: ", ")
        var assignments = columns.map { "\($0) = r.\($0)" }
        if touch { assignments.append("updated_at = now()") }
        let old = columns.map { "t.\($0)" }.joined(separator: ", ")
        let new = columns.map { "r.\($0)" }.joined(separator: ", ")
        let source = select.replacingOccurrences(of: "$1", with: tenant)
        return MergeStatements(
            resolve: [
                """
                CREATE TEMPORARY TABLE \(resolved) ON COMMIT DROP AS
                SELECT r.*, EXISTS (SELECT 1 FROM \(table) t WHERE t.tenant_id = \(tenant) AND \(match)) AS present
                FROM (\(source)) r
                ORDER BY \(order)
                """,
                "ANALYZE \(resolved)",
            ],
            update: """
                UPDATE \(table) t SET \(assignments.joined(separator: ", ")) FROM \(resolved) r
                WHERE r.present AND t.tenant_id = \(tenant) AND \(match) AND (\(old)) IS DISTINCT FROM (\(new))
                """,
            insert: "INSERT INTO \(table) (tenant_id, \(all)) SELECT \(tenant), \(all) FROM \(resolved) r WHERE NOT r.present ORDER BY \(order)")
    }

    /// Appends a value in COPY's text format: `\N` for NULL, backslash, tab, CR and LF escaped.
    static func appendCopyText(_ value: String?, to line: inout [UInt8]) {
        guard var value else {
            line.append(contentsOf: [92, 78])  // \N
            return
        }
        value.withUTF8 { appendCopyText($0, to: &line) }
    }

    /// Appends UTF-8 bytes as a value in COPY's text format: backslash, tab, CR and LF escaped.
    static func appendCopyText(_ bytes: UnsafeBufferPointer<UInt8>, to line: inout [UInt8]) {
        // Most values need no escape at all.
        guard bytes.contains(where: { $0 == 92 || $0 == 9 || $0 == 10 || $0 == 13 }) else {
            line.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 92: line.append(contentsOf: [92, 92])
            case 9: line.append(contentsOf: [92, 116])  // \t
            case 10: line.append(contentsOf: [92, 110])  // \n
            case 13: line.append(contentsOf: [92, 114])  // \r
            default: line.append(byte)
            }
        }
    }

    /// Appends an integer in decimal digits.
    static func appendDecimal(_ value: Int64, to line: inout [UInt8]) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            line.append(UInt8(magnitude / divisor % 10) + UInt8(ascii: "0"))
            divisor /= 10
        } while divisor > 0
    }
}
