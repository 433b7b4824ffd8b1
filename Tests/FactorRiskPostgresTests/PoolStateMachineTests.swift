@testable import FactorRiskPostgres
import Testing

/// The pool's decisions, fed events by hand: no server, no threads, time from a manual clock.
@Suite("connection pool decisions")
struct PoolStateMachineTests {
    typealias Machine = PGPoolStateMachine<ManualClock.Instant>

    /// An action written so that a test can compare it: a failure by its cause, a timer by its
    /// instant as the time since the clock began.
    enum Step: Equatable {
        case lease(connection: Int, request: Int)
        case open(Int)
        case close(Int)
        case fail(Int, String)
        case timer(Int, at: Duration)
    }

    let clock = ManualClock()
    let wait = Duration.milliseconds(300)

    func steps(_ actions: [Machine.Action]) -> [Step] {
        actions.map { action in
            switch action {
            case .lease(let connection, let waiter): .lease(connection: connection, request: waiter.request)
            case .open(let connection): .open(connection)
            case .close(let connection): .close(connection)
            case .scheduleTimer(let request, let instant): .timer(request, at: instant.offset)
            case .fail(let request, let failure):
                switch failure {
                case .timedOut: .fail(request, "timed out")
                case .poolClosed: .fail(request, "pool closed")
                case .cancelled: .fail(request, "cancelled")
                case .openFailed(let error): .fail(request, "\(error)")
                }
            }
        }
    }

    /// Asks for a connection for `request`, with the deadline `wait` from now.
    func ask(_ machine: inout Machine, _ request: Int) -> [Step] {
        steps(machine.leaseRequested(request, deadline: clock.now.advanced(by: wait)))
    }

    func usage(_ machine: Machine) -> [Int] {
        [machine.usage.open, machine.usage.idle, machine.usage.waiting]
    }

    /// A pool whose connection 1 is held by caller 1.
    func holding(maxConnections: Int) -> Machine {
        var machine = Machine(maxConnections: maxConnections)
        _ = ask(&machine, 1)
        _ = machine.connectionOpened(1)
        return machine
    }

    @Test("a caller asking ahead is served before the callers waiting, after those that asked ahead before it")
    func askingAhead() {
        var machine = holding(maxConnections: 1)
        _ = ask(&machine, 2)
        _ = ask(&machine, 3)
        #expect(steps(machine.leaseRequested(4, deadline: clock.now.advanced(by: wait), ahead: true)) == [.timer(4, at: wait)])
        _ = machine.leaseRequested(5, deadline: clock.now.advanced(by: wait), ahead: true)
        _ = ask(&machine, 6)
        // Connection 1 goes round: 4 and 5 (ahead, in their order), then 2, 3 and 6.
        var served: [Int] = []
        for _ in 0..<5 {
            let next = steps(machine.connectionReturned(1))
            guard case .lease(connection: 1, let request)? = next.first, next.count == 1 else {
                Issue.record("expected one lease of connection 1, got \(next)")
                return
            }
            served.append(request)
        }
        #expect(served == [4, 5, 2, 3, 6])
        #expect(usage(machine) == [1, 0, 0])
    }

    @Test("callers are served in the order they asked, whichever connection opens first")
    func firstInFirstOut() {
        var machine = Machine(maxConnections: 2)
        #expect(ask(&machine, 1) == [.open(1), .timer(1, at: wait)])
        #expect(ask(&machine, 2) == [.open(2), .timer(2, at: wait)])
        #expect(ask(&machine, 3) == [.timer(3, at: wait)])
        // Connection 2 is ready first: it goes to caller 1, who asked first.
        #expect(steps(machine.connectionOpened(2)) == [.lease(connection: 2, request: 1)])
        #expect(steps(machine.connectionOpened(1)) == [.lease(connection: 1, request: 2)])
        #expect(steps(machine.connectionReturned(2)) == [.lease(connection: 2, request: 3)])
    }

