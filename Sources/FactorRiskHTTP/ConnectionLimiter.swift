import Synchronization

/// Counts the server's open connections against a cap shared by every event loop.
///
/// Each accepted connection takes a place before it reads anything and gives it back when it closes;
/// past the cap a connection is answered 503 and closed at once, so a flood of sockets (idle or slow)
/// costs the server one short write each instead of a file descriptor and a task for as long as the
/// client cares to hold them. An atomic, because connections open and close on every event loop.
final class ConnectionLimiter: Sendable {
    /// The most connections open at once.
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        precondition(limit > 0, "a connection cap of \(limit) would refuse everyone")
        self.limit = limit
    }

    /// Takes a place, or answers false (and takes none) when all `limit` are taken.
    func acquire() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back a place taken by `acquire()`.
    func release() {
        open.subtract(1, ordering: .acquiringAndReleasing)
    }

    /// The connections open now.
    var count: Int { open.load(ordering: .relaxed) }
}
