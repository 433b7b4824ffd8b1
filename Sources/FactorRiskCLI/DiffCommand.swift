import ArgumentParser
import FactorRiskCore
import FactorRiskPostgres
import Foundation

/// `factor-risk diff`: what changed between two stored snapshots of a tenant. With `--scenario
/// NAME` the later snapshot is the what-if scenario saved under that name for `--to`, compared
/// with the baseline of `--from` (by default the same date): what the scenario would change.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two snapshots: new, cleared and worsened breaches; the credit limits and approvals that changed; the limits and availability that moved most."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The tenant.")
    var tenant: String

    @Option(help: "The earlier snapshot's date (YYYY-MM-DD); with --scenario, by default the date of --to.")
    var from: String?

    @Option(help: "The later snapshot's date (YYYY-MM-DD).")
    var to: String

    @Option(help: "table (default on a terminal), csv or json.")
    var format: Format?

    @Option(help: "How many of the largest moves to show per figure.")
    var top = 10

    @Option(help: "Compare the what-if scenario saved under this name for --to with the baseline of --from.")
    var scenario: String?

    func validate() throws {
        if from == nil && scenario == nil { throw ValidationError("--from is needed (it may be left out with --scenario)") }
        for (name, value) in [("--from", from ?? to), ("--to", to)] where CalendarDate(iso: value) == nil {
            throw ValidationError("\(name): \"\(value)\" is not a date (YYYY-MM-DD)")
        }
        if top < 1 { throw ValidationError("--top must be at least 1") }
        try ReportCommand.validate(scenario: scenario)
    }

    func run() async throws {
        let (ref, first, second, scenario) = (tenant, CalendarDate(iso: from ?? to)!, CalendarDate(iso: to)!, scenario ?? "")
        let top = top
        let diff = try await database.withTenant(ref) { stores, tenant in
            try await ReportCommand.orNoSnapshot(ref) {
                try await stores.snapshots.diff(tenant, from: first, to: second, scenario: scenario, top: top)
            }
        }
        switch format ?? (isatty(1) == 1 ? .table : .json) {
        case .json: print(diff.json.rendered())
        case .csv: print(Self.csv(diff), terminator: "")
        case .table: print(Self.table(diff, scenario: scenario))
        }
    }

    static func csv(_ diff: SnapshotDiff) -> String {
        let exponent = diff.currency.exponent
        func money(_ value: Int64?) -> String { value.map { Money.format($0, exponent: exponent) } ?? "" }
        var lines = [CSVEncoding.line(["kind", "change", "subject", "ref", "code", "before", "after", "delta"])]
        for breach in diff.breaches {
            lines.append(CSVEncoding.line(["breach", breach.change.rawValue, breach.subject, breach.ref, breach.flag.rawValue,
                                           money(breach.before), money(breach.after), ""]))
        }
        // A pair's approval has one ref column here: `client/debtor`.
        for limit in diff.limits {
            lines.append(CSVEncoding.line(["limit", limit.delta > 0 ? "up" : "down", limit.subject, limit.ref, limit.field,
                                           money(limit.before), money(limit.after), money(limit.delta)]))
        }
        for move in diff.movements {
            lines.append(CSVEncoding.line(["movement", move.delta > 0 ? "up" : "down", move.subject, move.ref, move.field,
                                           money(move.before), money(move.after), money(move.delta)]))
        }
        return lines.joined()
    }

    /// The diff as text tables; `scenario` names the saved scenario the later snapshot is ('' for a baseline).
    static func table(_ diff: SnapshotDiff, scenario: String = "") -> String {
        let exponent = diff.currency.exponent
        func money(_ value: Int64?) -> String { value.map { Money.format($0, exponent: exponent, grouping: true) } ?? "" }
        let later = scenario.isEmpty ? "\(diff.to)" : "\(diff.to) scenario \(scenario)"
        var text = "\(diff.tenantRef): \(diff.from) → \(later), \(diff.currency.code)\n\nBreaches\n"
        text += diff.breaches.isEmpty ? "  none changed\n" : TextTable(
            header: ["change", "subject", "ref", "code", "over limit before", "over limit after"],
            rows: diff.breaches.map { [$0.change.rawValue, $0.subject, $0.ref, $0.flag.rawValue, money($0.before), money($0.after)] },
            rightAligned: [4, 5]).render() + "\n"
        text += "\nLimits changed\n"
        text += diff.limits.isEmpty ? "  none changed\n" : TextTable(
            header: ["subject", "client", "debtor", "figure", "before", "after", "change"],
            rows: diff.limits.map { [$0.subject, $0.clientRef ?? "", $0.debtorRef, $0.field, money($0.before), money($0.after), money($0.delta)] },
            rightAligned: [4, 5, 6]).render() + "\n"
        text += "\nMoved most\n"
        text += diff.movements.isEmpty ? "  nothing moved\n" : TextTable(
            header: ["subject", "ref", "figure", "before", "after", "change"],
            rows: diff.movements.map { [$0.subject, $0.ref, $0.field, money($0.before), money($0.after), money($0.delta)] },
            rightAligned: [3, 4, 5]).render()
        return text
    }
}
