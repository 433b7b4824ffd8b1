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

    public init(pool: PGPool) {
        tenants = PostgresTenantStore(pool: pool)
        snapshots = PostgresSnapshotStore(pool: pool)
        live = PostgresLiveStore(pool: pool)
        keys = PostgresKeyStore(pool: pool)
        operations = PostgresOperationsStore(pool: pool)
        documents = PostgresDocumentStore(pool: pool)
        decisions = PostgresDecisionStore(pool: pool)
    }
}
