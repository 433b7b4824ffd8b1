import Synchronization

/// A bounded pool of PostgreSQL connections, each with a thread of its own.
///
/// `withConnection` hands the caller's closure a connection on that connection's thread, so the
/// blocking libpq calls inside never run on Swift's cooperative pool. At most `maxConnections`
/// exist; further callers wait in order, up to `acquireTimeout`. A connection the server closed
/// (a restart, an administrator's kill) is noticed before it is handed out and replaced; one that
/// breaks during use is closed and replaced when next needed. An unreachable server fails the call
/// at once with libpq's reason, after at most `connectTimeout`.
///
/// Who waits, who gets which connection, when to open or close one and when a caller gives up
/// are decided by `PGPoolStateMachine`, which does no I/O; this class only carries its decisions
/// out (threads, libpq, timers, continuations).
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

    private typealias StateMachine = PGPoolStateMachine<Duration>

    /// The decisions, and the callers and connections they name.
    private struct State {
        var machine: StateMachine
        var requests: [StateMachine.RequestID: CheckedContinuation<PooledConnection, any Error>] = [:]
        var connections: [StateMachine.ConnectionID: PooledConnection] = [:]
        /// When each waiting request times out (the state machine's timers).
        var deadlines: [StateMachine.RequestID: Duration] = [:]
        /// The one task that sleeps until the earliest deadline, while there are any: whether one
        /// runs, its number (a replaced sweeper finds a newer number and stops) and the deadline it
        /// sleeps until (nil while it is choosing the next one).
        var sweeper: Task<Void, Never>?
        var sweeperActive = false
        var sweeperNumber = 0
        var sweeperTarget: Duration?
        var nextRequest: StateMachine.RequestID = 0
    }

    public let configuration: Configuration
    private let state: Mutex<State>
    /// The pool's clock, as the time since the pool was made: the state machine's instants.
    private let now: @Sendable () -> Duration
    private let sleep: @Sendable (_ until: Duration) async throws -> Void

    public convenience init(_ configuration: Configuration) {
        self.init(configuration, clock: ContinuousClock())
    }

    /// A pool whose deadlines are measured by `clock` (a clock the tests move by hand).
    init<C: Clock>(_ configuration: Configuration, clock: C) where C.Duration == Duration {
        self.configuration = configuration
        state = Mutex(State(machine: StateMachine(maxConnections: configuration.maxConnections)))
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { try await clock.sleep(until: origin.advanced(by: $0), tolerance: nil) }
    }

    deinit {
        state.withLock { state in
            for connection in state.connections.values { connection.close() }
            state.sweeper?.cancel()
        }
    }

    /// The pool's current use.
    public var usage: Usage {
        state.withLock { state in
            let usage = state.machine.usage
            return Usage(open: usage.open, idle: usage.idle, waiting: usage.waiting)
        }
    }

    /// Runs `body` with a connection of the pool, on that connection's own thread.
    ///
    /// A transaction `body` leaves open is rolled back before the connection goes back.
    /// Cancelling the calling task cancels the query running on the server.
    @discardableResult
    public func withConnection<T: Sendable>(
        ahead: Bool = false, _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        let slot = try await lease(ahead: ahead)
        defer { giveBack(slot) }
        return try await withTaskCancellationHandler {
            try await slot.thread.run {
                let connection = try slot.beginUse()
                defer { slot.finishUse() }
                return try body(connection)
            }
        } onCancel: {
            slot.requestCancel()
        }
    }

    /// Runs `steps` as one pipeline (see `PGConnection.pipeline`) on a pooled connection, without
    /// the hop to the connection's thread: the statements are sent from the caller's thread and the
    /// task waits for the answer without holding a thread. This is the path of short, frequent
    /// exchanges (the live answers). Connections are opened on their own threads before they
    /// are handed out, so nothing here blocks.
    public func pipeline(_ steps: [PGConnection.PipelineStep]) async throws -> [PGResult] {
        let slot = try await lease()
        defer { giveBack(slot) }
        return try await withTaskCancellationHandler {
            let connection = try slot.beginUse()
            defer { slot.finishUseWithoutBlocking() }
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

    /// Runs `body` in a transaction scoped to `tenantID` (service role, `app.tenant_id` set);
    /// `ahead`, the connection goes to it before the callers waiting without (`PGPoolStateMachine`).
    @discardableResult
    public func tenantTransaction<T: Sendable>(
        _ tenantID: Int64, ahead: Bool = false, _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        try await withConnection(ahead: ahead) { try $0.tenantTransaction(tenantID, body) }
    }

    /// Runs `body` in a transaction that writes `tenantID`'s rows in bulk (`PGConnection.tenantBulkTransaction`).
    @discardableResult
    public func tenantBulkTransaction<T: Sendable>(
        _ tenantID: Int64, ahead: Bool = false, _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        try await withConnection(ahead: ahead) { try $0.tenantBulkTransaction(tenantID, body) }
    }

    /// Closes idle connections and refuses new work; connections in use close when returned.
    public func close() {
        handle { $0.shutdown() }
    }
}

// MARK: Carrying out the state machine's decisions

extension PGPool {
    /// Waits, in order, for a connection that is open and was not closed by the server.
    private func lease(ahead: Bool = false) async throws -> PooledConnection {
        let request = state.withLock { state in
            state.nextRequest += 1
            return state.nextRequest
        }
        let deadline = now() + configuration.acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PooledConnection, any Error>) in
                perform(state.withLock { state in
                    state.requests[request] = continuation
                    return state.machine.leaseRequested(request, deadline: deadline, ahead: ahead)
                })
                // A task cancelled before it was queued would otherwise wait until its deadline.
                if Task.isCancelled { handle { $0.leaseCancelled(request) } }
            }
        } onCancel: {
            handle { $0.leaseCancelled(request) }
        }
    }

    /// Gives a connection back after use, as usable or as broken.
    private func giveBack(_ connection: PooledConnection) {
        let reusable = connection.isReusable
        handle { reusable ? $0.connectionReturned(connection.id) : $0.connectionBroken(connection.id) }
    }

    /// Feeds one event to the state machine and carries out what it decides.
    private func handle(_ event: (inout StateMachine) -> [StateMachine.Action]) {
        perform(state.withLock { event(&$0.machine) })
    }

    /// Carries out the actions, outside the lock, and those that follow from them.
    private func perform(_ actions: [StateMachine.Action]) {
        var pending = actions[...]
        while let action = pending.popFirst() {
            switch action {
            case .lease(let id, let waiter):
                // Leased to no one yet: checking it here is its owner's use.
                guard let connection = state.withLock({ $0.connections[id] }) else { continue }
                guard connection.isStillOpenWhileIdle() else {
                    pending += state.withLock { $0.machine.connectionBroken(id, handingTo: waiter) }
                    continue
                }
                connection.resetCancel()
                answer(waiter.request, with: .success(connection))
            case .open(let id):
                open(id)
            case .close(let id):
                state.withLock { $0.connections.removeValue(forKey: id) }?.close()
            case .fail(let request, let failure):
                answer(request, with: .failure(error(for: failure)))
            case .scheduleTimer(let request, let deadline):
                schedule(request, at: deadline)
            }
        }
    }

    /// Opens a connection on a thread of its own, which then reports how it went.
    private func open(_ id: StateMachine.ConnectionID) {
        let connection = PooledConnection(id: id)
        state.withLock { $0.connections[id] = connection }
        connection.open(configuration) { [self] failure in
            if let failure {
                state.withLock { _ = $0.connections.removeValue(forKey: id) }
                connection.close()
                handle { $0.connectionOpenFailed(id, failure) }
            } else {
                handle { $0.connectionOpened(id) }
            }
        }
    }

    /// Resumes a waiting caller, once, and forgets its deadline.
    private func answer(_ request: StateMachine.RequestID, with result: Result<PooledConnection, any Error>) {
        let continuation = state.withLock { state in
            state.deadlines.removeValue(forKey: request)
            return state.requests.removeValue(forKey: request)
        }
        continuation?.resume(with: result)
    }

    /// Keeps the request's deadline, for the sweeper to fire.
    ///
    /// One task sleeps until the earliest deadline, not one per waiter: under load most leases
    /// wait a moment for a connection, and a task per lease (made, put to sleep, cancelled when the
    /// connection came) cost more than the wait itself. Deadlines come in the order leases do (each
    /// is its lease's time plus the same timeout), so the sweeper is replaced only when a deadline
    /// comes before the one it sleeps until.
    private func schedule(_ request: StateMachine.RequestID, at deadline: Duration) {
        let replaced = state.withLock { state -> (Task<Void, Never>?, Int)? in
            // A request answered in the meantime needs no timer.
            guard state.requests[request] != nil else { return nil }
            state.deadlines[request] = deadline
            if state.sweeperActive, state.sweeperTarget.map({ $0 <= deadline }) ?? true { return nil }
            state.sweeperNumber += 1
            state.sweeperActive = true
            state.sweeperTarget = nil
            defer { state.sweeper = nil }
            return (state.sweeper, state.sweeperNumber)
        }
        guard let (old, number) = replaced else { return }
        old?.cancel()
        let sweeper = Task { [weak self, sleep] in
            while let deadline = self?.nextDeadline(number) {
                do { try await sleep(deadline) } catch { return }
                self?.fireDeadlines(number)
            }
        }
        state.withLock { state in
            if state.sweeperNumber == number { state.sweeper = sweeper } else { sweeper.cancel() }
        }
    }

    /// The earliest deadline, which sweeper `number` sleeps until; nil (and the sweeper ends) when
    /// none is left or a newer sweeper took over.
    private func nextDeadline(_ number: Int) -> Duration? {
        state.withLock { state in
            guard state.sweeperNumber == number else { return nil }
            guard let earliest = state.deadlines.values.min() else {
                state.sweeperActive = false
                state.sweeperTarget = nil
                return nil
            }
            state.sweeperTarget = earliest
            return earliest
        }
    }

    /// Tells the state machine of every deadline past.
    private func fireDeadlines(_ number: Int) {
        let now = now()
        let due = state.withLock { state -> [StateMachine.RequestID] in
            guard state.sweeperNumber == number else { return [] }
            let due = state.deadlines.filter { $0.value <= now }.map(\.key).sorted()
            for request in due { state.deadlines[request] = nil }
            return due
        }
        for request in due { handle { $0.timerFired(request, now: now) } }
    }

    private func error(for failure: StateMachine.Failure) -> any Error {
        switch failure {
        case .timedOut:
            PGError(
                .pool,
                message: "no database connection became free within \(configuration.acquireTimeout) (pool of \(configuration.maxConnections))")
        case .poolClosed:
            PGError(.pool, message: "the connection pool is closed")
        case .cancelled:
            CancellationError()
        case .openFailed(let error):
            error
        }
    }
}
