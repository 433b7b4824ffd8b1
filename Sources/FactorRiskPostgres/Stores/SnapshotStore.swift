import FactorRiskCore

/// There is no stored snapshot for the date asked (nil: the tenant has none at all), or no
/// scenario saved under the name asked for that date.
public struct SnapshotMissing: Error, Sendable {
    public let date: CalendarDate?
    /// The saved scenario asked for; nil when the baseline was.
    public let scenario: String?

    public init(date: CalendarDate?, scenario: String? = nil) {
        self.date = date
        self.scenario = scenario
    }
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
/// latest snapshot is read; without a snapshot, `SnapshotMissing` is thrown. What `report` and
/// `diff` read can also be a what-if scenario saved under a name (`scenario`, §9.4); '' is the
/// baseline, and the overloads without it read the baseline.
public protocol SnapshotStore: Sendable {
    /// One page of a row level (flag, sort and cursor as `SnapshotLevel.page`), or the portfolio
    /// with its flag counts.
    func page(
        _ tenant: TenantScope, asOf date: CalendarDate?, level: ReportLevel, flag: RiskFlag?, sort: String?, limit: Int,
        after cursor: SnapshotLevel.Cursor?
    ) async throws -> SnapshotPage
    /// Every flag of the snapshot, subject by subject (`ProductionEngine.flags`), with its date.
    func flags(_ tenant: TenantScope, asOf date: CalendarDate?) async throws -> (CalendarDate, [(subject: String, ref: String, flag: RiskFlag)])
    /// What the analysts' HTML page of the snapshot (or of the saved scenario) shows.
    func htmlInput(_ tenant: TenantScope, asOf date: CalendarDate, scenario: String) async throws -> HTMLReportInput
    /// What changed from the baseline of `from` to the snapshot of `to` (its baseline, or the
    /// scenario saved under that name for that date) (`SnapshotDiff`), worked out where the
    /// snapshots are; the `top` largest moves of each figure followed.
    func diff(_ tenant: TenantScope, from: CalendarDate, to: CalendarDate, scenario: String, top: Int) async throws -> SnapshotDiff
    /// Every row of one level (or the portfolio with its flag counts) of the snapshot or of the
    /// saved scenario, in key order.
    func level(_ tenant: TenantScope, asOf date: CalendarDate, scenario: String, _ level: ReportLevel) async throws -> RiskReport
    /// The rows of a row level of the snapshot or of the saved scenario carrying `flag`, sorted by
    /// `sort` or by key, at most `limit`, into `sink` a batch at a time, in one consistent read
    /// whose memory does not grow with the level.
    func stream<Sink: SnapshotRowSink>(
        _ tenant: TenantScope, asOf date: CalendarDate, scenario: String, _ level: ReportLevel, flag: RiskFlag?, sort: String?,
        limit: Int?, into sink: Sink
    ) async throws -> Sink
}

extension SnapshotStore {
    /// What the analysts' HTML page of the baseline snapshot shows.
    public func htmlInput(_ tenant: TenantScope, asOf date: CalendarDate) async throws -> HTMLReportInput {
        try await htmlInput(tenant, asOf: date, scenario: "")
    }

    /// What changed from the baseline of `from` to that of `to`.
    public func diff(_ tenant: TenantScope, from: CalendarDate, to: CalendarDate, top: Int) async throws -> SnapshotDiff {
        try await diff(tenant, from: from, to: to, scenario: "", top: top)
    }

    /// Every row of one level of the baseline snapshot.
    public func level(_ tenant: TenantScope, asOf date: CalendarDate, _ level: ReportLevel) async throws -> RiskReport {
        try await self.level(tenant, asOf: date, scenario: "", level)
    }
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

    public func htmlInput(_ tenant: TenantScope, asOf date: CalendarDate, scenario: String) async throws -> HTMLReportInput {
        guard let input = try await pool.tenantTransaction(tenant.id, { connection -> HTMLReportInput? in
            guard var input = try ReportData.htmlInput(connection, tenantID: tenant.id, asOf: date, scenario: scenario) else { return nil }
            // The unremitted cash of every stored snapshot up to the date, for the cash control chart.
            input.cashHistory = try connection.query(
                "SELECT as_of, unremitted FROM snapshots WHERE \(ReportData.historyFilter) ORDER BY as_of", [tenant.id, date, scenario]
            ).rows.map { HTMLReportInput.CashPoint(asOf: try $0.decode(at: 0), unremitted: try $0.decode(at: 1)) }
            return input
        })
        else { throw Self.missing(date, scenario) }
        return input
    }

    public func diff(_ tenant: TenantScope, from: CalendarDate, to: CalendarDate, scenario: String, top: Int) async throws -> SnapshotDiff {
        try await pool.tenantTransaction(tenant.id) { connection in
            for (date, variant) in [(from, ""), (to, scenario)]
            where try ProductionEngine.header(connection, tenantID: tenant.id, asOf: date, scenario: variant) == nil {
                throw Self.missing(date, variant)
            }
            return try SnapshotChanges.diff(connection, tenantID: tenant.id, from: from, to: to, scenario: scenario, top: top)!
        }
    }

    public func level(_ tenant: TenantScope, asOf date: CalendarDate, scenario: String, _ level: ReportLevel) async throws -> RiskReport {
        try await pool.tenantTransaction(tenant.id) { connection in
            var report = try Self.header(connection, tenant, date, scenario: scenario)
            if let rows = SnapshotLevel.of(level) {
                try rows.readAll(connection, tenantID: tenant.id, asOf: date, scenario: scenario, into: &report)
            } else {
                report.portfolio.flagsCount = try ProductionEngine.flagCounts(connection, tenantID: tenant.id, asOf: date, scenario: scenario)
            }
            return report
        }
    }

    public func stream<Sink: SnapshotRowSink>(
        _ tenant: TenantScope, asOf date: CalendarDate, scenario: String, _ level: ReportLevel, flag: RiskFlag?, sort: String?,
        limit: Int?, into sink: Sink
    ) async throws -> Sink {
        try await pool.tenantTransaction(tenant.id) { connection in
            let header = try Self.header(connection, tenant, date, scenario: scenario)
            var sink = sink
            sink.begin(header)
            // A flag asked of a level without flags is carried by none of its rows.
            if let rows = SnapshotLevel.of(level), flag == nil || rows.hasFlags {
                try rows.stream(
                    connection, tenantID: tenant.id, asOf: date, scenario: scenario, flag: flag, sort: sort, limit: limit, header: header
                ) {
                    sink.write($0)
                }
            }
            sink.finish()
            return sink
        }
    }

    /// The header of the snapshot of `date` (its baseline, or the variant `scenario`), or of the
    /// latest baseline.
    private static func header(
        _ connection: PGConnection, _ tenant: TenantScope, _ date: CalendarDate?, scenario: String = ""
    ) throws -> RiskReport {
        guard let date = try date ?? ProductionEngine.latestSnapshotDate(connection, tenantID: tenant.id) else {
            throw SnapshotMissing(date: nil)
        }
        guard let report = try ProductionEngine.header(connection, tenantID: tenant.id, asOf: date, scenario: scenario) else {
            throw missing(date, scenario)
        }
        return report
    }

    /// What is missing: the baseline of `date`, or the scenario saved as `scenario` for it.
    private static func missing(_ date: CalendarDate, _ scenario: String) -> SnapshotMissing {
        SnapshotMissing(date: date, scenario: scenario.isEmpty ? nil : scenario)
    }
}
