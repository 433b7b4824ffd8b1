/// The role tenant-scoped work runs as. It owns no table, so row-level security applies to it
/// (owners bypass RLS). Created by the first migration.
public let serviceRoleName = "factor_risk_app"

extension PGConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try transaction(beginning: "BEGIN", body)
    }

    /// A transaction opened by `begin`: BEGIN and what must follow it at once, in one round trip.
    private func transaction<T>(beginning begin: String, _ body: (PGConnection) throws -> T) throws -> T {
        do {
            try execute(begin)
        } catch {
            rollbackQuietly()
            throw error
        }
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

    /// Runs `body` in a transaction scoped to one tenant (`TenantScope.prologue`): as the service
    /// role, with `app.tenant_id` set for row-level security.
    ///
    /// Queries inside still filter on `tenant_id = $1` themselves, so that a distributed planner
    /// routes them to one shard.
    @discardableResult
    public func tenantTransaction<T>(_ tenantID: Int64, _ body: (PGConnection) throws -> T) throws -> T {
        // One round trip: a request's transaction costs what its own statements cost, plus COMMIT.
        try transaction(beginning: (["BEGIN"] + TenantScope(id: tenantID).prologue).joined(separator: "; "), body)
    }

    private func rollbackQuietly() {
        guard isHealthy, inTransaction else { return }
        _ = try? execute("ROLLBACK")
    }
}
