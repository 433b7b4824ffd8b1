/// The statements of one file's merge into a tenant's table, in order: `resolve`, `update`, `insert`.
///
/// The rows to write are decided first, into a temporary table, and only then are rows written:
/// a statement that both inserted into a table and probed it for the keys it had not yet inserted
/// could, under a nested-loop plan, walk its own new index entries for every row. Only the rows
/// that are new or differ are resolved: a re-import of unchanged rows reads the table once and
/// writes nothing (no row version, no temporary row). Merges of one tenant are serialised by an
/// advisory lock (`TenantScope.Lock.importing`).
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

    /// Resolves references and keeps the staged rows that are new (`present` false) or differ from
    /// the stored row (`present` true), before anything is written. Its affected count is the
    /// rows the merge will write: none for a re-import of the same rows.
    var resolve: String {
        """
        CREATE TEMPORARY TABLE \(resolved) ON COMMIT DROP AS
        SELECT r.*, t.tenant_id IS NOT NULL AS present
        FROM (\(source)) r LEFT JOIN \(table) t ON t.tenant_id = \(tenant) AND \(match)
        WHERE t.tenant_id IS NULL OR \(differs)
        ORDER BY \(order)
        """
    }

    /// Gives the resolved rows statistics, which `update` and `insert` plan on.
    var analyzeResolved: String { "ANALYZE \(resolved)" }

    /// Rewrites the present rows (all of them differ; the affected count is the updated rows).
    var update: String {
        var assignments = columns.map { "\($0) = r.\($0)" }
        if touch { assignments.append("updated_at = now()") }
        return """
            UPDATE \(table) t SET \(assignments.joined(separator: ", ")) FROM \(resolved) r
            WHERE r.present AND t.tenant_id = \(tenant) AND \(match)
            """
    }

    /// Inserts the new rows (the affected count is the inserted rows).
    var insert: String {
        let all = (key + columns).joined(separator: ", ")
        return "INSERT INTO \(table) (tenant_id, \(all)) SELECT \(tenant), \(all) FROM \(resolved) r WHERE NOT r.present ORDER BY \(order)"
    }

    /// Whether the tenant has no row in the table yet: then every staged row is new, and
    /// `insertAll` merges them with no resolve step (the caller holds the tenant's import lock,
    /// so no row can arrive in between).
    var tenantHasNoRows: String { "SELECT NOT EXISTS (SELECT 1 FROM \(table) WHERE tenant_id = \(tenant))" }

    /// Inserts every staged row, in key order, into a table holding none of the tenant's rows:
    /// one pass over the staged rows, no temporary copy, no probe of the table per row.
    var insertAll: String {
        let all = (key + columns).joined(separator: ", ")
        return "INSERT INTO \(table) (tenant_id, \(all)) SELECT \(tenant), \(all) FROM (\(source)) r ORDER BY \(order)"
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
