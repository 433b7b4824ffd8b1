/// The statements of one file's merge into a tenant's table, in order: `resolve`, `update`, `insert`.
///
/// Whether each row is already there is decided first, into a temporary table, and only then
/// are rows written: a statement that both inserted into a table and probed it for the keys
/// it had not yet inserted could, under a nested-loop plan, walk its own new index entries
/// for every row. Rows that are the same are not rewritten, so a re-import leaves no new row
/// version; new rows are plain inserts. Merges of one tenant are serialised by an advisory lock
/// (`TenantScope.Lock.importing`).
///
/// Rows are resolved and inserted in the order of the table's key: each probe and each new
/// entry of the primary key's B-tree then lands next to the one before (a million documents
/// in key order went in 1.5 s faster than in the order of the file).
struct MergeStatements {
    /// The tenant id, rendered from an integer.
    let tenant: String
    let table: String
    /// The temporary table of the resolved rows.
    let resolved: String
    /// The table's key columns, and the others, as stored.
    let key: [String]
    let columns: [String]
    /// Whether a rewritten row's `updated_at` is set.
    let touch: Bool
    /// The staged rows as the table's columns (references resolved to ids).
    let source: String

    private var match: String { key.map { "t.\($0) = r.\($0)" }.joined(separator: " AND ") }
    private var order: String { key.map { "r.\($0)" }.joined(separator: ", ") }
    private var differs: String {
        "(\(columns.map { "t.\($0)" }.joined(separator: ", "))) IS DISTINCT FROM (\(columns.map { "r.\($0)" }.joined(separator: ", ")))"
    }

    /// Resolves references and marks each staged row as present in the table or new, before anything is written.
    var resolve: [String] {
        [
            """
            CREATE TEMPORARY TABLE \(resolved) ON COMMIT DROP AS
            SELECT r.*, EXISTS (SELECT 1 FROM \(table) t WHERE t.tenant_id = \(tenant) AND \(match)) AS present
            FROM (\(source)) r
            ORDER BY \(order)
            """,
            "ANALYZE \(resolved)",
        ]
    }

    /// Rewrites the present rows whose values differ (the affected count is the updated rows).
    var update: String {
        var assignments = columns.map { "\($0) = r.\($0)" }
        if touch { assignments.append("updated_at = now()") }
        return """
            UPDATE \(table) t SET \(assignments.joined(separator: ", ")) FROM \(resolved) r
            WHERE r.present AND t.tenant_id = \(tenant) AND \(match) AND \(differs)
            """
    }

    /// Inserts the new rows (the affected count is the inserted rows).
    var insert: String {
        let all = (key + columns).joined(separator: ", ")
        return "INSERT INTO \(table) (tenant_id, \(all)) SELECT \(tenant), \(all) FROM \(resolved) r WHERE NOT r.present ORDER BY \(order)"
    }

    /// Once resolved and before `update`: `of` (stored columns) of every row the merge will write,
    /// first as stored (NULL for a new row), then as it will be.
    func changedRows(_ of: [String]) -> String {
        let old = of.map { "t.\($0)" }.joined(separator: ", ")
        let new = of.map { "r.\($0)" }.joined(separator: ", ")
        return """
            SELECT \(old), \(new) FROM \(resolved) r LEFT JOIN \(table) t ON t.tenant_id = \(tenant) AND \(match)
            WHERE \(differs)
            """
    }
}
