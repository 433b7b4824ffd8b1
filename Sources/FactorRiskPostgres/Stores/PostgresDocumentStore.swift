import FactorRiskCore

/// The document store on PostgreSQL: a batch goes through the import's row checks, is staged in
/// the import's staging table and runs the import's reference check and merge (`StagingTable`);
/// only the pairs it changed are then recorded for the live answers, where an import drops them all.
public struct PostgresDocumentStore: DocumentStore {
    /// The pool batches are checked and written through, each in a tenant transaction.
    public let pool: PGPool
    private static let file = BundleFile.documents

    public init(pool: PGPool) { self.pool = pool }

    public func check(_ tenant: TenantScope, documents: [[String]?]) async throws -> CheckedDocumentBatch {
        try Self.check(documents, baseExponent: try await TenantSettings.baseExponent(pool, tenantID: tenant.id))
    }

    public func write(_ tenant: TenantScope, _ batch: CheckedDocumentBatch) async throws -> DocumentWriteCounts {
        try await pool.tenantTransaction(tenant.id) { connection in
            try Self.merge(connection, tenant: tenant, rows: batch.rows)
        }
    }

    /// The entries' normalised values, each field as the row checks of documents.csv leave it, or
    /// the rejection listing every problem: the checks of one row, then keys repeated in the batch.
    static func check(_ documents: [[String]?], baseExponent: Int) throws -> CheckedDocumentBatch {
        let validator = try BundleRowValidator(file: file, header: file.header, baseExponent: baseExponent)
        let keyIndex = file.index(of: file.key[0])!
        var issues: [DocumentBatchRejection.Issue] = []
        var rows: [(index: Int, values: [String?])] = []
        var firstIndex: [String: Int] = [:]
        for (index, fields) in documents.enumerated() {
            guard let fields else { continue }
            switch validator.validate(fields, line: index) {
            case .valid(let values):
                let key = values[keyIndex] ?? ""
                if let earlier = firstIndex[key] {
                    issues.append(.init(index: index, column: file.key[0], problem: .duplicate(key: key, firstIndex: earlier)))
                } else {
                    firstIndex[key] = index
                }
                rows.append((index, values))
            case .invalid(let found):
                issues += found.map { .init(index: index, column: $0.column, problem: .invalid($0.message)) }
            }
        }
        guard issues.isEmpty else { throw DocumentBatchRejection(issues: issues, total: issues.count) }
        return CheckedDocumentBatch(rows: rows)
    }

    /// Stages the rows (each on the line of its index in the request), checks their references and merges them;
    /// records the pairs of every document written, before and after, for the live answers.
    static func merge(_ connection: PGConnection, tenant: TenantScope, rows: [(index: Int, values: [String?])]) throws -> DocumentWriteCounts {
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
        let unknown = try StagingTable.unknownReferences(connection, staged: [file], tenantID: tenantID, limit: rows.count)
        if unknown.total > 0 {
            let order = file.header
            let issues = unknown.listed
                .sorted { ($0.line, order.firstIndex(of: $0.column)!) < ($1.line, order.firstIndex(of: $1.column)!) }
                .map { DocumentBatchRejection.Issue(index: $0.line, column: $0.column, problem: .unknownReference($0.value)) }
            throw DocumentBatchRejection(issues: issues, total: unknown.total)
        }
        var pairs = Set<[Int64]>()
        let (inserted, updated) = try table.merge(connection, tenantID: tenantID) { statements in
            for row in try connection.query(statements.changedRows(["client_id", "debtor_id"])).rows {
                if let client = try row.decode(Int64?.self, at: 0), let debtor = try row.decode(Int64?.self, at: 1) {
                    pairs.insert([client, debtor])
                }
                pairs.insert([try row.decode(at: 2), try row.decode(at: 3)])
            }
        }
        try LiveEngine.recordChanges(connection, tenantID: tenantID, pairs: pairs.map { (client: $0[0], debtor: $0[1]) })
        return DocumentWriteCounts(received: rows.count, inserted: inserted, updated: updated)
    }
}