    @Test("a returned connection goes to the caller that has waited longest")
    func returnedConnectionGoesToOldestWaiter() {
        var machine = holding(maxConnections: 1)
        for request in 2...4 { #expect(ask(&machine, request) == [.timer(request, at: wait)]) }
        #expect(steps(machine.connectionReturned(1)) == [.lease(connection: 1, request: 2)])
        #expect(steps(machine.connectionReturned(1)) == [.lease(connection: 1, request: 3)])
        #expect(steps(machine.connectionReturned(1)) == [.lease(connection: 1, request: 4)])
        #expect(steps(machine.connectionReturned(1)) == [])
        #expect(usage(machine) == [1, 1, 0])
        // The idle connection serves the next caller at once: no timer.
        #expect(ask(&machine, 5) == [.lease(connection: 1, request: 5)])
    }

    @Test("10 callers on a pool of 3: 3 connections are opened, counting those still opening, never a 4th")
    func sizeIsBounded() {
        var machine = Machine(maxConnections: 3)
        let opened = (1...10).flatMap { ask(&machine, $0) }.filter { if case .open = $0 { true } else { false } }
        #expect(opened == [.open(1), .open(2), .open(3)])
        #expect(usage(machine) == [3, 0, 10])
        for connection in 1...3 { _ = machine.connectionOpened(connection) }
        #expect(usage(machine) == [3, 0, 7])
        #expect(steps(machine.connectionReturned(1)) == [.lease(connection: 1, request: 4)])
        #expect(usage(machine) == [3, 0, 6])
    }

    @Test("a waiting caller fails exactly when its deadline passes, not a nanosecond before")
    func timeoutAtTheDeadline() {
        var machine = holding(maxConnections: 1)
        #expect(ask(&machine, 2) == [.timer(2, at: .milliseconds(300))])
        clock.advance(by: .milliseconds(300) - .nanoseconds(1))
        // A timer that fires early only sets itself again.
        #expect(steps(machine.timerFired(2, now: clock.now)) == [.timer(2, at: .milliseconds(300))])
        #expect(usage(machine) == [1, 0, 1])
        clock.advance(by: .nanoseconds(1))
        #expect(steps(machine.timerFired(2, now: clock.now)) == [.fail(2, "timed out")])
        #expect(usage(machine) == [1, 0, 0])
        // The connection coming back goes idle, not to the caller who gave up.
        #expect(steps(machine.connectionReturned(1)) == [])
        #expect(steps(machine.timerFired(2, now: clock.now)) == [])
    }

    @Test("a connection found closed by the server at hand-over is closed and replaced, and its caller keeps its place")
    func brokenAtHandOverIsReplaced() {
        var machine = holding(maxConnections: 1)
        _ = machine.connectionReturned(1)
        let actions = machine.leaseRequested(2, deadline: clock.now.advanced(by: wait))
        guard case .lease(1, let waiter) = actions.first else {
            Issue.record("expected connection 1 to be handed to caller 2, got \(steps(actions))")
            return
        }
        #expect(ask(&machine, 3) == [.timer(3, at: wait)])
        #expect(steps(machine.connectionBroken(1, handingTo: waiter)) == [.close(1), .open(2), .timer(2, at: wait)])
        #expect(usage(machine) == [1, 0, 2])
        #expect(steps(machine.connectionOpened(2)) == [.lease(connection: 2, request: 2)])
    }

    @Test("a connection that broke in use is closed, and replaced for the caller waiting")
    func brokenInUseIsReplaced() {
        var machine = holding(maxConnections: 1)
        _ = ask(&machine, 2)
        #expect(steps(machine.connectionBroken(1)) == [.close(1), .open(2)])
        #expect(steps(machine.connectionOpened(2)) == [.lease(connection: 2, request: 2)])
        // With nobody waiting, none is opened in advance.
        #expect(steps(machine.connectionBroken(2)) == [.close(2)])
        #expect(usage(machine) == [0, 0, 0])
    }

    @Test("a failed open fails the caller with the server's reason; the next caller gets an attempt of its own")
    func failedOpenFailsTheWaiter() {
        var machine = Machine(maxConnections: 1)
        #expect((1...2).flatMap { ask(&machine, $0) } == [.open(1), .timer(1, at: wait), .timer(2, at: wait)])
        let reason = PGError(.connection, message: "cannot connect to PostgreSQL: no such file or directory")
        #expect(steps(machine.connectionOpenFailed(1, reason)) == [.fail(1, "\(reason)"), .open(2)])
        #expect(steps(machine.connectionOpenFailed(2, reason)) == [.fail(2, "\(reason)")])
        #expect(usage(machine) == [0, 0, 0])
    }

    @Test("a cancelled caller leaves the queue; the connection goes to the next")
    func cancelledWaiterLeaves() {
        var machine = holding(maxConnections: 1)
        _ = ask(&machine, 2)
        _ = ask(&machine, 3)
        #expect(steps(machine.leaseCancelled(2)) == [.fail(2, "cancelled")])
        #expect(steps(machine.connectionReturned(1)) == [.lease(connection: 1, request: 3)])
    }

    @Test("shutdown fails every waiting caller, and closes the other connections as they open or come back")
    func shutdownFailsWaiters() {
        var machine = holding(maxConnections: 2)
        _ = ask(&machine, 2)
        _ = ask(&machine, 3)
        #expect(steps(machine.shutdown()) == [.fail(2, "pool closed"), .fail(3, "pool closed")])
        #expect(ask(&machine, 4) == [.fail(4, "pool closed")])
        #expect(steps(machine.connectionOpened(2)) == [.close(2)])
        #expect(steps(machine.connectionReturned(1)) == [.close(1)])
        #expect(usage(machine) == [0, 0, 0])
    }

    @Test("shutdown closes idle connections at once")
    func shutdownClosesIdle() {
        var machine = Machine(maxConnections: 3)
        for request in 1...3 { _ = ask(&machine, request) }
        for connection in 1...3 { _ = machine.connectionOpened(connection) }
        _ = machine.connectionReturned(1)
        _ = machine.connectionReturned(3)
        #expect(steps(machine.shutdown()) == [.close(1), .close(3)])
        #expect(usage(machine) == [1, 0, 0])
        #expect(steps(machine.connectionBroken(2)) == [.close(2)])
    }
}
