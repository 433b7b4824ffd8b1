import FactorRiskCore
import Foundation

/// One nightly recalculation of one tenant: the lock, the engine, and what changed.
public struct Recalculation: Sendable {
    /// A breach flag on one subject (RULEBOOK.md §6: a failure of the portfolio to meet its limits).
    public struct Breach: Sendable, Hashable {
        public let level: String
        public let subject: String
        public let code: String
    }

    /// What a run found: counts, and the first few of what changed, so that what a run keeps in
    /// memory does not grow with the portfolio.
    public struct Outcome: Sendable {
        public let tenantRef: String
        public let asOf: CalendarDate
        /// How many subjects carry each breach flag, by code (codes without a breach are absent).
        public let breachCounts: [String: Int]
        /// The date of the snapshot compared with (the latest one before `asOf`), if any.
        public let previousAsOf: CalendarDate?
        /// How many breaches are new since `previousAsOf`, and how many of its breaches cleared.
        public let newCount: Int
        public let clearedCount: Int
        /// The first of them (by code, level, subject), at most the `listing` the run was given.
        public let newBreaches: [Breach]
        public let clearedBreaches: [Breach]
        public let seconds: Double

        /// Every breach of the snapshot, whatever its code.
        public var breachTotal: Int { breachCounts.values.reduce(0, +) }
    }

    /// `body`, with a figure out of range (SQLSTATE 22003) turned into a failure that says which
    /// tenant and what to look for: the run is rolled back, its previous snapshot stays whole.
    static func outOfRangeExplained<T>(_ tenantRef: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PGError where error.isOutOfRange {
            throw Refusal(description: """
                tenant \(tenantRef): a sum or a converted amount is beyond what the engine computes \
                (9,223,372,036,854,775,807 minor units); look for the largest amounts and exchange rates \
                of its documents (\(error.message))
                """)
        }
    }

    /// Why a run did not happen.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// How often the server checks, while the run's statements execute, that this process is still
    /// connected. A run killed outright (kill -9, a lost machine) sends no goodbye: without the
    /// check its server session would compute on to the end of the statement, holding the
    /// tenant's lock, and a rerun in that window would be refused.
    static let clientCheckInterval = "1s"

    /// How the run names its session (`application_name`), so that a refused rerun can say whose lock it met.
    static var sessionName: String {
        "factor-risk recalc (pid \(ProcessInfo.processInfo.processIdentifier) on \(ProcessInfo.processInfo.hostName))"
    }

    /// Recalculates `tenantRef` as of `date` in one transaction, under the tenant's advisory lock.
    ///
    /// With `wait` false a run already holding the lock makes this one refuse at once, saying whose
    /// run holds it; with `wait` true it waits for it. A failure or a cancellation rolls back: the
    /// previous snapshot stays whole. The server drops the run's session within about a second of
    /// this process vanishing (`clientCheckInterval`), which releases the lock.
    /// `listing` bounds the new and cleared breaches returned; their counts are always whole.
    /// `parallel` as `ProductionEngine.recalculate` takes it.
    @discardableResult
    public static func run(
        pool: PGPool, tenantRef: String, asOf date: CalendarDate, wait: Bool, listing: Int = 10, parallel: Bool = true
    ) async throws -> Outcome {
        let started = ContinuousClock.now
        guard let tenant = try await pool.withConnection({ try TenantScope.named(tenantRef, on: $0) }) else {
            throw Refusal(description: "no tenant \"\(tenantRef)\"")
        }
        let tenantID = tenant.id
        let name = sessionName
        let (previous, changes) = try await Self.outOfRangeExplained(tenantRef) {
            // A bulk write of the tenant's snapshot: every statement of the engine filters on the tenant's id.
            try await pool.tenantBulkTransaction(tenantID) { connection in
                try connection.query(
                    "SELECT set_config('client_connection_check_interval', $1, true), set_config('application_name', $2, true)",
                    [clientCheckInterval, name])
                guard try tenant.lock(.recalculation, wait ? .exclusive : .tryExclusive, on: connection) else {
                    let holder = try tenant.holder(of: .recalculation, on: connection)
                    throw Refusal(description: """
                        tenant \(tenantRef): another recalculation is running\(holder.map { " (\($0))" } ?? ""). \
                        A run killed a moment ago releases its lock within a few seconds: run again then, or pass --wait to wait for it.
                        """)
                }
                try ProductionEngine.recalculate(connection, tenantID: tenantID, asOf: date, parallel: parallel)
                let previous = try connection.query(
                    "SELECT max(as_of) FROM snapshots WHERE tenant_id = $1 AND as_of < $2 AND scenario = ''", [tenantID, date]
                ).first?.decode(CalendarDate?.self, at: 0)
                // Both snapshots compared are baselines (variant ''), never a saved scenario.
                return (previous, try connection.query(
                    SnapshotChanges.summary, [tenantID, date, previous, SnapshotChanges.breachCodes, "", "", Int64(listing)]).rows)
            }
        }
        var counts: [String: Int] = [:]
        var listed: [String: [Breach]] = [:]
        var totals: [String: Int] = [:]
        for row in changes {
            let kind: String = try row.decode(at: 0)
            let code: String = try row.decode(at: 1)
            switch kind {
            case "count": counts[code] = try row.decode(at: 4)
            case "new total", "cleared total": totals[kind] = try row.decode(at: 4)
            default: listed[kind, default: []].append(Breach(level: try row.decode(at: 2), subject: try row.decode(at: 3), code: code))
            }
        }
        let compared = previous != nil
        let elapsed = ContinuousClock.now - started
        return Outcome(
            tenantRef: tenantRef, asOf: date, breachCounts: counts, previousAsOf: previous,
            newCount: compared ? totals["new total"] ?? 0 : 0, clearedCount: compared ? totals["cleared total"] ?? 0 : 0,
            newBreaches: compared ? listed["new"] ?? [] : [], clearedBreaches: compared ? listed["cleared"] ?? [] : [],
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
