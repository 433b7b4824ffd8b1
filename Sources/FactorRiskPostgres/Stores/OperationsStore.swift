import FactorRiskCore

/// What operators ask of the database behind the service: is its schema this build's, how busy
/// is the pool, when was each tenant last recalculated. Across tenants, as the owner: never
/// served under `/v1`.
public protocol OperationsStore: Sendable {
    /// The migrations applied and pending (`Migrator.Failure` when an applied one was edited).
    func migrationStatus() async throws -> Migrator.Report
    /// The pool's connections and waiters right now.
    var poolUsage: PGPool.Usage { get }
    /// Each tenant's latest snapshot: when it was computed (Unix time) and its date, by tenant id.
    /// Only the nightly job's baselines count: a saved what-if scenario is not a recalculation.
    ///
    /// By the numeric id, not the reference: `/metrics` prints these without credentials, and a
    /// tenant's reference is often its customer's name.
    func lastRecalculations() async throws -> [(tenantID: Int64, computedAt: Int64, asOf: CalendarDate)]
}

/// The operators' view of a PostgreSQL database and the pool in front of it.
public struct PostgresOperationsStore: OperationsStore {
    let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    public func migrationStatus() async throws -> Migrator.Report {
        try await pool.withConnection { try Migrator().status($0) }
    }

    public var poolUsage: PGPool.Usage { pool.usage }

    public func lastRecalculations() async throws -> [(tenantID: Int64, computedAt: Int64, asOf: CalendarDate)] {
        try await pool.withConnection { connection in
            try connection.query("""
                SELECT s.tenant_id, extract(epoch FROM max(s.computed_at))::bigint, max(s.as_of)
                FROM snapshots s WHERE s.scenario = '' GROUP BY s.tenant_id ORDER BY s.tenant_id
                """).rows.map { (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2)) }
        }
    }
}
