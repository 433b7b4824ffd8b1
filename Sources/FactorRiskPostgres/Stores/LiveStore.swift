import FactorRiskCore

/// A live answer and the tenant's settings it was computed with.
public struct LiveAnswer<Value: Sendable>: Sendable {
    public var settings: TenantSettings
    /// Nil when the tenant has no such debtor or client.
    public var value: Value?
}

/// The tenant a key names no longer exists.
public struct TenantGone: Error, Sendable {}

/// Live answers on the data as it is now (see `LiveEngine`), one tenant at a time.
public protocol LiveStore: Sendable {
    /// A debtor's live row, group, country and pairs.
    func debtorExposure(_ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String) async throws -> LiveAnswer<LiveEngine.DebtorExposure>
    /// What the purchase check needs: the debtor's live exposure and the selling client.
    func purchase(
        _ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String, clientRef: String
    ) async throws -> LiveAnswer<(exposure: LiveEngine.DebtorExposure?, client: Portfolio.Client?)>
    /// A client's live row with its funding waterfall.
    func clientAvailability(_ tenant: TenantScope, asOf date: CalendarDate, clientRef: String) async throws -> LiveAnswer<RiskReport.ClientRow>
}

/// The live answers from the live aggregates of a PostgreSQL database.
public struct PostgresLiveStore: LiveStore {
    let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    public func debtorExposure(_ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String) async throws -> LiveAnswer<LiveEngine.DebtorExposure> {
        let (settings, exposure) = try await LiveEngine.readDebtor(pool, tenantID: tenant.id, asOf: date, debtorRef: debtorRef)
        guard let settings else { throw TenantGone() }
        return LiveAnswer(settings: settings, value: exposure)
    }

    public func purchase(
        _ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String, clientRef: String
    ) async throws -> LiveAnswer<(exposure: LiveEngine.DebtorExposure?, client: Portfolio.Client?)> {
        try await prepared(tenant, date) { connection, settings in
            (try LiveEngine.debtorExposure(connection, settings: settings, asOf: date, debtorRef: debtorRef),
             try LiveEngine.client(connection, tenantID: tenant.id, clientRef: clientRef))
        }
    }

    public func clientAvailability(_ tenant: TenantScope, asOf date: CalendarDate, clientRef: String) async throws -> LiveAnswer<RiskReport.ClientRow> {
        try await prepared(tenant, date) { connection, settings in
            try LiveEngine.clientAvailability(connection, settings: settings, asOf: date, clientRef: clientRef)
        }
    }

    /// Runs `body` in the tenant's transaction with the live state of `date` brought up to date.
    private func prepared<T: Sendable>(
        _ tenant: TenantScope, _ date: CalendarDate, _ body: @escaping @Sendable (PGConnection, TenantSettings) throws -> T?
    ) async throws -> LiveAnswer<T> {
        try await pool.tenantTransaction(tenant.id) { connection in
            guard let settings = try LiveEngine.prepare(connection, tenantID: tenant.id, asOf: date) else { throw TenantGone() }
            return LiveAnswer(settings: settings, value: try body(connection, settings))
        }
    }
}
