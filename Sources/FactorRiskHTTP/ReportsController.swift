import FactorRiskCore
import FactorRiskHTML
import FactorRiskPostgres
import Hummingbird

/// The stored snapshots: reports by level, paged, and the flags.
struct ReportsController {
    let pool: PGPool

    func register(on group: RouterGroup<APIContext>) {
        group.get("reports/{level}", use: report)
        group.get("flags", use: flags)
    }

    func registerPage(on group: RouterGroup<APIContext>) {
        group.get("{date}", use: page)
    }

    /// The self-contained HTML report of the snapshot of `{date}` (as `report --format html` writes it).
    @Sendable func page(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let raw = try context.parameters.require("date")
        guard let date = CalendarDate(iso: raw) else { throw APIError.invalidParameter("date", "\"\(raw)\" is not a date (YYYY-MM-DD)") }
        let input = try await pool.tenantTransaction(identity.tenantID) { connection in
            try ReportData.htmlInput(connection, tenantID: identity.tenantID, asOf: date)
        }
        guard let input else { throw Self.noSnapshot(date) }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: HTMLReport.render(input))))
    }

    /// The snapshot date asked for, or the latest one; 404 when there is none.
    static func snapshotDate(_ connection: PGConnection, _ tenantID: Int64, _ asked: CalendarDate?) throws -> CalendarDate {
        if let asked { return asked }
        guard let latest = try ProductionEngine.latestSnapshotDate(connection, tenantID: tenantID) else {
            throw APIError(.notFound, "no_snapshot", "no snapshot has been computed yet: run factor-risk recalc")
        }
        return latest
    }

    static func noSnapshot(_ date: CalendarDate) -> APIError {
        APIError(.notFound, "no_snapshot", "no snapshot as of \(date): run factor-risk recalc --as-of \(date)")
    }

    @Sendable func report(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let levelName = try context.parameters.require("level")
        guard let level = ReportLevel(rawValue: levelName) else {
            throw APIError(.notFound, "not_found", "no report level \"\(levelName)\": one of \(ReportLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let asked = try RequestInput.date(request, "as_of")
        let limit = try RequestInput.integer(request, "limit", in: 1...1000, default: 100)
        let flag = try RequestInput.string(request, "flag").map { raw throws(APIError) -> RiskFlag in
            guard let flag = RiskFlag(rawValue: raw) else { throw .invalidParameter("flag", "unknown flag \"\(raw)\"") }
            return flag
        }
        let rows = SnapshotLevel.of(level)
        if flag != nil, rows == nil || level == .pair {
            throw APIError.invalidParameter("flag", "the \(level.rawValue) level has no flags")
        }
        let sort = RequestInput.string(request, "sort")
        if let sort, !(rows?.sortable.contains(sort) ?? false) {
            throw APIError.invalidParameter("sort", "\"\(sort)\" is not a numeric field of the \(level.rawValue) level: one of \(rows?.sortable.joined(separator: ", ") ?? "none")")
        }
        var cursor: SnapshotLevel.Cursor?
        if let text = RequestInput.string(request, "cursor"), let rows {
            guard let parsed = SnapshotLevel.Cursor(text: text, level: rows, sorted: sort != nil) else {
                throw APIError.invalidParameter("cursor", "not a cursor of this report and sort")
            }
            cursor = parsed
        }
        let after = cursor
        let (report, next) = try await pool.tenantTransaction(identity.tenantID) { connection -> (RiskReport, String?) in
            let date = try Self.snapshotDate(connection, identity.tenantID, asked)
            guard var report = try ProductionEngine.header(connection, tenantID: identity.tenantID, asOf: date) else { throw Self.noSnapshot(date) }
            guard let rows else {
                report.portfolio.flagsCount = try ProductionEngine.flagCounts(connection, tenantID: identity.tenantID, asOf: date)
                return (report, nil)
            }
            let next = try rows.page(
                connection, tenantID: identity.tenantID, asOf: date, flag: flag, sort: sort, limit: limit, after: after, into: &report)
            return (report, next?.text)
        }
        guard case .object(var members) = report.json(level) else { return .json(report.json(level)) }
        if rows != nil { members.append(("next_cursor", next.map { .string($0) } ?? .null)) }
        return .json(.object(members))
    }

    @Sendable func flags(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let asked = try RequestInput.date(request, "as_of")
        let level = try RequestInput.string(request, "level").map { raw throws(APIError) -> RiskFlag.Level in
            guard let level = RiskFlag.Level(rawValue: raw) else { throw .invalidParameter("level", "\"\(raw)\" is not one of info, warning, breach") }
            return level
        }
        let (date, flags) = try await pool.tenantTransaction(identity.tenantID) { connection in
            let date = try Self.snapshotDate(connection, identity.tenantID, asked)
            guard try ProductionEngine.header(connection, tenantID: identity.tenantID, asOf: date) != nil else { throw Self.noSnapshot(date) }
            return (date, try ProductionEngine.flags(connection, tenantID: identity.tenantID, asOf: date).map { ($0.subject, $0.ref, $0.flag) })
        }
        let listed = flags.filter { level == nil || $0.2.level == level }.map { subject, ref, flag -> JSONText in
            .object([("subject", .string(subject)), ("ref", .string(ref)), ("code", .string(flag.rawValue)), ("level", .string(flag.level.rawValue))])
        }
        return .json(.object([("tenant", .string(identity.tenantRef)), ("as_of", .string(date.description)), ("flags", .array(listed))]))
    }
}
