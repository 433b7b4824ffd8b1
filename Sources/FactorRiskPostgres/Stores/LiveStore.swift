import FactorRiskCore

/// A live answer and the tenant's settings it was computed with.
public struct LiveAnswer<Value: Sendable>: Sendable {
    public var settings: TenantSettings
    /// Nil when the tenant has no such debtor or client.
    public var value: Value?
}

/// The tenant a key names no longer exists.
public struct TenantGone: Error, Sendable {}

/// Asked before a request starts building a live state (the expensive part of a live answer);
/// what it throws refuses the request, so a caller can hold each key to a budget of builds.
public typealias LiveBuildAdmission = @Sendable () throws -> Void

/// Live answers on the data as it is now (see `LiveEngine`), one tenant at a time.
///
/// Every answer checks its date against `LiveDateRange` (`LiveDateOutOfRange`). A date with no
/// live state yet needs a build: `admit` is asked first, once per build (requests that arrive
/// while it runs wait for it and are not asked).
public protocol LiveStore: Sendable {
    /// A debtor's live row, group, country and pairs.
    func debtorExposure(
        _ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String, admit: @escaping LiveBuildAdmission
    ) async throws -> LiveAnswer<LiveEngine.DebtorExposure>
    /// What the purchase check needs: the debtor's live exposure and the selling client.
    func purchase(
        _ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String, clientRef: String, admit: @escaping LiveBuildAdmission
    ) async throws -> LiveAnswer<(exposure: LiveEngine.DebtorExposure?, client: Portfolio.Client?)>
    /// A client's live row with its funding waterfall.
    func clientAvailability(
        _ tenant: TenantScope, asOf date: CalendarDate, clientRef: String, admit: @escaping LiveBuildAdmission
    ) async throws -> LiveAnswer<RiskReport.ClientRow>
}

/// The live answers from the live aggregates of a PostgreSQL database.
public struct PostgresLiveStore: LiveStore {
    let pool: PGPool
    /// The builds this store runs, shared by the requests that need the same state.
    let builds = LiveBuilds()

    public init(pool: PGPool) { self.pool = pool }

    public func debtorExposure(
        _ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String, admit: @escaping LiveBuildAdmission
    ) async throws -> LiveAnswer<LiveEngine.DebtorExposure> {
        let (settings, exposure) = try await built(tenant, date, admit) { [pool] in
            try await LiveEngine.readDebtor(pool, tenantID: tenant.id, asOf: date, debtorRef: debtorRef)
        }
        guard let settings else { throw TenantGone() }
        return LiveAnswer(settings: settings, value: exposure)
    }

    public func purchase(
        _ tenant: TenantScope, asOf date: CalendarDate, debtorRef: String, clientRef: String, admit: @escaping LiveBuildAdmission
    ) async throws -> LiveAnswer<(exposure: LiveEngine.DebtorExposure?, client: Portfolio.Client?)> {
        try await prepared(tenant, date, admit) { connection, settings in
            (try LiveEngine.debtorExposure(connection, settings: settings, asOf: date, debtorRef: debtorRef),
             try LiveEngine.client(connection, tenantID: tenant.id, clientRef: clientRef))
        }
    }

    public func clientAvailability(
        _ tenant: TenantScope, asOf date: CalendarDate, clientRef: String, admit: @escaping LiveBuildAdmission
    ) async throws -> LiveAnswer<RiskReport.ClientRow> {
        try await prepared(tenant, date, admit) { connection, settings in
            try LiveEngine.clientAvailability(connection, settings: settings, asOf: date, clientRef: clientRef)
        }
    }

    /// Runs `body` in the tenant's transaction with the live state of `date` brought up to date.
    private func prepared<T: Sendable>(
        _ tenant: TenantScope, _ date: CalendarDate, _ admit: @escaping LiveBuildAdmission,
        _ body: @escaping @Sendable (PGConnection, TenantSettings) throws -> T?
    ) async throws -> LiveAnswer<T> {
        try await built(tenant, date, admit) { [pool] in
            try await pool.tenantTransaction(tenant.id) { connection in
                guard let settings = try LiveEngine.prepare(connection, tenantID: tenant.id, asOf: date, ifMissing: .fail, checkRange: true)
                else { throw TenantGone() }
                return LiveAnswer(settings: settings, value: try body(connection, settings))
            }
        }
    }

    /// `read`, after the state of `date` has been built when `read` found none: by this request
    /// (once `admit` lets it) or by the one already building it. A state dropped again before it
    /// could be read (other dates' builds evicted it) is built again, a few times at most.
    private func built<T>(
        _ tenant: TenantScope, _ date: CalendarDate, _ admit: @escaping LiveBuildAdmission, _ read: () async throws -> T
    ) async throws -> T {
        for _ in 0..<3 {
            do {
                return try await read()
            } catch is LiveStateMissing {
                do {
                    try await builds.build(tenantID: tenant.id, asOf: date, admit: admit) { [pool] in
                        // A bulk write of the tenant's live rows, in a transaction of its own: the read
                        // that follows runs under row-level security.
                        try await pool.tenantBulkTransaction(tenant.id) { connection in
                            _ = try LiveEngine.prepare(connection, tenantID: tenant.id, asOf: date, checkRange: true)
                        }
                    }
                } catch {
                    // Refused (or failed): a build that finished between this request's read and its
                    // turn may have made the state, and then the answer costs no build at all.
                    if let answer = try? await read() { return answer }
                    throw error
                }
            }
        }
        return try await read()
    }
}
