import FactorRiskCore

/// What an API key may do. Each role includes the ones before it.
public enum APIRole: String, Sendable, CaseIterable, Comparable {
    /// Live answers, reports and flags.
    case read
    /// And the writes: documents, credit limits, approvals.
    case write
    /// And the audit trail of limit decisions.
    case admin

    public static func < (a: APIRole, b: APIRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Who a request comes from: the tenant and role of the key it presented.
public struct APIIdentity: Sendable, Equatable {
    public var tenantID: Int64
    public var tenantRef: String
    public var keyID: Int64
    public var role: APIRole
    public var label: String

    /// The key's tenant, to scope what the request reads and writes.
    public var tenant: TenantScope { TenantScope(id: tenantID) }

    /// How the audit trail names the author of a decision.
    public var author: String { label.isEmpty ? "key \(keyID)" : "key \(keyID) (\(label))" }
}

/// API keys: created with a random secret shown once, stored as the secret's SHA-256, revoked by id.
///
/// A token reads `frk_<tenant_id>_<key_id>_<secret>`: the ids let the lookup run as that tenant,
/// under row-level security, on the key's primary key; the secret is 32 random bytes in hex.
public enum APIKeys {
    public struct Key: Sendable {
        public var keyID: Int64
        public var role: APIRole
        public var label: String
        public var createdAt: String
        public var revokedAt: String?
    }

    /// Creates a key and returns it with its token, which is not stored and cannot be shown again.
    public static func create(_ connection: PGConnection, tenantID: Int64, role: APIRole, label: String) throws -> (Key, token: String) {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 15, radix: 16)
        }.joined()
        let keyID = try TenantScope(id: tenantID).nextID(.apiKey, on: connection)
        // The creation time comes back as stored, with no function applied (Citus refuses a
        // function in RETURNING that is not immutable): its text is the one `list` shows.
        let row = try connection.query("""
            INSERT INTO api_keys (tenant_id, key_id, token_sha256, role, label)
            VALUES ($1, $2, sha256(convert_to($3, 'UTF8')), $4, $5)
            RETURNING created_at
            """, [tenantID, keyID, secret, role.rawValue, label]).first!
        let key = Key(keyID: keyID, role: role, label: label, createdAt: try row.decode(at: 0), revokedAt: nil)
        return (key, "frk_\(tenantID)_\(key.keyID)_\(secret)")
    }

    public static func list(_ connection: PGConnection, tenantID: Int64) throws -> [Key] {
        try connection.query("""
            SELECT key_id, role, label, created_at::text, revoked_at::text FROM api_keys WHERE tenant_id = $1 ORDER BY key_id
            """, [tenantID]).rows.map { row in
            Key(keyID: try row.decode(at: 0), role: APIRole(rawValue: try row.decode(at: 1)) ?? .read, label: try row.decode(at: 2),
                createdAt: try row.decode(at: 3), revokedAt: try row.decode(at: 4))
        }
    }

    /// Revokes a key; false when the tenant has no such key or it was already revoked.
    public static func revoke(_ connection: PGConnection, tenantID: Int64, keyID: Int64) throws -> Bool {
        try connection.query(
            "UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND key_id = $2 AND revoked_at IS NULL", [tenantID, keyID]
        ).affectedRows == 1
    }

    /// The parts of a token, or nil when it is not shaped like one of ours.
    public static func parse(_ token: some StringProtocol) -> (tenantID: Int64, keyID: Int64, secret: String)? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "frk", let tenant = Int64(parts[1]), tenant > 0, let key = Int64(parts[2]), key > 0,
            parts[3].count == 64, parts[3].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        return (tenant, key, String(parts[3]))
    }

    /// The identity of a valid, unrevoked token; nil otherwise. Runs as the token's tenant.
    public static func authenticate(_ connection: PGConnection, token: some StringProtocol) throws -> APIIdentity? {
        guard let (tenantID, keyID, secret) = parse(token) else { return nil }
        return try connection.tenantTransaction(tenantID) { connection in
            guard let row = try connection.query("""
                SELECT k.role, k.label, t.tenant_ref FROM api_keys k JOIN tenants t ON t.tenant_id = k.tenant_id
                WHERE k.tenant_id = $1 AND k.key_id = $2 AND k.token_sha256 = sha256(convert_to($3, 'UTF8')) AND k.revoked_at IS NULL
                """, [tenantID, keyID, secret]).first,
                let role = APIRole(rawValue: try row.decode(at: 0))
            else { return nil }
            return APIIdentity(tenantID: tenantID, tenantRef: try row.decode(at: 2), keyID: keyID, role: role, label: try row.decode(at: 1))
        }
    }
}
