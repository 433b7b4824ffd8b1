import FactorRiskCore

/// The temporary table a bundle file is staged in, and the set-based checks and merge that run on it.
///
/// Everything here is derived from the file's description (`BundleFile.columns`, `key`) and its
/// `MergeTarget`: the staged columns and their types, the duplicate and reference checks, the
/// merge's column lists. The import and the API's document writes both stage and merge through it.
///
/// Staging tables are temporary (no row-level security, dropped at commit): COPY into a table with
/// row-level security is refused for a role it restricts, and a temporary table is private to the
/// session. Columns are the file's, typed, plus the source line for error messages.
struct StagingTable {
    let file: BundleFile

    init(_ file: BundleFile) { self.file = file }

    var name: String { "staged_\(file.fileName.dropLast(".csv".count))" }

    var createSQL: String {
        let columns = file.columns.map { "\"\($0.name)\" \($0.stagingType)" }.joined(separator: ", ")
        return "CREATE TEMPORARY TABLE \(name) (line integer NOT NULL, \(columns)) ON COMMIT DROP"
    }

    /// Creates the table, fills it through `copy` (COPY text lines: `line`, then the columns in
    /// `file.columns` order) and gathers its statistics, which the checks and the merge plan on.
    func stage(_ connection: PGConnection, _ copy: (PGCopyWriter) throws -> Void) throws {
        try connection.execute(createSQL)
        try connection.copyIn("COPY \(name) FROM STDIN", copy)
        // Temporary tables have no statistics until analysed.
        try connection.execute("ANALYZE \(name)")
    }

    // MARK: Checks that need other rows

    /// Staged rows whose key is on an earlier line too: (line, first line, key as text), up to
    /// `limit` in line order, and how many there are in all.
    func duplicates(_ connection: PGConnection, limit: Int) throws -> (listed: [(line: Int, first: Int, key: String)], total: Int) {
        let keys = file.key.map { "\"\($0)\"" }.joined(separator: ", ")
        let staged = file.key.map { "s.\"\($0)\"" }.joined(separator: ", ")
        // A hash aggregate finds the duplicated keys; only their rows are then sorted for the report.
        let rows = try connection.query("""
            WITH duplicated AS (SELECT \(keys) FROM \(name) GROUP BY \(keys) HAVING count(*) > 1)
            SELECT line, first_line, concat_ws(', ', \(keys)), count(*) OVER () FROM (
                SELECT s.line, \(staged), min(s.line) OVER (PARTITION BY \(staged)) AS first_line
                FROM \(name) s JOIN duplicated USING (\(keys))
            ) q WHERE line <> first_line ORDER BY line LIMIT $1
            """, [limit])
        guard let first = rows.first else { return ([], 0) }
        let listed = try rows.rows.map { row in
            (line: try row.decode(Int.self, at: 0), first: try row.decode(Int.self, at: 1), key: try row.decode(String.self, at: 2))
        }
        return (listed, try first.decode(Int.self, at: 3))
    }

    /// A staged row that a set-based check refuses: where it is, and what is wrong.
    struct StagedProblem {
        let file: BundleFile
        let line: Int
        /// The column at fault.
        let column: String
        let kind: Kind

        enum Kind {
            /// The value names a row of `parent` that is neither staged nor stored.
            case unknownReference(value: String, parent: BundleFile)
            /// An amount its document's currency cannot hold; the message says why.
            case badAmount(String)
        }
    }

    /// One set-based check of one column: its statement, whose rows (what it found, in line order)
    /// start with how many it found in all and the line, and how a row says what is wrong.
    private struct ColumnCheck {
        let sql: String
        let parameters: [(any PGBindable)?]
        let kind: (PGRow) throws -> StagedProblem.Kind
    }

    /// What needs the rows of other files, once every file of the load is staged: each reference
    /// to another file's row must name a row staged in that file or stored already; each amount in
    /// its document's currency (a collection's) must fit that currency. Returns up to `limit`
    /// problems per column, by file in load order, then column, then line, and how many there are in all.
    static func problems(
        _ connection: PGConnection, staged: Set<BundleFile>, tenantID: Int64, limit: Int
    ) throws -> (listed: [StagedProblem], total: Int) {
        var listed: [StagedProblem] = []
        var total = 0
        for file in BundleFile.loadOrder where staged.contains(file) {
            for column in file.columns {
                guard let check = referenceCheck(file, column, staged: staged, tenantID: tenantID, limit: limit)
                    ?? documentAmountCheck(file, column, staged: staged, tenantID: tenantID, limit: limit) else { continue }
                let rows = try connection.query(check.sql, check.parameters)
                guard let first = rows.first else { continue }
                for row in rows.rows {
                    listed.append(StagedProblem(file: file, line: try row.decode(at: 1), column: column.name, kind: try check.kind(row)))
                }
                total += try first.decode(Int.self, at: 0)
            }
        }
        return (listed, total)
    }

