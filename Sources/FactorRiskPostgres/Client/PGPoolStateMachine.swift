/// Every decision of the connection pool, with no I/O in it.
///
/// `PGPool` feeds it what happened (a caller asks for a connection, one comes back, one turns out
/// broken, one finished opening or failed to, a timer fired, the pool shuts down) and carries out
/// the actions it returns (hand a connection to a caller, open or close one, fail a caller,
/// schedule a timer). Keeping the decisions here, away from threads, sockets and clocks, is what
/// lets each rule (fair order, the bound, the deadline) be tested by feeding it events.
///
/// The rules: callers are served in the order they asked, except that a caller asking `ahead` goes
/// before every caller waiting that did not (after those that did); at most `maxConnections` connections
/// exist, counting those still opening; a connection is opened only for a caller that has none
/// coming; the connection returned last is handed out first (it is the one most likely still
/// warm); a caller fails when its deadline passes, not before; a failed open fails the caller
/// that has waited longest, with the reason the server gave.
///
/// `Instant` is whatever the pool's clock counts in; only its order matters here.
struct PGPoolStateMachine<Instant: Comparable & Sendable>: Sendable {
    /// Names a connection of the pool for the whole of its life.
    typealias ConnectionID = Int
    /// Names one caller's request for a connection.
    typealias RequestID = Int

    /// A caller waiting for a connection, with the moment it gives up.
    struct Waiter: Equatable, Sendable {
        let request: RequestID
        let deadline: Instant
        /// Whether it was let ahead of the callers asking in the ordinary way.
        var ahead = false
    }

    /// Why a caller gets no connection.
    enum Failure: Sendable {
        /// Its deadline passed with no connection free.
        case timedOut
        /// The pool was shut down.
        case poolClosed
        /// The caller's task was cancelled while it waited.
        case cancelled
        /// Opening a connection failed: the server's reason, passed on as it came.
        case openFailed(any Error & Sendable)
    }

    /// What the I/O layer is to do, in order.
    enum Action: Sendable {
        /// Give the connection to the waiter; if it turns out closed by the server, report
        /// `connectionBroken(_:handingTo:)` with the same waiter instead.
        case lease(ConnectionID, to: Waiter)
        /// Open a new connection and report `connectionOpened` or `connectionOpenFailed`.
        case open(ConnectionID)
        /// Close the connection and forget it.
        case close(ConnectionID)
        /// Fail the caller's request.
        case fail(RequestID, Failure)
        /// Report `timerFired` for the request once the clock reaches the instant.
        case scheduleTimer(RequestID, at: Instant)
    }

    private enum ConnectionState {
        case opening
        case idle
        case leased
    }

    let maxConnections: Int
    private var connections: [ConnectionID: ConnectionState] = [:]
    /// Idle connections, the one returned last at the end.
    private var idle: [ConnectionID] = []
    /// Callers without a connection, the oldest first.
    private var waiters: [Waiter] = []
    private var opening = 0
    private var nextConnectionID: ConnectionID = 0
    private var isShutDown = false

    init(maxConnections: Int) {
        self.maxConnections = max(1, maxConnections)
    }

    /// Connections that exist (opening, idle or leased), idle ones, and callers waiting.
    var usage: (open: Int, idle: Int, waiting: Int) {
        (connections.count, idle.count, waiters.count)
    }

    // MARK: Events

    /// A caller asks for a connection and will wait until `deadline` at the latest; `ahead`, it is
    /// served before the callers waiting in the ordinary way (a short, rare piece of work that
    /// others wait on, such as a tenant's write, should not queue behind every read).
    mutating func leaseRequested(_ request: RequestID, deadline: Instant, ahead: Bool = false) -> [Action] {
        if isShutDown { return [.fail(request, .poolClosed)] }
        let waiter = Waiter(request: request, deadline: deadline, ahead: ahead)
        waiters.insert(waiter, at: ahead ? waiters.firstIndex { !$0.ahead } ?? waiters.count : waiters.count)
        var actions = serveWaiters()
        if waiters.contains(waiter) { actions.append(.scheduleTimer(request, at: deadline)) }
        return actions
    }

