/// Writers of one tenant take turns before they take a database connection.
///
/// A tenant's batches are merged one at a time (the tenant's merge lock, `TenantScope.Lock.importing`).
/// Without turns, every batch that arrives while one is being merged takes one of the pool's few
/// connections and waits on the lock with it: a burst of writes then holds the whole pool, and the
/// live answers queue behind writers that are themselves only queueing. With turns, a tenant's
/// writers wait here, holding nothing, and at most one of them holds a connection. The lock stays:
/// it orders the writers of other servers and the imports.
actor WriteTurns {
    /// Per tenant with a writer in its turn, the writers waiting, first come first.
    private var waiting: [Int64: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` in the tenant's turn.
    func run<T: Sendable>(_ tenantID: Int64, _ body: @Sendable () async throws -> T) async throws -> T {
        if waiting[tenantID] == nil {
            waiting[tenantID] = []
        } else {
            await withCheckedContinuation { waiting[tenantID]!.append($0) }
        }
        defer { next(tenantID) }
        return try await body()
    }

    /// Hands the turn to the next writer waiting, or ends the tenant's turns.
    private func next(_ tenantID: Int64) {
        guard var queue = waiting[tenantID], !queue.isEmpty else {
            waiting[tenantID] = nil
            return
        }
        let first = queue.removeFirst()
        waiting[tenantID] = queue
        first.resume()
    }
}
