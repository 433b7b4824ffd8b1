import Foundation
import Synchronization

/// One connection of the pool and the thread it lives on.
///
/// The connection is opened on its thread before the pool hands it out, and closed there, so the
/// blocking `PQconnectdb` and `PQfinish` never run on Swift's cooperative pool.
final class PooledConnection: @unchecked Sendable {
    /// The pool state machine's name for this connection.
    let id: Int
    let thread: ConnectionThread
    /// Set and cleared on `thread`; between the two, read only by the caller the pool handed the
    /// connection to (on `thread`, or on the caller's own thread for `PGPool.pipeline`), one
    /// caller at a time. The pool's lock orders each hand-over.
    private var connection: PGConnection?
    /// Whether the last use left the connection fit for the next caller; written at the end of a
    /// use, read by the pool once that use is over.
    private(set) var isReusable = true
    /// The connection while in use, which use it is (a count), and whether cancellation was
    /// asked, for other threads.
    private let cancellation = Mutex<(inUse: PGConnection?, use: Int, requested: Bool)>((nil, 0, false))

    init(id: Int) {
        self.id = id
        thread = ConnectionThread(name: "factor-risk-pg-\(id)")
    }

    /// Opens the connection on its thread, then calls `completion` there with nil, or with why it failed.
    func open(_ configuration: PGPool.Configuration, completion: @escaping @Sendable ((any Error & Sendable)?) -> Void) {
        thread.submit { [self] in
            do {
                connection = try PGConnection(
                    conninfo: configuration.conninfo, connectTimeout: configuration.connectTimeout,
                    applicationName: configuration.applicationName)
                completion(nil)
            } catch let error as PGError {
                completion(error)
            } catch {
                completion(PGError(.connection, message: "cannot connect to PostgreSQL: \(error)"))
            }
        }
    }

    /// Whether the idle connection is still open on the server's side: a poll, no round trip.
    func isStillOpenWhileIdle() -> Bool {
        connection?.isStillOpenWhileIdle() ?? false
    }

    /// The connection for the caller that now holds it, unless cancellation was already asked.
    func beginUse() throws -> PGConnection {
        guard let connection else { throw PGError(.connectionLost, message: "the database connection is closed") }
        let cancelled = cancellation.withLock { state -> Bool in
            if !state.requested {
                state.inUse = connection
                state.use += 1
            }
            return state.requested
        }
        if cancelled { throw CancellationError() }
        return connection
    }

    /// On the connection's thread, after use: rolls back what was left open and notes whether
    /// the connection can serve the next caller.
    func finishUse() {
        cancellation.withLock { $0.inUse = nil }
        guard let connection, connection.isReusable else {
            isReusable = false
            return
        }
        if connection.inTransaction {
            _ = try? connection.execute("ROLLBACK")
        }
        isReusable = connection.isHealthy
    }

    /// After use on the caller's thread: a connection left broken, inside a transaction, or still
    /// in non-blocking or pipeline mode is given up rather than repaired with a blocking round
    /// trip; the pool closes it on its thread and opens another when one is needed.
    func finishUseWithoutBlocking() {
        cancellation.withLock { $0.inUse = nil }
        isReusable = connection.map { $0.isReusable && !$0.inTransaction } ?? false
    }

    /// Cancels the query in progress, or the use about to begin. Safe from any thread, and
    /// returns at once.
    ///
    /// libpq's cancel request opens a connection to the server and waits for it, so it is sent
    /// from a thread of its own, not from the one cancelling the task (the cooperative pool, an
    /// event loop). It is sent under the lock and only while the same use is in progress, so it
    /// never reaches a query of the next caller.
    func requestCancel() {
        let use = cancellation.withLock { state -> Int? in
            state.requested = true
            return state.inUse == nil ? nil : state.use
        }
        guard let use else { return }
        let sender = Thread { [self] in
            cancellation.withLock { state in
                if state.use == use { state.inUse?.cancelCurrentQuery() }
            }
        }
        sender.name = "factor-risk-pg-cancel"
        sender.start()
    }

    /// Clears a cancellation left by the previous caller, before the next one gets the connection.
    func resetCancel() {
        cancellation.withLock { $0.requested = false }
    }

    /// Closes the connection on its thread, then ends the thread.
    func close() {
        thread.submit { [self] in connection = nil }
        thread.stop()
    }
}
