/// A tenant as `tenant list` and `tenant show` describe it: its settings and how many rows of
/// each table of its portfolio are loaded.
public struct TenantSummary: Sendable {
    public var scope: TenantScope
    public var ref: String
    public var name: String
    public var baseCurrency: String
    /// The base currency's minor digits.
    public var exponent: Int
    public var homeCountry: String
    public var ownFunds: Int64
    /// Rows per table of the portfolio, in `TenantSummary.tables` order.
    public var rows: [Int]

    /// The tables of a tenant's portfolio, in the order they are shown.
    public static let tables = ["countries", "clients", "debtors", "approvals", "documents", "fx_rates"]
}

/// The tenants of the deployment.
public protocol TenantStore: Sendable {
    /// The tenant whose reference is `ref`, or nil.
    func named(_ ref: String) async throws -> TenantScope?
    /// Every tenant's reference, in byte order.
    func refs() async throws -> [String]
    /// Every tenant, in byte order of reference; `summary(_:)` for one.
    func summaries() async throws -> [TenantSummary]
    /// One tenant, or nil when none has that reference.
    func summary(_ ref: String) async throws -> TenantSummary?
}

/// The tenants of a PostgreSQL database.
public struct PostgresTenantStore: TenantStore {
    let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    public func named(_ ref: String) async throws -> TenantScope? {
        try await pool.withConnection { try TenantScope.named(ref, on: $0) }
    }

    public func refs() async throws -> [String] {
        try await pool.withConnection { connection in
            try connection.query("SELECT tenant_ref FROM tenants ORDER BY tenant_ref COLLATE \"C\"").rows.map { try $0.decode(at: 0) }
        }
    }

    public func summaries() async throws -> [TenantSummary] {
        try await pool.withConnection { try Self.summaries($0, ref: nil) }
    }

    public func summary(_ ref: String) async throws -> TenantSummary? {
        try await pool.withConnection { try Self.summaries($0, ref: ref).first }
    }

    /// Every tenant, or the one named `ref`, with its row counts: the directory, then one statement
    /// that counts the rows of every table by tenant.
    ///
    /// The counts are grouped by `tenant_id` and filtered on the tenants listed, not correlated to
    /// the directory's rows: under Citus the directory is a reference table, and a subquery
    /// correlated to it cannot be sent to the shards.
    private static func summaries(_ connection: PGConnection, ref: String?) throws -> [TenantSummary] {
        let tenants = try connection.query("""
            SELECT t.tenant_id, t.tenant_ref, t.name, t.base_currency, c.exponent, t.home_country, t.own_funds
            FROM tenants t JOIN currencies c ON c.currency = t.base_currency
            WHERE $1::text IS NULL OR t.tenant_ref = $1
            ORDER BY t.tenant_ref COLLATE "C"
            """, [ref]).rows
        guard !tenants.isEmpty else { return [] }
        let ids = try tenants.map { try $0.decode(Int64.self, at: 0) }
        let counted = TenantSummary.tables.enumerated().map { index, table in
            "SELECT \(index) AS position, tenant_id, count(*) FROM \(table) WHERE tenant_id = ANY ($1::bigint[]) GROUP BY tenant_id"
        }
        var counts: [Int64: [Int]] = [:]
        for row in try connection.query(counted.joined(separator: "\nUNION ALL\n"), [PGBigintArray(ids)]).rows {
            let (position, tenant, count): (Int, Int64, Int) = (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2))
            counts[tenant, default: Array(repeating: 0, count: TenantSummary.tables.count)][position] = count
        }
        return try tenants.map { row in
            let id: Int64 = try row.decode(at: 0)
            return TenantSummary(
                scope: TenantScope(id: id), ref: try row.decode(at: 1), name: try row.decode(at: 2),
                baseCurrency: try row.decode(at: 3), exponent: try row.decode(at: 4), homeCountry: try row.decode(at: 5),
                ownFunds: try row.decode(at: 6), rows: counts[id] ?? Array(repeating: 0, count: TenantSummary.tables.count))
        }
    }
}
