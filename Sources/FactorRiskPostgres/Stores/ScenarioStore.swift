import FactorRiskCore
import Foundation
import Synchronization

/// What-if scenarios (RULEBOOK.md §9.4) of one tenant on its data as it is now: a scenario against
/// the baseline, and the worst single defaults. Each costs about as much as a recalculation of the
/// tenant, so one runs at a time per tenant, across every process and server: a second one is
/// refused at once (`ScenarioRefusal.busy`), not queued behind the first.
public protocol ScenarioStore: Sendable {
    /// `scenario` of the tenant as of `date`: its outcome against the baseline and its report.
    /// `saveAs` keeps the scenario's snapshot under that name (`ScenarioEngine.run`); `timeout`
    /// bounds each statement of the computation (`ScenarioRefusal.timedOut`), nil: no bound. A defaulted group
    /// the tenant does not have is refused (`ScenarioRefusal.unknownGroups`) before anything runs.
    func run(_ tenant: TenantScope, asOf date: CalendarDate, scenario: Scenario, saveAs: String?, timeout: Duration?)
        async throws -> (outcome: ScenarioOutcome, report: RiskReport)
    /// The `limit` worst single defaults of the tenant as of `date`, with the tenant's base currency.
    func worst(_ tenant: TenantScope, asOf date: CalendarDate, limit: Int, timeout: Duration?)
        async throws -> (currency: Currency, rows: [WorstDefault])
}

/// The scenarios of a PostgreSQL database, computed by `ScenarioEngine` in one tenant transaction
/// under the tenant's scenario lock (`TenantScope.Lock.scenario`), taken without waiting.
public final class PostgresScenarioStore: ScenarioStore {
    let pool: PGPool
    /// The tenants with a scenario or ranking running from this process. A second request of the
    /// same tenant is refused here, before it takes a connection of the pool: it neither waits for
    /// one behind the first nor holds one that other requests need.
    private let running = Mutex<Set<Int64>>([])

    public init(pool: PGPool) { self.pool = pool }

    public func run(
        _ tenant: TenantScope, asOf date: CalendarDate, scenario: Scenario, saveAs: String?, timeout: Duration?
    ) async throws -> (outcome: ScenarioOutcome, report: RiskReport) {
        // The run writes the scenario's snapshot variants (and reads them back) as a bulk write.
        try await exclusively(tenant, bulk: true, timeout: timeout, defaulted: scenario.defaulted) { connection in
            try ScenarioEngine.run(connection, tenantID: tenant.id, asOf: date, scenario: scenario, saveAs: saveAs)
        }
    }

    public func worst(
        _ tenant: TenantScope, asOf date: CalendarDate, limit: Int, timeout: Duration?
    ) async throws -> (currency: Currency, rows: [WorstDefault]) {
        try await exclusively(tenant, bulk: false, timeout: timeout, defaulted: []) { connection in
            guard let settings = try TenantSettings.load(connection, tenantID: tenant.id) else { throw TenantGone() }
            let rows = try ScenarioEngine.worst(connection, tenantID: tenant.id, asOf: date, limit: limit)
            return (currency: settings.tenant.baseCurrency, rows: rows)
        }
    }

    /// How a run names its session (`application_name`), so that a refused one can say whose run it met.
    static var sessionName: String {
        "factor-risk scenario (pid \(ProcessInfo.processInfo.processIdentifier) on \(ProcessInfo.processInfo.hostName))"
    }

    /// `body` in a transaction of `tenant` (a bulk one with `bulk`, `PGConnection.tenantBulkTransaction`;
    /// else under row-level security), once the `defaulted` groups are known to be the tenant's and
    /// its scenario lock is held; each statement of the transaction may take `timeout` at most
    /// (`statement_timeout`: the engine's work is one statement or a few).
    private func exclusively<T: Sendable>(
        _ tenant: TenantScope, bulk: Bool, timeout: Duration?, defaulted: [String], _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        guard running.withLock({ $0.insert(tenant.id).inserted }) else { throw ScenarioRefusal(.busy(holder: nil)) }
        defer { _ = running.withLock { $0.remove(tenant.id) } }
        let name = Self.sessionName
        do {
            let scoped: @Sendable (PGConnection) throws -> T = { connection in
                if let timeout {
                    // A whole number of milliseconds, rendered from an integer (SET takes no bind parameter).
                    let (seconds, attoseconds) = timeout.components
                    try connection.execute("SET LOCAL statement_timeout = \(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))")
                }
                // A process that vanishes mid-run releases the lock within a second, as a recalculation does.
                try connection.query(
                    "SELECT set_config('client_connection_check_interval', $1, true), set_config('application_name', $2, true)",
                    [Recalculation.clientCheckInterval, name])
                let unknown = try Self.unknownGroups(connection, tenantID: tenant.id, defaulted)
                guard unknown.isEmpty else { throw ScenarioRefusal(.unknownGroups(unknown)) }
                guard try tenant.lock(.scenario, .tryExclusive, on: connection) else {
                    // Who holds it is visible to the session's own user only (the transaction then rolls back).
                    if !bulk { try connection.execute("RESET ROLE") }
                    throw ScenarioRefusal(.busy(holder: try tenant.holder(of: .scenario, on: connection)?.description))
                }
                return try body(connection)
            }
            return try await bulk ? pool.tenantBulkTransaction(tenant.id, scoped) : pool.tenantTransaction(tenant.id, scoped)
        } catch let error as PGError where error.sqlState == "57014" && !Task.isCancelled {
            // 57014 is a cancelled statement: with no task cancelled, it was the statement timeout.
            guard let timeout else { throw error }
            throw ScenarioRefusal(.timedOut(timeout))
        }
    }

    /// The references of `refs` that name no group of the tenant (RULEBOOK.md §4.6), in their order.
    static func unknownGroups(_ connection: PGConnection, tenantID: Int64, _ refs: [String]) throws -> [String] {
        guard !refs.isEmpty else { return [] }
        let known = Set(try connection.query("""
            SELECT DISTINCT coalesce(group_ref, debtor_ref) FROM debtors
            WHERE tenant_id = $1 AND coalesce(group_ref, debtor_ref) = ANY ($2::text[])
            """, [tenantID, refs]).rows.map { try $0.decode(String.self, at: 0) })
        return refs.filter { !known.contains($0) }
    }
}
