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

/// What a level's rows are streamed into: the report's header first, then batches of rows (each
/// a copy of the header holding just that batch), then the end.
public protocol SnapshotRowSink: Sendable {
    mutating func begin(_ header: RiskReport)
    mutating func write(_ batch: RiskReport)
    mutating func finish()
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
    /// What changed from the snapshot of `from` to that of `to` (`SnapshotDiff`), worked out where
    /// the snapshots are; the `top` largest moves of each figure followed.
    func diff(_ tenant: TenantScope, from: CalendarDate, to: CalendarDate, top: Int) async throws -> SnapshotDiff
    /// Every row of one level (or the portfolio with its flag counts), in key order.
    func level(_ tenant: TenantScope, asOf date: CalendarDate, _ level: ReportLevel) async throws -> RiskReport
    /// The rows of a row level carrying `flag`, sorted by `sort` or by key, at most `limit`, into
    /// `sink` a batch at a time, in one consistent read whose memory does not grow with the level.
    func stream<Sink: SnapshotRowSink>(
        _ tenant: TenantScope, asOf date: CalendarDate, _ level: ReportLevel, flag: RiskFlag?, sort: String?, limit: Int?, into sink: Sink
    ) async throws -> Sink
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
        guard let input = try await pool.tenantTransaction(tenant.id, { connection -> HTMLReportInput? in
            guard var input = try ReportData.htmlInput(connection, tenantID: tenant.id, asOf: date) else { return nil }
            // The unremitted cash of every stored snapshot up to the date, for the cash control chart.
            input.cashHistory = try connection.query(
                "SELECT as_of, unremitted FROM snapshots WHERE tenant_id = $1 AND as_of <= $2 ORDER BY as_of", [tenant.id, date]
            ).rows.map { HTMLReportInput.CashPoint(asOf: try $0.decode(at: 0), unremitted: try $0.decode(at: 1)) }
            return input
        })
        else { throw SnapshotMissing(date: date) }
        return input
    }

    public func diff(_ tenant: TenantScope, from: CalendarDate, to: CalendarDate, top: Int) async throws -> SnapshotDiff {
        try await pool.tenantTransaction(tenant.id) { connection in
            for date in [from, to] where try ProductionEngine.header(connection, tenantID: tenant.id, asOf: date) == nil {
                throw SnapshotMissing(date: date)
            }
            return try SnapshotChanges.diff(connection, tenantID: tenant.id, from: from, to: to, top: top)!
        }
    }

    public func level(_ tenant: TenantScope, asOf date: CalendarDate, _ level: ReportLevel) async throws -> RiskReport {
        try await pool.tenantTransaction(tenant.id) { connection in
            var report = try Self.header(connection, tenant, date)
            if let rows = SnapshotLevel.of(level) {
                try rows.readAll(connection, tenantID: tenant.id, asOf: date, into: &report)
            } else {
                report.portfolio.flagsCount = try ProductionEngine.flagCounts(connection, tenantID: tenant.id, asOf: date)
            }
            return report
        }
    }

    public func stream<Sink: SnapshotRowSink>(
        _ tenant: TenantScope, asOf date: CalendarDate, _ level: ReportLevel, flag: RiskFlag?, sort: String?, limit: Int?, into sink: Sink
    ) async throws -> Sink {
        try await pool.tenantTransaction(tenant.id) { connection in
            let header = try Self.header(connection, tenant, date)
            var sink = sink
            sink.begin(header)
            // A flag asked of a level without flags is carried by none of its rows.
            if let rows = SnapshotLevel.of(level), flag == nil || rows.hasFlags {
                try rows.stream(connection, tenantID: tenant.id, asOf: date, flag: flag, sort: sort, limit: limit, header: header) {
                    sink.write($0)
                }
            }
            sink.finish()
            return sink
        }
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
