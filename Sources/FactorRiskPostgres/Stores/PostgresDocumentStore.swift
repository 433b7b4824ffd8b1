import FactorRiskCore

/// The document store on PostgreSQL: a batch goes through the import's row checks; a small one is
/// then checked and merged by parameterised statements (`DirectDocumentMerge`), a large one is
/// staged in the import's staging table and runs the import's set-based checks and merge
/// (`StagingTable`), with the same results; only the pairs it changed are then recorded for the
/// live answers, where an import drops them all.
public struct PostgresDocumentStore: DocumentStore {
    /// The pool batches are checked and written through, each in a tenant transaction.
    public let pool: PGPool

    /// The files the API writes rows of: documents, and what is reported about them and their clients.
    public static let writableFiles: [BundleFile] = [.documents, .collections, .remittances, .documentEvents]

    /// Batches of up to this many rows are merged by parameterised statements (`DirectDocumentMerge`),
    /// larger ones through the import's staging tables; 0 stages every batch.
    public let directLimit: Int

    /// One writer per tenant holds a connection at a time; the others wait without one.
    private let turns = WriteTurns()

    public init(pool: PGPool, directLimit: Int = 100) {
        self.pool = pool
        self.directLimit = directLimit
    }

    public func check(_ tenant: TenantScope, _ file: BundleFile, rows: [[String]?]) async throws -> CheckedDocumentBatch {
        // Only amounts in the base currency need its minor digits: the files written through the
        // API have none, so their batches cost no round trip before the write.
        let inBase = file.columns.contains { $0.kind == .money(.base) }
        return try Self.check(file, rows, baseExponent: inBase ? try await TenantSettings.baseExponent(pool, tenantID: tenant.id) : 2)
    }

    public func write(_ tenant: TenantScope, _ batch: CheckedDocumentBatch) async throws -> DocumentWriteCounts {
        let direct = batch.rows.count <= directLimit ? DirectDocumentMerge(batch.file, tenantID: tenant.id) : nil
        return try await turns.run(tenant.id) { [pool] in
            // Ahead of the reads waiting for a connection: one writer per tenant at a time (the
            // turns), so a writer's wait is short and the reads lose little. A small batch is
            // written under row-level security, row by row with parameters; a large one is staged,
            // and merged from its temporary tables as a bulk write (`PGConnection.tenantBulkTransaction`).
            if let direct {
                return try await pool.tenantTransaction(tenant.id, ahead: true) { try direct.merge($0, rows: batch.rows) }
            }
            return try await pool.tenantBulkTransaction(tenant.id, ahead: true) { connection in
                try Self.merge(connection, tenant: tenant, file: batch.file, rows: batch.rows)
            }
        }
    }

    /// The entries' normalised values, each field as the row checks of `file` leave it, or the
    /// rejection listing every problem: the checks of one row, then keys repeated in the batch.
    static func check(_ file: BundleFile, _ entries: [[String]?], baseExponent: Int) throws -> CheckedDocumentBatch {
        precondition(writableFiles.contains(file), "\(file.fileName) is not written through the API")
        let validator = try BundleRowValidator(file: file, header: file.header, baseExponent: baseExponent)
        let keyIndices = file.key.map { file.index(of: $0)! }
        var issues: [DocumentBatchRejection.Issue] = []
        var rows: [(index: Int, values: [String?])] = []
        var firstIndex: [[String?]: Int] = [:]
        for (index, fields) in entries.enumerated() {
            guard let fields else { continue }
            switch validator.validate(fields, line: index) {
            case .valid(let values):
                let key = keyIndices.map { values[$0] }
                if let earlier = firstIndex[key] {
                    let text = key.map { $0 ?? "" }.joined(separator: ", ")
                    issues.append(.init(index: index, column: file.key[0], problem: .duplicate(key: text, firstIndex: earlier)))
                } else {
                    firstIndex[key] = index
                }
                rows.append((index, values))
            case .invalid(let found):
                issues += found.map { .init(index: index, column: $0.column, problem: .invalid($0.message)) }
            }
        }
        guard issues.isEmpty else { throw DocumentBatchRejection(issues: issues, total: issues.count) }
        return CheckedDocumentBatch(file: file, rows: rows)
    }

    /// Stages the rows (each on the line of its index in the request), checks their references (and
    /// collections' amounts against their documents' currencies) and merges them; records the
    /// pairs whose classification the write can change, before and after, for the live answers:
    /// a document's own, an event's document's. Collections and remittances move only figures of
    /// their client that the live answers read from the tables as they stand: nothing to record.
    static func merge(
        _ connection: PGConnection, tenant: TenantScope, file: BundleFile, rows: [(index: Int, values: [String?])]
    ) throws -> DocumentWriteCounts {
        let tenantID = tenant.id
        try tenant.lock(.importing, on: connection)
        let table = StagingTable(file)
        try table.stage(connection) { writer in
            var line: [UInt8] = []
            for (index, values) in rows {
                line.removeAll(keepingCapacity: true)
                StagingTable.appendDecimal(Int64(index), to: &line)
                for value in values {
                    line.append(9)
                    StagingTable.appendCopyText(value, to: &line)
                }
                line.append(10)
                try writer.write(line)
            }
        }
        let (problems, total) = try StagingTable.problems(connection, staged: [file], tenantID: tenantID, limit: rows.count)
        if total > 0 {
            let order = file.header
            let issues = problems.map { problem in
                switch problem.kind {
                case .unknownReference(let value, _): DocumentBatchRejection.Issue(index: problem.line, column: problem.column, problem: .unknownReference(value))
                case .badAmount(let message): DocumentBatchRejection.Issue(index: problem.line, column: problem.column, problem: .invalid(message))
                }
            }.sorted { ($0.index, order.firstIndex(of: $0.column!)!) < ($1.index, order.firstIndex(of: $1.column!)!) }
            throw DocumentBatchRejection(issues: issues, total: total)
        }
        var pairs = Set<[Int64]>()
        let (inserted, updated) = try table.merge(connection, tenantID: tenantID) { statements in
            switch file {
            case .documents:
                for row in try connection.query(statements.changedRows(["client_id", "debtor_id"])).rows {
                    if let client = try row.decode(Int64?.self, at: 0), let debtor = try row.decode(Int64?.self, at: 1) {
                        pairs.insert([client, debtor])
                    }
                    pairs.insert([try row.decode(at: 2), try row.decode(at: 3)])
                }
            case .documentEvents:
                // An event keeps its document: the pair of the document it names.
                for row in try connection.query("""
                    SELECT DISTINCT d.client_id, d.debtor_id FROM (\(statements.changedRows(["doc_ref"]))) c (stored_ref, new_ref)
                    JOIN documents d ON d.tenant_id = $1 AND d.doc_ref = c.new_ref
                    """, [tenantID]).rows {
                    pairs.insert([try row.decode(at: 0), try row.decode(at: 1)])
                }
            default:
                break
            }
        }
        try LiveEngine.recordChanges(connection, tenantID: tenantID, pairs: pairs.map { (client: $0[0], debtor: $0[1]) })
        return DocumentWriteCounts(received: rows.count, inserted: inserted, updated: updated)
    }
}