    /// A reference to another file's row: the staged values naming none, staged or stored.
    private static func referenceCheck(
        _ file: BundleFile, _ column: BundleColumn, staged: Set<BundleFile>, tenantID: Int64, limit: Int
    ) -> ColumnCheck? {
        guard let parent = column.referencedFile, let target = MergeTarget.of(parent), let parentKey = parent.referenceKey else { return nil }
        // Two anti-joins (not one NOT over an OR), so that each can be a hash anti-join. The stored
        // side is a LEFT JOIN, not a correlated NOT EXISTS: Citus plans a join between a temporary
        // table and a distributed one, never a subquery of one correlated to the other.
        let inBundle = staged.contains(parent)
            ? "AND NOT EXISTS (SELECT 1 FROM \(StagingTable(parent).name) p WHERE p.\"\(parentKey.name)\" = s.\"\(column.name)\")" : ""
        return ColumnCheck(sql: """
            SELECT count(*) OVER (), s.line, s.\"\(column.name)\" FROM \(StagingTable(file).name) s
            LEFT JOIN \(target.table) t ON t.tenant_id = $1 AND t.\(parentKey.stored) = s.\"\(column.name)\"
            WHERE \(column.optional ? "s.\"\(column.name)\" IS NOT NULL AND " : "")t.tenant_id IS NULL \(inBundle)
            ORDER BY s.line LIMIT $2
            """, parameters: [tenantID, limit]) { row in .unknownReference(value: try row.decode(at: 2), parent: parent) }
    }

    /// An amount in the currency of the document its row names: more minor digits than that
    /// currency has, or above `Money.largestAmount` in its minor units, judged against the document
    /// staged in the same load, or else the one stored. Rows naming no known document are left to
    /// the reference check.
    private static func documentAmountCheck(
        _ file: BundleFile, _ column: BundleColumn, staged: Set<BundleFile>, tenantID: Int64, limit: Int
    ) -> ColumnCheck? {
        guard let (reference, parent, target, parentKey, currency) = documentCurrency(of: column, in: file) else { return nil }
        let amount = "s.\"\(column.name)\""
        // The staged document wins over the stored one: it is merged first.
        let inBundle = staged.contains(parent) ? """
            LEFT JOIN (SELECT DISTINCT ON ("\(parentKey.name)") "\(parentKey.name)" AS ref, "\(currency.name)" AS currency
                       FROM \(StagingTable(parent).name) ORDER BY "\(parentKey.name)", line) b ON b.ref = s."\(reference.name)"
            """ : "LEFT JOIN (SELECT NULL::text AS currency) b ON false"
        return ColumnCheck(sql: """
            SELECT count(*) OVER (), s.line, \(amount)::text, c.currency::text, c.exponent::integer, scale(\(amount))
            FROM \(StagingTable(file).name) s
            \(inBundle)
            LEFT JOIN \(target.table) t ON t.tenant_id = $1 AND t.\(parentKey.stored) = s."\(reference.name)"
            JOIN currencies c ON c.currency = COALESCE(b.currency, t.\(currency.stored))
            WHERE scale(\(amount)) > c.exponent OR \(amount) * power(10::numeric, c.exponent) > $3
            ORDER BY s.line LIMIT $2
            """, parameters: [tenantID, limit, Money.largestAmount]) { row in
            let (text, code): (String, String) = (try row.decode(at: 2), try row.decode(at: 3))
            let (exponent, decimals): (Int, Int) = (try row.decode(at: 4), try row.decode(at: 5))
            return .badAmount(decimals > exponent
                ? "\(text): \(MoneyParseError.tooManyDecimals(found: decimals, allowed: exponent)) (the document is in \(code))"
                : "\(text) is above the largest amount, \(Money.format(Money.largestAmount, exponent: exponent)) (the document is in \(code))")
        }
    }

    /// For an amount written in the currency of the document its row names (`column` of `file`):
    /// the column naming the document, the documents' file, table and key, and their currency column.
    static func documentCurrency(of column: BundleColumn, in file: BundleFile)
        -> (reference: BundleColumn, parent: BundleFile, target: MergeTarget, key: BundleColumn, currency: BundleColumn)? {
        guard let referring = column.documentCurrencyReference, let index = file.index(of: referring),
              let parent = file.columns[index].referencedFile, let target = MergeTarget.of(parent), let key = parent.referenceKey,
              let currency = parent.columns.first(where: { $0.kind == .currency }) else { return nil }
        return (file.columns[index], parent, target, key, currency)
    }

    // MARK: Merge

