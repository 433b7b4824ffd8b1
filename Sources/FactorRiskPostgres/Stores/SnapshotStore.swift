import FactorRiskCore

/// There is no stored snapshot for the date asked (nil: the tenant has none at all).
public struct SnapshotMissing: Error, Sendable {
    public let date: CalendarDate?
}

/// One page of a stored level: the report's header with the page's rows, and where the next page starts.
public struct SnapshotPage: Sendable {
    public var report: RiskReport
    public var next: SnapshotLevel.Cursor?
}

/// The stored snapshots the nightly job writes, read one tenant at a time. Without a date, the
/// latest snapshot is read; without a snapshot, `SnapshotMissing` is thrown.
public protocol SnapshotStore: Sendable {
    /// One page of a row level (flag, sort and cursor as `SnapshotLevel.page`), or the portfolio
    /// with its flag counts.
    func page(
        _ tenant: TenantScope, asOf date: CalendarDate?, level: ReportLevel, flag: RiskFlag?, sort: String?, limit: Int,
        after cursor: SnapshotLevel.Cursor?
    ) async throws -> SnapshotPage
    /// Every flag of the snapshot, subject by subject (`ProductionEngine.flags`), with its date.
    func flags(_ tenant: TenantScope, asOf date: CalendarDate?) async throws -> (CalendarDate, [(subject: String, ref: String, flag: RiskFlag)])
    /// What the analysts' HTML page of the snapshot shows.
    func htmlInput(_ tenant: TenantScope, asOf date: CalendarDate) async throws -> HTMLReportInput
}

/// The snapshots stored in a PostgreSQL database.
public struct PostgresSnapshotStore: SnapshotStore {
    let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    public func page(
        _ tenant: TenantScope, asOf date: CalendarDate?, level: ReportLevel, flag: RiskFlag?, sort: String?, limit: Int,
        after cursor: SnapshotLevel.Cursor?
    ) async throws -> SnapshotPage {
        try await pool.tenantTransaction(tenant.id) { connection in
            var report = try Self.header(connection, tenant, date)
            guard let rows = SnapshotLevel.of(level) else {
                report.portfolio.flagsCount = try ProductionEngine.flagCounts(connection, tenantID: tenant.id, asOf: report.asOf)
                return SnapshotPage(report: report, next: nil)
            }
            let next = try rows.page(
                connection, tenantID: tenant.id, asOf: report.asOf, flag: flag, sort: sort, limit: limit, after: cursor, into: &report)
            return SnapshotPage(report: report, next: next)
        }
    }

    public func flags(
        _ tenant: TenantScope, asOf date: CalendarDate?
    ) async throws -> (CalendarDate, [(subject: String, ref: String, flag: RiskFlag)]) {
        try await pool.tenantTransaction(tenant.id) { connection in
            let date = try Self.header(connection, tenant, date).asOf
            return (date, try ProductionEngine.flags(connection, tenantID: tenant.id, asOf: date))
        }
    }

    public func htmlInput(_ tenant: TenantScope, asOf date: CalendarDate) async throws -> HTMLReportInput {
        guard let input = try await pool.tenantTransaction(tenant.id, { try ReportData.htmlInput($0, tenantID: tenant.id, asOf: date) })
        else { throw SnapshotMissing(date: date) }
        return input
    }

    /// The header of the snapshot of `date`, or of the latest one.
    private static func header(_ connection: PGConnection, _ tenant: TenantScope, _ date: CalendarDate?) throws -> RiskReport {
        guard let date = try date ?? ProductionEngine.latestSnapshotDate(connection, tenantID: tenant.id) else {
            throw SnapshotMissing(date: nil)
        }
        guard let report = try ProductionEngine.header(connection, tenantID: tenant.id, asOf: date) else { throw SnapshotMissing(date: date) }
        return report
    }
}
