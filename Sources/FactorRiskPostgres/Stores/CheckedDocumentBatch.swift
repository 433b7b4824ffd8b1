/// A batch of documents that passed the row checks (`DocumentStore.check`), ready to be written.
///
/// Only a store makes one, so that nothing unchecked reaches the merge.
public struct CheckedDocumentBatch: Sendable {
    /// Each document's index in the request, and its values normalised for storage, in
    /// `BundleFile.documents.columns` order.
    let rows: [(index: Int, values: [String?])]
}
