import FactorRiskCore

/// Every store of the service over one pool of a PostgreSQL database: what the HTTP server and
/// the commands are handed, so that neither holds the pool itself.
public struct PostgresStores: Sendable {
    public let tenants: any TenantStore
    public let snapshots: any SnapshotStore
    public let live: any LiveStore
    public let keys: any KeyStore
    public let operations: any OperationsStore
    public let documents: any DocumentStore
    public let decisions: any DecisionStore
    public let scenarios: any ScenarioStore

    /// The pool the jobs below run on; only they and the stores use it.
    private let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
        tenants = PostgresTenantStore(pool: pool)
        snapshots = PostgresSnapshotStore(pool: pool)
        live = PostgresLiveStore(pool: pool)
        keys = PostgresKeyStore(pool: pool)
        operations = PostgresOperationsStore(pool: pool)
        documents = PostgresDocumentStore(pool: pool)
        decisions = PostgresDecisionStore(pool: pool)
        scenarios = PostgresScenarioStore(pool: pool)
    }

    /// The bundle loader (`import`, `seed`, `demo`): each load one transaction of its own.
    public func importer(maxIssues: Int = 50) -> BundleImporter { BundleImporter(pool: pool, maxIssues: maxIssues) }

    /// The nightly job for one tenant (see `Recalculation.run`).
    public func recalculate(
        _ tenantRef: String, asOf date: CalendarDate, wait: Bool, listing: Int = 10, parallel: Bool = true
    ) async throws -> Recalculation.Outcome {
        try await Recalculation.run(pool: pool, tenantRef: tenantRef, asOf: date, wait: wait, listing: listing, parallel: parallel)
    }
}
