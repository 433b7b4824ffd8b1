/// API keys (see `APIKeys`): the lookup behind every request, and the keys a tenant holds.
public protocol KeyStore: Sendable {
    /// The identity a token stands for; nil when it is not a key, or a revoked one.
    func authenticate(_ token: String) async throws -> APIIdentity?
    /// A new key of the tenant; its token is returned once and never stored.
    func create(_ tenant: TenantScope, role: APIRole, label: String) async throws -> (APIKeys.Key, token: String)
    /// The tenant's keys, revoked ones included.
    func list(_ tenant: TenantScope) async throws -> [APIKeys.Key]
    /// Revokes a key of the tenant; false when the tenant has no such key.
    func revoke(_ tenant: TenantScope, keyID: Int64) async throws -> Bool
}

/// The API keys stored in a PostgreSQL database.
public struct PostgresKeyStore: KeyStore {
    let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    public func authenticate(_ token: String) async throws -> APIIdentity? {
        try await pool.withConnection { try APIKeys.authenticate($0, token: token) }
    }

    public func create(_ tenant: TenantScope, role: APIRole, label: String) async throws -> (APIKeys.Key, token: String) {
        try await pool.tenantTransaction(tenant.id) { try APIKeys.create($0, tenantID: tenant.id, role: role, label: label) }
    }

    public func list(_ tenant: TenantScope) async throws -> [APIKeys.Key] {
        try await pool.tenantTransaction(tenant.id) { try APIKeys.list($0, tenantID: tenant.id) }
    }

    public func revoke(_ tenant: TenantScope, keyID: Int64) async throws -> Bool {
        try await pool.tenantTransaction(tenant.id) { try APIKeys.revoke($0, tenantID: tenant.id, keyID: keyID) }
    }
}
