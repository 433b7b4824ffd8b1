/// What a document batch did: the answer of `POST /v1/documents`.
public struct DocumentWriteCounts: Sendable, Equatable {
    /// Documents in the batch.
    public let received: Int
    /// Documents the tenant did not have.
    public let inserted: Int
    /// Documents stored before with some other value, rewritten.
    public let updated: Int
    /// Entries equal to the stored document, not rewritten.
    public var unchanged: Int { received - inserted - updated }

    public init(received: Int, inserted: Int, updated: Int) {
        self.received = received
        self.inserted = inserted
        self.updated = updated
    }
}