    /// Merges the staged rows into the tenant's table (see `MergeStatements`); returns (inserted, updated).
    /// `beforeWriting` runs once the rows to write are resolved, before anything is written.
    func merge(_ connection: PGConnection, tenantID: Int64,
               beforeWriting: (MergeStatements) throws -> Void = { _ in }) throws -> (inserted: Int, updated: Int) {
        let statements = mergeStatements(tenantID: tenantID)
        let toWrite = try connection.execute(statements.resolve).affectedRows
        try beforeWriting(statements)
        // Nothing new and nothing changed: nothing to write, nothing of the documents' dates to redo.
        guard toWrite > 0 else { return (0, 0) }
        try connection.execute(statements.analyzeResolved)
        let updated = try connection.execute(statements.update).affectedRows
        let inserted = try connection.execute(statements.insert).affectedRows
        if file == .documentEvents { try connection.execute(MergeStatements.documentEventDates(tenant: statements.tenant, from: statements.resolved)) }
        return (inserted, updated)
    }

    /// The import's merge: as `merge`, but when the tenant has no row in the table yet, every
    /// staged row is inserted by one statement, with no resolve step (nothing to compare with).
    ///
    /// - Parameters:
    ///   - eventsStaged: documents only: document_events.csv is staged in the same import; new
    ///     documents are then inserted with the dates of their staged events.
    ///   - documentsCarryEventDates: document events only: every document these events can name
    ///     was inserted by this import with the dates of these events (the previous merge of
    ///     documents returned `allNew`, with `eventsStaged`); when the events are all new too, the
    ///     documents' dates are right already and are not worked out again.
    /// - Returns: the rows inserted and updated, and whether all were new (the one-statement insert).
    func mergeImported(_ connection: PGConnection, tenantID: Int64, eventsStaged: Bool = false,
                       documentsCarryEventDates: Bool = false) throws -> (inserted: Int, updated: Int, allNew: Bool) {
        let statements = mergeStatements(tenantID: tenantID)
        guard try connection.query(statements.tenantHasNoRows).first!.decode(Bool.self, at: 0) else {
            let (inserted, updated) = try merge(connection, tenantID: tenantID)
            return (inserted, updated, false)
        }
        let insert = file == .documents && eventsStaged
            ? statements.insertAll(withEventDatesOf: StagingTable(.documentEvents).name) : statements.insertAll
        let inserted = try connection.execute(insert).affectedRows
        if file == .documentEvents && inserted > 0 && !documentsCarryEventDates {
            try connection.execute(MergeStatements.documentEventDates(tenant: statements.tenant, from: name))
        }
        return (inserted, 0, true)
    }

    /// The statements that merge the staged rows into the tenant's table, from the file's columns:
    /// a reference to another file's row is resolved to that row's id by a join; every other
    /// column is copied as staged, into its `stored` column.
    func mergeStatements(tenantID: Int64) -> MergeStatements {
        guard let target = MergeTarget.of(file) else { preconditionFailure("\(file.fileName) is merged by the import itself") }
        let tenant = String(tenantID)
        var selected: [String] = []
        var stored: [String] = []
        var joins: [String] = []
        for (index, column) in file.columns.enumerated() {
            if let (reference, _, parentTarget, parentKey, currency) = Self.documentCurrency(of: column, in: file) {
                // An amount in its document's currency, as written: into that currency's minor units
                // (`problems` made sure they are whole). The document is merged already.
                let (document, exponent) = ("d\(index)", "e\(index)")
                joins.append("""
                    JOIN \(parentTarget.table) \(document) ON \(document).tenant_id = \(tenant) AND \(document).\(parentKey.stored) = s."\(reference.name)"
                    JOIN currencies \(exponent) ON \(exponent).currency = \(document).\(currency.stored)
                    """)
                selected.append("(s.\"\(column.name)\" * power(10::numeric, \(exponent).exponent))::bigint AS \(column.stored)")
                stored.append(column.stored)
            } else if let parent = column.referencedFile, let parentTarget = MergeTarget.of(parent), let id = parentTarget.idColumn,
               let parentKey = parent.referenceKey {
                let alias = "p\(index)"
                // An optional reference left empty stays NULL.
                joins.append("\(column.optional ? "LEFT " : "")JOIN \(parentTarget.table) \(alias) ON \(alias).tenant_id = \(tenant) AND \(alias).\(parentKey.stored) = s.\"\(column.name)\"")
                selected.append("\(alias).\(id)")
                stored.append(id)
            } else {
                selected.append(column.stored == column.name ? "s.\"\(column.name)\"" : "s.\"\(column.name)\" AS \(column.stored)")
                stored.append(column.stored)
            }
        }
        let key = file.key.map { stored[file.index(of: $0)!] }
        return MergeStatements(
            tenant: tenant, table: target.table, resolved: "resolved_\(name)", key: key,
            columns: stored.filter { !key.contains($0) }, touch: target.touch,
            source: "SELECT \(selected.joined(separator: ", ")) FROM \(name) s\((joins.map { "\n" + $0 }).joined())")
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
