/// One tenant's way into the database: the one place that scopes a transaction to a tenant (the
/// service role, and `app.tenant_id` for row-level security), turns a tenant's reference into
/// its id, and names the advisory locks taken for it.
///
/// **Advisory lock keys** share one space of 64-bit keys: the high 32 bits say what the lock is
/// for (four ASCII letters, `Lock`), the low 32 bits are the tenant id (masked, so no key of one
/// purpose can equal a key of another). The migrations' lock (`Migrator.lockKey`, "fact") is in
/// the same space and names no tenant.
public struct TenantScope: Sendable, Hashable {
    /// The tenant's id (`tenants.tenant_id`).
    public let id: Int64

    public init(id: Int64) { self.id = id }

    /// What a tenant's advisory lock orders.
    public enum Lock: UInt32, Sendable, CaseIterable {
        /// One recalculation of the tenant at a time ("RECA").
        case recalculation = 0x5245_4341
        /// Builders of the live aggregates (exclusive) against the writers that move them (shared) ("LIVE").
        case live = 0x4C49_5645
        /// One writer of bundle rows at a time: an import, or a batch of `POST /v1/documents`,
        /// whose merge decides which rows are new before inserting them ("FRIM").
        case importing = 0x4652_494D
        /// One what-if scenario or ranking of the worst single defaults at a time, across servers:
        /// each costs as much as a recalculation, so a second one is refused, never queued ("WHIF").
        case scenario = 0x5748_4946
    }

    /// How a lock is taken; every lock is held until the transaction ends.
    public enum LockMode: Sendable {
        /// Waits for every other holder.
        case exclusive
        /// Waits only for an exclusive holder.
        case shared
        /// Takes it only if nobody holds it, at once.
        case tryExclusive
    }

    /// The key of the tenant's `lock`.
    public func key(_ lock: Lock) -> Int64 { Int64(lock.rawValue) << 32 | (id & 0xFFFF_FFFF) }

    /// Takes the tenant's `lock` for the rest of the transaction; false only when `tryExclusive`
    /// found it held.
    @discardableResult
    public func lock(_ lock: Lock, _ mode: LockMode = .exclusive, on connection: PGConnection) throws -> Bool {
        guard case .statement(let sql, let parameters) = lockStep(lock, mode) else { preconditionFailure("a lock is a plain statement") }
        let result = try connection.query(sql, parameters)
        return mode == .tryExclusive ? try result.first?.decode(Bool.self, at: 0) ?? false : true
    }

    /// The statement that takes the tenant's `lock`, as a step of a pipeline, so that a short write
    /// sends it with the statements that follow it in one round trip.
    public func lockStep(_ lock: Lock, _ mode: LockMode = .exclusive) -> PGConnection.PipelineStep {
        let function = switch mode {
        case .exclusive: "pg_advisory_xact_lock"
        case .shared: "pg_advisory_xact_lock_shared"
        case .tryExclusive: "pg_try_advisory_xact_lock"
        }
        return .statement("SELECT \(function)($1)", [key(lock)])
    }

    /// Sets the service role for the rest of the transaction.
    static let serviceRole = "SET LOCAL ROLE \(serviceRoleName)"

    /// The statements that scope the transaction just begun to the tenant, in order: the service
    /// role (which owns no table, so row-level security applies) and the tenant setting the
    /// policies read. Both are `SET LOCAL`: nothing outlives the transaction. The id is rendered
    /// from an integer (SET takes no bind parameter).
    public var prologue: [String] { [Self.serviceRole, tenantSetting] }

    /// The statements that scope a bulk write of the tenant's rows (`PGConnection.tenantBulkTransaction`):
    /// the tenant setting, the role staying the one that logged in (the tables' owner).
    ///
    /// Under Citus, an ANALYZE of a distributed table is sent to its shards as a command of their
    /// own, which Citus refuses in parallel once the transaction has read `tenants` (a reference
    /// table the shards have a foreign key to); sequential mode lets the bulk writes ANALYZE what
    /// they wrote. Every other statement of a bulk write names one tenant, so it goes to one shard
    /// and the mode changes nothing for it. On PostgreSQL alone the setting is inert.
    public var bulkPrologue: [String] { [tenantSetting, "SET LOCAL citus.multi_shard_modify_mode = 'sequential'"] }

    private var tenantSetting: String { "SET LOCAL app.tenant_id = '\(id)'" }

    /// The tenant's own number series (migration 0006): its ids tell nothing of other tenants.
    public enum Counter: String, Sendable {
        case apiKey = "api_key"
        case limitDecision = "limit_decision"
    }

    /// Takes the next number of the tenant's `counter`; the counter's row lock orders concurrent
    /// takers until the transaction ends. One statement with parameters and no CTE, so that Citus
    /// routes it to the tenant's shard under row-level security (a data-modifying CTE feeding an
    /// INSERT becomes a COPY there, which row-level security refuses).
    func nextID(_ counter: Counter, on connection: PGConnection) throws -> Int64 {
        try connection.query("""
            INSERT INTO tenant_counters (tenant_id, counter, last_value) VALUES ($1, $2, 1)
            ON CONFLICT (tenant_id, counter) DO UPDATE SET last_value = tenant_counters.last_value + 1
            RETURNING last_value
            """, [id, counter.rawValue]).first!.decode(Int64.self, at: 0)
    }

    /// The tenant whose reference is `ref`, or nil when there is none.
    public static func named(_ ref: String, on connection: PGConnection) throws -> TenantScope? {
        try connection.query("SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [ref]).first
            .map { TenantScope(id: try $0.decode(Int64.self, at: 0)) }
    }
}
