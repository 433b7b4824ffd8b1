import FactorRiskCore

/// A small API batch merged by parameterised statements, without the import's staging tables.
///
/// Staging (`StagingTable`) creates, fills and analyses temporary tables and resolves the rows into
/// another: DDL and a dozen round trips, which a batch of a few rows pays in full, while holding
/// the tenant's merge lock. Here the rows travel as array parameters instead (one array per
/// column), and the work is two statements, sent with the locks and the live states' moves in
/// three round trips:
///
/// 1. **resolve**, read-only: each row with its references resolved (clients and debtors to their
///    ids, documents found), whether its key is stored already and whether its stored values
///    differ; the reference checks are read from it, and the counts and the live pairs it changes.
/// 2. **write**: the new and changed rows only, as one multi-row `INSERT … ON CONFLICT DO UPDATE`
///    whose values are parameters (which Citus routes to the tenant's shard without COPY), so an
///    unchanged row gets no new version.
///
/// Both statements are derived from the file's columns and its `MergeTarget`, as the staging path's
/// are, and give the same rows, counts and rejections (`DirectMergeTests` runs both on the same
/// batches). Files with an amount in its document's currency (collections), and the tables that keep
/// an `updated_at`, stay on the staging path.
struct DirectDocumentMerge {
    /// Batches of up to this many rows go this way: beyond it, COPY and set-based statements on an
    /// analysed table cost less than a statement with this many rows of parameters.
    static let largestBatch = 100

    /// Where a stored column's value comes from.
    private enum Source {
        /// The checked value, as the row checks left it.
        case value
        /// The id (`idColumn`) of the row of `table` whose `key` is the value.
        case id(table: String, idColumn: String, key: String)
        /// The value itself, which must name a row of `table` by its `key`.
        case reference(table: String, key: String)
    }

    let file: BundleFile
    let tenantID: Int64
    private let target: MergeTarget
    /// Per column of the file, in order.
    private let sources: [Source]
    /// Per column of the file, the column it is stored as.
    private let stored: [String]
    private let key: [Int]
    /// The columns that are not the key, by index.
    private let others: [Int]

    /// Nil for a file that stays on the staging path.
    init?(_ file: BundleFile, tenantID: Int64) {
        guard let target = MergeTarget.of(file), !target.touch,
              !file.columns.contains(where: { StagingTable.documentCurrency(of: $0, in: file) != nil }) else { return nil }
        self.file = file
        self.tenantID = tenantID
        self.target = target
        var sources: [Source] = []
        var stored: [String] = []
        for column in file.columns {
            if let parent = column.referencedFile, let parentTarget = MergeTarget.of(parent), let parentKey = parent.referenceKey {
                if let id = parentTarget.idColumn {
                    sources.append(.id(table: parentTarget.table, idColumn: id, key: parentKey.stored))
                    stored.append(id)
                } else {
                    sources.append(.reference(table: parentTarget.table, key: parentKey.stored))
                    stored.append(column.stored)
                }
            } else {
                sources.append(.value)
                stored.append(column.stored)
            }
        }
        self.sources = sources
        self.stored = stored
        let key = file.key.map { file.index(of: $0)! }
        self.key = key
        others = file.columns.indices.filter { !key.contains($0) }
    }

    // MARK: Statements

    /// The value a column is stored with, as an expression over the unnested row `s` and the parents `p<index>`.
    private func resolved(_ index: Int) -> String {
        switch sources[index] {
        case .value, .reference: "s.\"\(file.columns[index].name)\""
        case .id(_, let idColumn, _): "p\(index).\(idColumn)"
        }
    }

    /// Statement 1: per row in line order, `line`, then per reference column whether its row was
    /// found and, for an id, the id; `present` and `differs`; then the pair columns `pairSelect` adds.
    /// Parameters: `$1` the tenant, `$2` the lines, then one array per column.
    var resolveSQL: String {
        var unnested = ["$2::integer[]"]
        var names = ["line"]
        for (index, column) in file.columns.enumerated() {
            unnested.append("$\(index + 3)::\(column.stagingType)[]")
            names.append("\"\(column.name)\"")
        }
        var selected = ["s.line"]
        var joins: [String] = []
        for (index, source) in sources.enumerated() {
            switch source {
            case .value: continue
            case .id(let table, let idColumn, let parentKey):
                selected.append("p\(index).\(idColumn)")
                joins.append("LEFT JOIN \(table) p\(index) ON p\(index).tenant_id = $1 AND p\(index).\(parentKey) = s.\"\(file.columns[index].name)\"")
            case .reference(let table, let parentKey):
                selected.append("p\(index).\(parentKey) IS NOT NULL")
                joins.append("LEFT JOIN \(table) p\(index) ON p\(index).tenant_id = $1 AND p\(index).\(parentKey) = s.\"\(file.columns[index].name)\"")
            }
        }
        let match = key.map { "t.\(stored[$0]) = \(resolved($0))" }.joined(separator: " AND ")
        selected.append("t.\(stored[key[0]]) IS NOT NULL")
        selected.append(
            "(\(others.map { "t.\(stored[$0])" }.joined(separator: ", "))) IS DISTINCT FROM (\(others.map(resolved).joined(separator: ", ")))")
        if let pairSelect { selected.append(pairSelect) }
        return """
            SELECT \(selected.joined(separator: ", "))
            FROM unnest(\(unnested.joined(separator: ", "))) AS s (\(names.joined(separator: ", ")))
            \(joins.joined(separator: "\n"))
            LEFT JOIN \(target.table) t ON t.tenant_id = $1 AND \(match)
            ORDER BY s.line
            """
    }

