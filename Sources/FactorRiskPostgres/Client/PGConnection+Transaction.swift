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

    /// Runs `body` in a transaction that writes one tenant's rows in bulk (`TenantScope.bulkPrologue`):
    /// as the role that logged in, which owns the tables, so row-level security does not restrict it.
    ///
    /// Under Citus a bulk write (an `INSERT … SELECT` from a temporary table or a CTE) becomes a
    /// COPY into the shards, which row-level security refuses. Every statement run here filters on
    /// `tenant_id` itself, which is what keeps it to its tenant; `TenantBulkWriteTests` proves it with
    /// tenants that share every reference. Nothing the API or the reports serve is read here: those
    /// reads run under `tenantTransaction`. The transaction stays one role from start to end, since
    /// Citus refuses to touch, as one role, the shards another wrote in the same transaction.
    @discardableResult
    public func tenantBulkTransaction<T>(_ tenantID: Int64, _ body: (PGConnection) throws -> T) throws -> T {
        try transaction(beginning: (["BEGIN"] + TenantScope(id: tenantID).bulkPrologue).joined(separator: "; "), body)
    }

    private func rollbackQuietly() {
        guard isHealthy, inTransaction else { return }
        _ = try? execute("ROLLBACK")
    }
}
