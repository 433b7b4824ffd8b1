import Synchronization

/// A bounded pool of PostgreSQL connections, each with a thread of its own.
///
/// `withConnection` hands the caller's closure a connection on that connection's thread, so the
/// blocking libpq calls inside never run on Swift's cooperative pool. At most `maxConnections`
/// exist; further callers wait in order, up to `acquireTimeout`. A connection the server closed
/// (a restart, an administrator's kill) is noticed before it is handed out and replaced; one that
/// breaks during use is dropped and replaced on next use. An unreachable server fails the call at
/// once with libpq's reason, after at most `connectTimeout`.
public final class PGPool: Sendable {
    /// How the pool connects and how large it grows.
    public struct Configuration: Sendable {
        /// A `postgresql://` URL or a `key=value` conninfo string.
        public var conninfo: String
        public var maxConnections: Int
        /// Seconds libpq waits for an unreachable server before giving up.
        public var connectTimeout: Int
        /// How long a caller waits for a busy pool before a clear error.
        public var acquireTimeout: Duration
        public var applicationName: String

        public init(
            conninfo: String, maxConnections: Int = 8, connectTimeout: Int = 5,
            acquireTimeout: Duration = .seconds(60), applicationName: String = "factor-risk"
        ) {
            self.conninfo = conninfo
            self.maxConnections = max(1, maxConnections)
            self.connectTimeout = connectTimeout
            self.acquireTimeout = acquireTimeout
            self.applicationName = applicationName
        }
    }

    /// A snapshot of the pool's use, for metrics and tests.
    public struct Usage: Sendable, Equatable {
        public var open: Int
        public var idle: Int
        public var waiting: Int

        public init(open: Int, idle: Int, waiting: Int) {
            self.open = open
            self.idle = idle
            self.waiting = waiting
        }
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<PooledConnection, any Error>
    }

    private struct State {
        var idle: [PooledConnection] = []
        var total = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        var closed = false
    }

    public let configuration: Configuration
    private let state = Mutex(State())

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    deinit {
        state.withLock { state in
            for slot in state.idle { slot.thread.stop() }
        }
    }

    /// The pool's current use.
    public var usage: Usage {
        state.withLock { Usage(open: $0.total, idle: $0.idle.count, waiting: $0.waiters.count) }
    }

