import FactorRiskCore

/// A batch of rows of one bundle file that passed the row checks (`DocumentStore.check`), ready to
/// be written.
///
/// Only a store makes one, so that nothing unchecked reaches the merge.
public struct CheckedDocumentBatch: Sendable {
    /// The file the rows are of (documents, collections, remittances or document events).
    public let file: BundleFile
    /// Each row's index in the request, and its values normalised for storage, in `file.columns` order.
    let rows: [(index: Int, values: [String?])]
}
