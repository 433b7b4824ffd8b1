/// The role tenant-scoped work runs as. It owns no table, so row-level security applies to it
/// (owners bypass RLS). Created by the first migration.
public let serviceRoleName = "factor_risk_app"

extension PGConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            rollbackQuietly()
            throw error
        }
        return value
    }

    /// Runs `body` in a transaction scoped to one tenant: as the service role, with
    /// `app.tenant_id` set for row-level security, both `SET LOCAL` so that nothing outlives the transaction.
    ///
    /// The tenant id is rendered from an integer (SET takes no bind parameter); queries inside
    /// still filter on `tenant_id = $1` themselves, so that a distributed planner routes them to one shard.
    @discardableResult
    public func tenantTransaction<T>(_ tenantID: Int64, _ body: (PGConnection) throws -> T) throws -> T {
        try transaction { connection in
            try connection.execute("SET LOCAL ROLE \(serviceRoleName); SET LOCAL app.tenant_id = '\(tenantID)'")
            return try body(connection)
        }
    }

    private func rollbackQuietly() {
        guard isHealthy, inTransaction else { return }
        _ = try? execute("ROLLBACK")
    }
}