    /// Runs `body` with a connection of the pool, on that connection's own thread.
    ///
    /// A transaction `body` leaves open is rolled back before the connection goes back.
    /// Cancelling the calling task cancels the query running on the server.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        let slot = try await acquire()
        defer { release(slot) }
        let configuration = self.configuration
        return try await withTaskCancellationHandler {
            try await slot.thread.run {
                let connection = try slot.readyConnection(configuration)
                do {
                    let value = try body(connection)
                    slot.finishUse(connection)
                    return value
                } catch {
                    slot.finishUse(connection)
                    throw error
                }
            }
        } onCancel: {
            slot.requestCancel()
        }
    }

    /// Runs `steps` as one pipeline (see `PGConnection.pipeline`) on a pooled connection, without
    /// the hop to the connection's thread: the statements are sent from the caller's thread and the
    /// task waits for the answer without holding a thread. This is the path of short, frequent
    /// exchanges (the live answers). A connection that must first be opened is opened on its
    /// thread, as `withConnection` does.
    public func pipeline(_ steps: [PGConnection.PipelineStep]) async throws -> [PGResult] {
        let slot = try await acquire()
        defer { release(slot) }
        guard let connection = slot.openConnection() else {
            let configuration = self.configuration
            return try await withTaskCancellationHandler {
                try await slot.thread.run {
                    let connection = try slot.readyConnection(configuration)
                    defer { slot.finishUse(connection) }
                    return try connection.pipeline(steps)
                }
            } onCancel: {
                slot.requestCancel()
            }
        }
        return try await withTaskCancellationHandler {
            defer { slot.finishUseWithoutBlocking(connection) }
            return try await connection.pipelineWithoutBlocking(steps)
        } onCancel: {
            slot.requestCancel()
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await withConnection { try $0.transaction(body) }
    }

    /// Runs `body` in a transaction scoped to `tenantID` (service role, `app.tenant_id` set).
    @discardableResult
    public func tenantTransaction<T: Sendable>(_ tenantID: Int64, _ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await withConnection { try $0.tenantTransaction(tenantID, body) }
    }

    /// Closes idle connections and refuses new work; connections in use close when returned.
    public func close() {
        let (idle, waiters) = state.withLock { state -> ([PooledConnection], [Waiter]) in
            state.closed = true
            let idle = state.idle
            let waiters = state.waiters
            state.total -= idle.count
            state.idle = []
            state.waiters = []
            return (idle, waiters)
        }
        for slot in idle { slot.close() }
        for waiter in waiters { waiter.continuation.resume(throwing: PGError(.pool, message: "the connection pool is closed")) }
    }

    // MARK: Acquire and release

    private enum Decision {
        case use(PooledConnection)
        case create(UInt64)
        case wait(UInt64)
        case closed
    }

    private func acquire() async throws -> PooledConnection {
        let decision = state.withLock { state -> Decision in
            if state.closed { return .closed }
            if let slot = state.idle.popLast() { return .use(slot) }
            state.nextID += 1
            if state.total < configuration.maxConnections {
                state.total += 1
                return .create(state.nextID)
            }
            return .wait(state.nextID)
        }
        switch decision {
        case .closed:
            throw PGError(.pool, message: "the connection pool is closed")
        case .use(let slot):
            slot.resetCancel()
            return slot
        case .create(let id):
            return PooledConnection(id: id)
        case .wait(let id):
            let slot = try await waitForRelease(id: id)
            slot.resetCancel()
            return slot
        }
    }

    private func waitForRelease(id: UInt64) async throws -> PooledConnection {
        let timeout = configuration.acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.abandonWaiter(id, with: PGError(
                .pool, message: "no database connection became free within \(timeout) (pool of \(self?.configuration.maxConnections ?? 0))"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PooledConnection, any Error>) in
                let ready = state.withLock { state -> PooledConnection? in
                    if let slot = state.idle.popLast() { return slot }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            abandonWaiter(id, with: CancellationError())
        }
    }

    private func abandonWaiter(_ id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func release(_ slot: PooledConnection) {
        let action = state.withLock { state -> Waiter? in
            if state.closed {
                state.total -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(slot)
            return nil
        }
        if let action {
            action.continuation.resume(returning: slot)
        } else if state.withLock({ $0.closed }) {
            slot.close()
        }
    }
}

/// One place in the pool: a thread and the connection that lives on it.
final class PooledConnection: @unchecked Sendable {
    let thread: ConnectionThread
    /// Read and written only by the slot's owner of the moment (the pool hands a slot to one
    /// caller at a time, under its lock): on `thread`, or on the caller's own thread by `PGPool.pipeline`.
    private var connection: PGConnection?
    /// The connection in use and whether cancellation was asked, for other threads.
    private let cancellation = Mutex<(connection: PGConnection?, requested: Bool)>((nil, false))

    init(id: UInt64) {
        thread = ConnectionThread(name: "factor-risk-pg-\(id)")
    }

    /// On the slot's thread: a usable connection, opening or replacing one as needed.
    func readyConnection(_ configuration: PGPool.Configuration) throws -> PGConnection {
        if let current = connection, !current.isStillOpenWhileIdle() {
            connection = nil
        }
        let ready: PGConnection
        if let current = connection {
            ready = current
        } else {
            ready = try PGConnection(
                conninfo: configuration.conninfo, connectTimeout: configuration.connectTimeout,
                applicationName: configuration.applicationName)
            connection = ready
        }
        let cancelled = cancellation.withLock { state -> Bool in
            state.connection = ready
            return state.requested
        }
        if cancelled { throw CancellationError() }
        return ready
    }

    /// The slot's connection when it is open and still usable, for use on the caller's thread;
    /// nil when one must be opened first (which blocks, so belongs on the slot's thread).
    func openConnection() -> PGConnection? {
        guard let current = connection, current.isStillOpenWhileIdle() else { return nil }
        let cancelled = cancellation.withLock { state -> Bool in
            state.connection = current
            return state.requested
        }
        return cancelled ? nil : current
    }

    /// After use on the caller's thread: a connection left broken, inside a transaction, or still
    /// in non-blocking or pipeline mode is dropped rather than repaired with a blocking round
    /// trip; the next user opens a new one.
    func finishUseWithoutBlocking(_ used: PGConnection) {
        cancellation.withLock { $0.connection = nil }
        if !used.isReusable || used.inTransaction { connection = nil }
    }

    /// On the slot's thread, after use: rolls back what was left open, drops a broken connection.
    func finishUse(_ used: PGConnection) {
        cancellation.withLock { $0.connection = nil }
        guard used.isReusable else {
            connection = nil
            return
        }
        if used.inTransaction {
            _ = try? used.execute("ROLLBACK")
        }
        if !used.isHealthy { connection = nil }
    }

    func requestCancel() {
        cancellation.withLock { state in
            state.requested = true
            state.connection?.cancelCurrentQuery()
        }
    }

    func resetCancel() {
        cancellation.withLock { $0.requested = false }
    }

    /// Closes the connection on its thread, then ends the thread.
    func close() {
        Task { [self] in
            _ = try? await thread.run { [self] in connection = nil }
            thread.stop()
        }
    }
}
