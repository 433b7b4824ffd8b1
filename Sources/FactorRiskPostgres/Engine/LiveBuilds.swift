import FactorRiskCore
import Synchronization

/// The live builds running in this process, one per (tenant, date): a request that finds no live
/// state joins the build already under way for it instead of starting one of its own.
///
/// Across processes the tenant's live lock serialises builders, and one that gets the lock after
/// another built the state finds it built and stops. Within a process this goes further: the
/// requests that wait hold no database connection (they await the build, not a lock on the
/// server), and only the request that starts a build is asked to `admit` it, so a budget of
/// builds per key counts builds, not the requests that waited for one.
public final class LiveBuilds: Sendable {
    struct Key: Hashable {
        let tenantID: Int64
        let date: CalendarDate
    }

    private let running = Mutex<[Key: Task<Void, any Error>]>([:])

    public init() {}

    /// Waits for the build of (`tenantID`, `date`) running in this process, or starts `build` when
    /// none is. `admit` is called only when this call starts the build, before it does; what it
    /// throws is thrown here and nothing starts. A failed build fails every request that waited for it.
    public func build(
        tenantID: Int64, asOf date: CalendarDate, admit: () throws -> Void, _ build: @escaping @Sendable () async throws -> Void
    ) async throws {
        let key = Key(tenantID: tenantID, date: date)
        let task = try running.withLock { running -> Task<Void, any Error> in
            if let task = running[key] { return task }
            try admit()
            // The task removes itself once done; it cannot before this closure has stored it (the lock is held).
            let task = Task {
                defer { self.running.withLock { _ = $0.removeValue(forKey: key) } }
                try await build()
            }
            running[key] = task
            return task
        }
        try await task.value
    }

    /// How many builds are running now.
    public var count: Int { running.withLock { $0.count } }
}