    /// A connection finished opening.
    mutating func connectionOpened(_ id: ConnectionID) -> [Action] {
        guard connections[id] == .opening else { return [] }
        opening -= 1
        return makeAvailable(id)
    }

    /// A connection could not be opened: the caller that has waited longest learns why, unless
/// another connection still opening can serve every caller left.
    mutating func connectionOpenFailed(_ id: ConnectionID, _ error: any Error & Sendable) -> [Action] {
        guard connections[id] == .opening else { return [] }
        opening -= 1
        connections[id] = nil
        // A caller still has a connection coming if fewer wait than are opening.
        guard waiters.count > opening else { return [] }
        let oldest = waiters.removeFirst()
        return [.fail(oldest.request, .openFailed(error))] + serveWaiters()
    }

    /// A caller is done with a connection that can serve the next one.
    mutating func connectionReturned(_ id: ConnectionID) -> [Action] {
        guard connections[id] == .leased else { return [] }
        return makeAvailable(id)
    }

    /// A connection is no longer usable: it broke in use, or was found closed by the server as it
    /// was about to be handed to `waiter`, who then keeps its place at the head of the queue.
    mutating func connectionBroken(_ id: ConnectionID, handingTo waiter: Waiter? = nil) -> [Action] {
        guard connections[id] == .leased else { return [] }
        connections[id] = nil
        var actions: [Action] = [.close(id)]
        if let waiter {
            if isShutDown { return actions + [.fail(waiter.request, .poolClosed)] }
            waiters.insert(waiter, at: 0)
            actions += serveWaiters()
            if waiters.contains(waiter) { actions.append(.scheduleTimer(waiter.request, at: waiter.deadline)) }
            return actions
        }
        return actions + serveWaiters()
    }

    /// A timer scheduled for `request` fired at `now`: the caller fails if its deadline has passed,
    /// and is given a new timer if the clock woke early.
    mutating func timerFired(_ request: RequestID, now: Instant) -> [Action] {
        guard let index = waiters.firstIndex(where: { $0.request == request }) else { return [] }
        let waiter = waiters[index]
        guard waiter.deadline <= now else { return [.scheduleTimer(request, at: waiter.deadline)] }
        waiters.remove(at: index)
        return [.fail(request, .timedOut)]
    }

    /// The caller's task was cancelled: it stops waiting.
    mutating func leaseCancelled(_ request: RequestID) -> [Action] {
        guard let index = waiters.firstIndex(where: { $0.request == request }) else { return [] }
        waiters.remove(at: index)
        return [.fail(request, .cancelled)]
    }

    /// The pool closes: waiting callers fail, idle connections close, and the others close as
    /// they finish opening or come back.
    mutating func shutdown() -> [Action] {
        guard !isShutDown else { return [] }
        isShutDown = true
        let failed = waiters.map { Action.fail($0.request, .poolClosed) }
        waiters = []
        let closed = idle.map { Action.close($0) }
        for id in idle { connections[id] = nil }
        idle = []
        return failed + closed
    }

    // MARK: Decisions

    /// A connection that opened or came back goes to the oldest waiter, else waits idle.
    private mutating func makeAvailable(_ id: ConnectionID) -> [Action] {
        if isShutDown {
            connections[id] = nil
            return [.close(id)]
        }
        connections[id] = .idle
        idle.append(id)
        return serveWaiters()
    }

    /// Hands idle connections to waiters in order, then opens connections for the waiters that
    /// have none coming, as far as the bound allows.
    private mutating func serveWaiters() -> [Action] {
        var actions: [Action] = []
        while !waiters.isEmpty, let id = idle.popLast() {
            connections[id] = .leased
            actions.append(.lease(id, to: waiters.removeFirst()))
        }
        while waiters.count > opening, connections.count < maxConnections {
            nextConnectionID += 1
            connections[nextConnectionID] = .opening
            opening += 1
            actions.append(.open(nextConnectionID))
        }
        return actions
    }
}
