import CLibPQ
import Foundation
import Glibc
import Synchronization

/// Tells waiting tasks when a socket becomes readable or writable (Linux epoll), so that a
/// non-blocking libpq exchange can wait for the server without holding a thread.
///
/// One thread waits on every registered socket. It never touches libpq: it only resumes the task
/// that asked, which then reads the answer on its own thread. A socket is registered one-shot per
/// wait, and a given socket has at most one waiter, since a connection has one owner at a time.
final class SocketReadiness: Sendable {
    static let shared = SocketReadiness()

    private let epoll: Int32
    private let waiters = Mutex<[Int32: CheckedContinuation<Void, any Error>]>([:])

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        let thread = Thread { [self] in run() }
        thread.name = "factor-risk-pg-wait"
        thread.start()
    }

    /// Returns once `socket` is readable (or writable too, with `writable`), or has failed:
    /// the caller then learns what happened from libpq.
    func wait(_ socket: Int32, writable: Bool = false) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiters.withLock { $0[socket] = continuation }
            var interest = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
            if writable { interest |= EPOLLOUT.rawValue }
            var event = epoll_event(events: interest, data: epoll_data_t(fd: socket))
            // A socket closed since its last wait has left the set by itself: add it again.
            var status = epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event)
            if status != 0 && errno == ENOENT { status = epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) }
            if status != 0 {
                let code = errno
                let waiter = waiters.withLock { $0.removeValue(forKey: socket) }
                waiter?.resume(throwing: PGError(.connectionLost, message: "cannot wait for the database socket: \(String(cString: strerror(code)))"))
            }
        }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait failed: errno \(errno)")
            }
            let ready = events[0..<Int(count)].map { $0.data.fd }
            let resumed = waiters.withLock { waiters in ready.compactMap { waiters.removeValue(forKey: $0) } }
            for waiter in resumed { waiter.resume() }
        }
    }
}
