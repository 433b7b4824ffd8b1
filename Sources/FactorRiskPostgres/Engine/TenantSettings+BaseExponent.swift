extension TenantSettings {
    /// The minor digits of the tenant's base currency, which the amounts of its writes are read with;
    /// 2 when the tenant is not visible (its writes are then refused further on, as unknown rows).
    public static func baseExponent(_ pool: PGPool, tenantID: Int64) async throws -> Int {
        try await pool.tenantTransaction(tenantID) {
            try load($0, tenantID: tenantID)?.tenant.baseCurrency.exponent ?? 2
        }
    }
}
