import FactorRiskCore
import FactorRiskHTML
import FactorRiskPostgres
import Hummingbird

/// The stored snapshots: reports by level, paged, and the flags.
struct ReportsController {
    let snapshots: any SnapshotStore

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
        let raw = try context.pathParameter("date")
        guard let date = CalendarDate(iso: raw) else { throw APIError.invalidParameter("date", "\"\(raw)\" is not a date (YYYY-MM-DD)") }
        let input = try await snapshots.htmlInput(identity.tenant, asOf: date)
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: HTMLReport.render(input))))
    }


    @Sendable func report(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let levelName = try context.pathParameter("level")
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
        let page = try await snapshots.page(identity.tenant, asOf: asked, level: level, flag: flag, sort: sort, limit: limit, after: cursor)
        let report = page.report
        guard case .object(var members) = report.json(level) else { return .json(report.json(level)) }
        if rows != nil { members.append(("next_cursor", page.next.map { .string($0.text) } ?? .null)) }
        return .json(.object(members))
    }

    @Sendable func flags(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let asked = try RequestInput.date(request, "as_of")
        let level = try RequestInput.string(request, "level").map { raw throws(APIError) -> RiskFlag.Level in
            guard let level = RiskFlag.Level(rawValue: raw) else { throw .invalidParameter("level", "\"\(raw)\" is not one of info, warning, breach") }
            return level
        }
        let (date, flags) = try await snapshots.flags(identity.tenant, asOf: asked)
        let listed = flags.filter { level == nil || $0.2.level == level }.map { subject, ref, flag -> JSONText in
            .object([("subject", .string(subject)), ("ref", .string(ref)), ("code", .string(flag.rawValue)), ("level", .string(flag.level.rawValue))])
        }
        return .json(.object([("tenant", .string(identity.tenantRef)), ("as_of", .string(date.description)), ("flags", .array(listed))]))
    }
}
