/// Where the API's document batches are written: checked like an import's documents.csv and
/// merged by the same statements, so that a document reads the same whichever way it came in.
public protocol DocumentStore: Sendable {
    /// Runs the row checks of documents.csv on every entry, and finds keys repeated in the batch.
    ///
    /// - Parameter documents: each entry's fields in `BundleFile.documents.columns` order, or nil
    ///   for an entry the caller could not read (it reports why; the others are still checked).
    /// - Throws: `DocumentBatchRejection` listing every problem found, by entry index.
    func check(_ tenant: TenantScope, documents: [[String]?]) async throws -> CheckedDocumentBatch

    /// Writes a checked batch when every document names a known client and debtor: new documents
    /// inserted, changed ones updated, unchanged ones left alone. All or nothing.
    /// - Throws: `DocumentBatchRejection` listing the unknown references; nothing is written then.
    func write(_ tenant: TenantScope, _ batch: CheckedDocumentBatch) async throws -> DocumentWriteCounts
}
