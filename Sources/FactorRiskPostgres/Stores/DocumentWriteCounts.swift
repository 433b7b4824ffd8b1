/// What a batch did: the answer of `POST /v1/documents` (and of the collections, remittances and
/// document events).
public struct DocumentWriteCounts: Sendable, Equatable {
    /// Rows in the batch.
    public let received: Int
    /// Rows the tenant did not have.
    public let inserted: Int
    /// Rows stored before with some other value, rewritten.
    public let updated: Int
    /// Entries equal to the stored row, not rewritten.
    public var unchanged: Int { received - inserted - updated }

    public init(received: Int, inserted: Int, updated: Int) {
        self.received = received
        self.inserted = inserted
        self.updated = updated
    }
}
