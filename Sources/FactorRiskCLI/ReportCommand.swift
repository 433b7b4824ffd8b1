import ArgumentParser
import FactorRiskCore
import FactorRiskHTML
import FactorRiskPostgres
import Foundation

/// `factor-risk report`: a stored snapshot, at one level, as a table, CSV or JSON (FORMATS.md).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show the snapshot that recalc stored, at one level, as table, csv or json."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, html }

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The tenant.")
    var tenant: String

    @Option(help: "The snapshot's date (YYYY-MM-DD).")
    var asOf: String

    @Option(help: "portfolio, client, debtor, group, country or pair.")
    var by: String = "portfolio"

    @Option(help: "table (default on a terminal), csv, json, or html (the analysts' page, every level, with charts).")
    var format: Format?

    @Option(help: "Only the rows carrying this flag, e.g. DEBTOR_LIMIT_BREACH.")
    var flag: String?

    @Option(help: "Sort by this field: numbers largest first, text in byte order.")
    var sort: String?

    @Option(help: "Only the first N rows (after sorting).")
    var top: Int?

    @Option(help: "A what-if scenario saved under this name for the date, instead of the snapshot recalc stored.")
    var scenario: String?

    func validate() throws {
        guard CalendarDate(iso: asOf) != nil else { throw ValidationError("--as-of: \"\(asOf)\" is not a date (YYYY-MM-DD)") }
        guard ReportLevel(rawValue: by) != nil else {
            throw ValidationError("--by: \"\(by)\" is not one of \(ReportLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let flag, RiskFlag(rawValue: flag) == nil { throw ValidationError("--flag: unknown flag \"\(flag)\"") }
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        try Self.validate(scenario: scenario)
    }

    /// Refuses a `--scenario` that no saved scenario could be named (`report` and `diff`).
    static func validate(scenario: String?) throws {
        if let scenario, !ScenarioEngine.isSaveable(scenario) {
            throw ValidationError("--scenario: \"\(scenario)\" is not a scenario name (1 to 64 letters, digits, '.', '_' or '-')")
        }
    }

    func run() async throws {
        if format == .html { return try await html() }
        let level = ReportLevel(rawValue: by)!
        let format = self.format ?? (isatty(1) == 1 ? .table : .json)
        // A row level is read as PostgreSQL filters, sorts and cuts it, a batch at a time: CSV and
        // JSON are written as they come, a table (which needs its widths) keeps just the rows it
        // shows. A text field is sorted here, after reading the level.
        // A tier is stored as a number but written as its letter, A first: it is sorted as text.
        if let rows = SnapshotLevel.of(level), sort.map({ level.sortColumn($0).map { $0.kind != .tier } ?? false }) ?? true {
            return try await stream(rows, level: level, format: format)
        }
        // Only the level asked for is read (the portfolio's flag counts are counted in PostgreSQL).
        let report = try await inSnapshot { snapshots, tenant, date, scenario in
            try await snapshots.level(tenant, asOf: date, scenario: scenario, level)
        }
        var json = report.json(level)
        if level != .portfolio {
            guard case .object(var members) = json, case .array(var rows)? = members.last?.1 else { return }
            if let flag { rows = rows.filter { Self.field($0, "flags").map { "\($0)".contains("\"\(flag)\"") } ?? false } }
            if let sort {
                guard rows.first.map({ Self.field($0, sort) != nil }) ?? true else {
                    throw ValidationError("--sort: no field \"\(sort)\" at level \(level.rawValue)")
                }
                rows.sort { Self.precedes(Self.field($0, sort), Self.field($1, sort)) }
            }
            if let top { rows = Array(rows.prefix(top)) }
            members[members.count - 1].1 = .array(rows)
            json = .object(members)
        }
        switch format {
        case .json, .html: print(json.rendered())
        case .csv: print(ReportTable(json: json, level: level, currency: report.currency).csv(), terminator: "")
        case .table: print(ReportTable(json: json, level: level, currency: report.currency).table())
        }
    }

    /// A row level as CSV or JSON, written while it is read (memory stays flat however many rows),
    /// or as a table of the rows asked for.
    func stream(_ rows: SnapshotLevel, level: ReportLevel, format: Format) async throws {
        let (sort, top) = (sort, top)
        let flag = self.flag.flatMap(RiskFlag.init(rawValue:))
        _ = try await inSnapshot { snapshots, tenant, date, scenario in
            try await snapshots.stream(
                tenant, asOf: date, scenario: scenario, level, flag: flag, sort: sort, limit: top,
                into: ReportStreamWriter(level: level, format: format))
        }
    }

    /// The self-contained HTML page of the snapshot, on standard output.
    func html() async throws {
        let input = try await inSnapshot { snapshots, tenant, date, scenario in
            try await snapshots.htmlInput(tenant, asOf: date, scenario: scenario)
        }
        print(HTMLReport.render(input), terminator: "")
    }

    /// `body` with the snapshots, the tenant, the snapshot's date and variant ('' for the
    /// baseline, else the saved scenario's name); a clear error when the tenant or its snapshot
    /// of that date does not exist.
    func inSnapshot<T>(_ body: (any SnapshotStore, TenantScope, CalendarDate, String) async throws -> T) async throws -> T {
        let (ref, date, scenario) = (tenant, CalendarDate(iso: asOf)!, scenario ?? "")
        return try await database.withTenant(ref) { stores, tenant in
            try await Self.orNoSnapshot(ref) { try await body(stores.snapshots, tenant, date, scenario) }
        }
    }

    /// `body`, or a clear error naming the missing snapshot (or saved scenario) and how to make it.
    static func orNoSnapshot<T>(_ ref: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let missing as SnapshotMissing {
            let date = missing.date.map(\.description) ?? "DATE"
            if let scenario = missing.scenario {
                printError("no scenario \"\(scenario)\" saved for tenant \"\(ref)\" as of \(date): run a what-if scenario with --save \(scenario) first")
            } else {
                printError("no snapshot of tenant \"\(ref)\" as of \(date): run factor-risk recalc --tenant \(ref) --as-of \(date) first")
            }
            throw ExitCode.failure
        }
    }

    static func field(_ row: JSONText, _ name: String) -> JSONText? {
        guard case .object(let members) = row else { return nil }
        return members.first { $0.0 == name }?.1
    }

    /// Numbers (and money strings) largest first; text in byte order.
    static func precedes(_ a: JSONText?, _ b: JSONText?) -> Bool {
        func number(_ value: JSONText?) -> Int64? {
            switch value {
            case .integer(let n): return n
            case .string(let text) where text.first.map({ $0 == "-" || $0.isNumber }) ?? false:
                return Int64(text.replacingOccurrences(of: ".", with: ""))
            default: return nil
            }
        }
        if let x = number(a), let y = number(b) { return x > y }
        if case .string(let x)? = a, case .string(let y)? = b { return byteOrder(x, y) }
        return number(a) != nil && number(b) == nil
    }
}