    /// The pair a written row moves, besides its own new one: a document's stored pair (it may move
    /// to another), an event's document's pair.
    private var pairSelect: String? {
        switch file {
        case .documents: "t.client_id, t.debtor_id"
        case .documentEvents: "p\(file.index(of: "doc_ref")!).client_id, p\(file.index(of: "doc_ref")!).debtor_id"
        default: nil
        }
    }

    /// Statement 2 for `count` rows: `$1` the tenant, then each row's stored columns in file order.
    func writeSQL(rows count: Int) -> String {
        let width = stored.count
        let tuples = (0..<count).map { row in
            "($1, \((0..<width).map { "$\(2 + row * width + $0)" }.joined(separator: ", ")))"
        }
        let update = others.isEmpty
            ? "DO NOTHING"
            : "DO UPDATE SET \(others.map { "\(stored[$0]) = excluded.\(stored[$0])" }.joined(separator: ", "))"
        return """
            INSERT INTO \(target.table) (tenant_id, \(stored.joined(separator: ", ")))
            VALUES \(tuples.joined(separator: ", "))
            ON CONFLICT (tenant_id, \(key.map { stored[$0] }.joined(separator: ", "))) \(update)
            """
    }

    // MARK: Merging

    /// Checks the rows' references and merges them, in the caller's tenant transaction, under the
    /// tenant's merge lock (as the staging path does: a concurrent import or batch could otherwise
    /// insert a key between the resolve and the write); records the pairs it changed for the live answers.
    /// - Throws: `DocumentBatchRejection` when a reference names nothing; nothing is written then.
    func merge(_ connection: PGConnection, rows: [(index: Int, values: [String?])]) throws -> DocumentWriteCounts {
        var parameters: [(any PGBindable)?] = [tenantID, PGBigintArray(rows.map { Int64($0.index) })]
        for column in file.columns.indices {
            parameters.append(PGTextArray(rows.map { $0.values[column] }))
        }
        // The lock and the resolve in one round trip.
        let resolvedRows = try connection.pipeline([
            TenantScope(id: tenantID).lockStep(.importing), .statement(resolveSQL, parameters),
        ])[1].rows
        // The rows come back in line order, which is the order of `rows` (by index in the request).
        var issues: [DocumentBatchRejection.Issue] = []
        var written: [(row: [String?], present: Bool)] = []
        var pairs = Set<[Int64]>()
        for (row, result) in zip(rows, resolvedRows) {
            var values = row.values
            var field = 1
            for (index, source) in sources.enumerated() {
                switch source {
                case .value: continue
                case .id:
                    let id: Int64? = try result.decode(at: field)
                    if id == nil, let value = row.values[index] {
                        issues.append(.init(index: row.index, column: file.columns[index].name, problem: .unknownReference(value)))
                    }
                    values[index] = id.map(String.init)
                case .reference:
                    if try !result.decode(Bool.self, at: field), let value = row.values[index] {
                        issues.append(.init(index: row.index, column: file.columns[index].name, problem: .unknownReference(value)))
                    }
                }
                field += 1
            }
            let present: Bool = try result.decode(at: field)
            // A new row is written whatever its values; a stored one only when they differ.
            guard try !present || result.decode(Bool.self, at: field + 1) else { continue }
            written.append((values, present))
            if issues.isEmpty { try recordPairs(result, from: field + 2, values: values, into: &pairs) }
        }
        guard issues.isEmpty else { throw DocumentBatchRejection(issues: issues, total: issues.count) }
        var writes: [PGConnection.PipelineStep] = []
        if !written.isEmpty {
            writes.append(.statement(
                writeSQL(rows: written.count), [tenantID] + written.flatMap { $0.row.map { $0.map { $0 as any PGBindable } } }))
        }
        if file == .documentEvents {
            // The documents' event dates, from the batch's events as they now stand (the import's own statement).
            let events = "(SELECT * FROM unnest($1::text[], $2::text[], $3::date[]) AS u (doc_ref, event, event_date))"
            let column = { (name: String) in rows.map { $0.values[file.index(of: name)!] ?? "" } }
            writes.append(.statement(MergeStatements.documentEventDates(tenant: String(tenantID), from: events), [column("doc_ref"), column("event"), column("event_date")]))
        }
        // The writes go with the live states' locks in one round trip, the states' moves in another.
        try LiveEngine.recordChanges(connection, tenantID: tenantID, pairs: pairs.map { (client: $0[0], debtor: $0[1]) }, after: writes)
        let inserted = written.count(where: { !$0.present })
        return DocumentWriteCounts(received: rows.count, inserted: inserted, updated: written.count - inserted)
    }

    /// Adds the pairs a written row changes: a document's stored pair (none when it is new) and its
    /// new one; an event's document's pair.
    private func recordPairs(_ result: PGRow, from field: Int, values: [String?], into pairs: inout Set<[Int64]>) throws {
        switch file {
        case .documents:
            if let client = try result.decode(Int64?.self, at: field), let debtor = try result.decode(Int64?.self, at: field + 1) {
                pairs.insert([client, debtor])
            }
            if let client = values[file.index(of: "client_ref")!].flatMap(Int64.init),
               let debtor = values[file.index(of: "debtor_ref")!].flatMap(Int64.init) {
                pairs.insert([client, debtor])
            }
        case .documentEvents:
            pairs.insert([try result.decode(at: field), try result.decode(at: field + 1)])
        default:
            break
        }
    }
}
