import FactorRiskCore

/// Where the API's batches are written: documents, and what is reported about them and their
/// clients (collections, remittances, the e-invoicing platform's events). A batch is checked like
/// an import's file of the same name and merged by the same statements, so that a row reads the
/// same whichever way it came in.
public protocol DocumentStore: Sendable {
    /// Runs the row checks of `file` on every entry, and finds keys repeated in the batch.
    ///
    /// - Parameters:
    ///   - file: one of `PostgresDocumentStore.writableFiles`.
    ///   - rows: each entry's fields in `file.columns` order, or nil for an entry the caller could
    ///     not read (it reports why; the others are still checked).
    /// - Throws: `DocumentBatchRejection` listing every problem found, by entry index.
    func check(_ tenant: TenantScope, _ file: BundleFile, rows: [[String]?]) async throws -> CheckedDocumentBatch

    /// Writes a checked batch when every row names a known client, debtor or document (and a
    /// collection's amount fits its document's currency): new rows inserted, changed ones updated,
    /// unchanged ones left alone. All or nothing.
    /// - Throws: `DocumentBatchRejection` listing what the database found; nothing is written then.
    func write(_ tenant: TenantScope, _ batch: CheckedDocumentBatch) async throws -> DocumentWriteCounts
}
