/// Why a batch (`DocumentStore`) was not written: every problem found, by the entry's index in the batch,
/// so that the caller can point at it in its own terms (the API by JSON path).
public struct DocumentBatchRejection: Error, Sendable {
    /// One problem of one entry.
    public struct Issue: Sendable, Equatable {
        /// The entry's index in the batch.
        public let index: Int
        /// The field at fault, by its column name; nil when it is the entry as a whole.
        public let column: String?
        /// What is wrong with it.
        public let problem: Problem
    }

    /// What is wrong, with what the caller needs to word it.
    public enum Problem: Sendable, Equatable {
        /// A field fails the row checks of its file (the message says how), or a collection's amount
        /// does not fit its document's currency.
        case invalid(String)
        /// The entry's key is also that of entry `firstIndex`.
        case duplicate(key: String, firstIndex: Int)
        /// The field names a client, debtor or document the tenant does not have.
        case unknownReference(String)
    }

    /// The problems listed, by entry then column.
    public let issues: [Issue]
    /// All problems found, listed or not.
    public let total: Int
}
