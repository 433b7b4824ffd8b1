import ArgumentParser
import FactorRiskCore
import FactorRiskPostgres
import Foundation

/// `factor-risk whatif`: what a default or a change of country grade would do to the portfolio
/// (RULEBOOK.md §9.4), on the data as it is now; or the worst single defaults.
struct WhatIfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "What if groups defaulted or countries changed grade: the loss against own funds, the breaches added and cleared; or the worst single defaults.",
        discussion: """
            Computed on the tenant's data as it is now, as of --as-of, against the same date without the scenario; \
            nothing is stored unless --save names the scenario. One scenario or ranking of a tenant runs at a time: \
            a second one is refused while the first runs.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The tenant.") var tenant: String
    @Option(help: "The date the figures are as of (YYYY-MM-DD).") var asOf: String

    // The scenario.
    @Option(name: .customLong("default"), help: ArgumentHelp(
        "A group that defaults: a debtor's group_ref, or the debtor_ref of a debtor without a group. Repeat for several.", valueName: "group"))
    var defaults: [String] = []
    @Option(help: ArgumentHelp(
        "A country's new risk grade: an ISO 3166 code and a grade from 0 to 7, e.g. ES=3. Repeat for several.", valueName: "CC=G"))
    var grade: [String] = []
    @Option(help: "Keep the scenario's snapshot under this name (letters, digits, . _ -), beside the date's own snapshot.") var save: String?

    // Or the ranking.
    @Option(help: "Rank the N worst single defaults instead (no --default, --grade, --by or --save with it).") var worst: Int?

    // What is printed.
    @Option(help: "Print the scenario's rows of this level (portfolio, client, debtor, group, country or pair) as report prints a snapshot's.")
    var by: String?
    @Option(help: "table (default on a terminal), csv or json.") var format: Format?

    func validate() throws {
        guard CalendarDate(iso: asOf) != nil else { throw ValidationError("--as-of: \"\(asOf)\" is not a date (YYYY-MM-DD)") }
        if let worst {
            guard defaults.isEmpty, grade.isEmpty, by == nil, save == nil else {
                throw ValidationError("--worst ranks single defaults of their own: give it without --default, --grade, --by or --save")
            }
            guard (1...1000).contains(worst) else { throw ValidationError("--worst must be from 1 to 1000") }
            return
        }
        guard !defaults.isEmpty || !grade.isEmpty else {
            throw ValidationError("name a scenario with --default GROUP or --grade CC=G (or rank the worst single defaults with --worst N)")
        }
        if let ref = defaults.first(where: \.isEmpty) { throw ValidationError("--default: \"\(ref)\" is not a group reference") }
        _ = try Self.grades(grade)
        if let by, ReportLevel(rawValue: by) == nil {
            throw ValidationError("--by: \"\(by)\" is not one of \(ReportLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let save, !ScenarioEngine.isSaveable(save) {
            throw ValidationError("--save: \"\(save)\" is not a name (letters, digits, . _ -, at most 64)")
        }
    }

    /// The `--grade CC=G` options as countries and grades; a clear error for the first that is not one.
    static func grades(_ options: [String]) throws -> [String: Int] {
        var grades: [String: Int] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ValidationError("--grade: \"\(option)\" is not CC=G (a country code, = and a grade, e.g. ES=3)") }
            let country = String(parts[0])
            guard country.utf8.count == 2, country.utf8.allSatisfy({ (65...90).contains($0) }) else {
                throw ValidationError("--grade: \"\(country)\" is not an ISO 3166 country code (two capital letters)")
            }
            guard let value = Int(parts[1]), (0...7).contains(value) else {
                throw ValidationError("--grade: \"\(parts[1])\" is not a grade from 0 to 7 (in \"\(option)\")")
            }
            if let earlier = grades.updateValue(value, forKey: country), earlier != value {
                throw ValidationError("--grade: \(country) is given two grades, \(earlier) and \(value)")
            }
        }
        return grades
    }

    func run() async throws {
        let (ref, date) = (tenant, CalendarDate(iso: asOf)!)
        let format = self.format ?? (isatty(1) == 1 ? .table : .json)
        if let worst {
            let (currency, rows) = try await refusalsExplained {
                try await database.withTenant(ref) { stores, scope in
                    try await stores.scenarios.worst(scope, asOf: date, limit: worst, timeout: nil)
                }
            }
            switch format {
            case .json: print(WorstDefault.rankingJSON(rows, tenant: ref, asOf: date, currency: currency).rendered())
            case .csv: print(Self.csv(rows, currency: currency), terminator: "")
            case .table: print(Self.table(rows, tenant: ref, asOf: date, currency: currency))
            }
            return
        }
        let scenario = Scenario(defaulted: defaults, grades: try Self.grades(grade))
        let save = self.save
        let (outcome, report) = try await refusalsExplained {
            try await database.withTenant(ref) { stores, scope in
                try await stores.scenarios.run(scope, asOf: date, scenario: scenario, saveAs: save, timeout: nil)
            }
        }
        if let by, let level = ReportLevel(rawValue: by) {
            // The scenario's report, as `report` prints a snapshot's level.
            let json = report.json(level)
            switch format {
            case .json: print(json.rendered())
            case .csv: print(ReportTable(json: json, level: level, currency: report.currency).csv(), terminator: "")
            case .table: print(ReportTable(json: json, level: level, currency: report.currency).table())
            }
            return
        }
        switch format {
        case .json: print(outcome.json(tenant: ref, asOf: date, currency: report.currency).rendered())
        case .csv: print(Self.csv(outcome, currency: report.currency), terminator: "")
        case .table: print(Self.table(outcome, tenant: ref, asOf: date, currency: report.currency))
        }
    }

    /// `body`, with a scenario's refusal printed for a person (no usage text) and a failed exit.
    func refusalsExplained<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as ScenarioRefusal {
            printError("tenant \"\(tenant)\": \(refusal)")
            throw ExitCode.failure
        }
    }

    /// The scenario in words: "GB defaults; ES at grade 3".
    static func describe(_ scenario: Scenario) -> String {
        var parts: [String] = []
        if !scenario.defaulted.isEmpty {
            parts.append(scenario.defaulted.joined(separator: ", ") + (scenario.defaulted.count == 1 ? " defaults" : " default"))
        }
        for country in scenario.grades.keys.sorted(by: byteOrder) { parts.append("\(country) at grade \(scenario.grades[country]!)") }
        return parts.joined(separator: "; ")
    }

    /// Basis points as a percentage with two decimals, or "—" when there are no own funds to compare with.
    static func percent(_ bp: Int64?) -> String { bp.map { Money.format($0, exponent: 2) + " %" } ?? "—" }

    /// The outcome for a terminal: the loss and its share of own funds, then the breaches added and cleared.
    static func table(_ outcome: ScenarioOutcome, tenant: String, asOf date: CalendarDate, currency: Currency) -> String {
        var text = "\(tenant) as of \(date), if \(describe(outcome.scenario))\n\n"
        text += "Loss  \(Money.format(outcome.loss, exponent: currency.exponent, grouping: true)) \(currency.code)"
        text += " (\(percent(outcome.lossOwnFundsBP)) of own funds)\n"
        for (title, breaches) in [("New breaches", outcome.newBreaches), ("Cleared breaches", outcome.clearedBreaches)] {
            text += "\n\(title) (\(breaches.count))\n"
            text += breaches.isEmpty ? "  none\n"
                : TextTable(header: ["level", "subject", "code"], rows: breaches.map { [$0.level, $0.subject, $0.code.rawValue] },
                            rightAligned: []).render() + "\n"
        }
        return text
    }

    /// The outcome as CSV: a line for the loss, then one per breach added (`new`) or cleared.
    static func csv(_ outcome: ScenarioOutcome, currency: Currency) -> String {
        var lines = [CSVEncoding.line(["kind", "level", "subject", "code", "loss", "loss_own_funds_bp"])]
        lines.append(CSVEncoding.line(["loss", "", "", "", Money.format(outcome.loss, exponent: currency.exponent),
                                       outcome.lossOwnFundsBP.map(String.init) ?? ""]))
        for (kind, breaches) in [("new", outcome.newBreaches), ("cleared", outcome.clearedBreaches)] {
            for breach in breaches { lines.append(CSVEncoding.line([kind, breach.level, breach.subject, breach.code.rawValue, "", ""])) }
        }
        return lines.joined()
    }

    /// The ranking for a terminal, with the first breaches each default would add.
    static func table(_ rows: [WorstDefault], tenant: String, asOf date: CalendarDate, currency: Currency) -> String {
        let header = "\(tenant) as of \(date): the worst single defaults, loss in \(currency.code)\n\n"
        guard !rows.isEmpty else { return header + "No group has covered exposure: no single default would cost anything." }
        let body = rows.enumerated().map { index, row -> [String] in
            let shown = row.newBreaches.prefix(3).map { "\($0.level) \($0.subject) \($0.code.rawValue)" }
            let more = row.newBreaches.count > 3 ? ", … \(row.newBreaches.count - 3) more" : ""
            return [String(index + 1), row.groupRef, Money.format(row.loss, exponent: currency.exponent, grouping: true),
                    percent(row.lossOwnFundsBP), String(row.newBreaches.count), shown.joined(separator: ", ") + more]
        }
        return header + TextTable(header: ["rank", "group_ref", "loss", "of own funds", "new breaches", "breaches it adds"],
                                  rows: body, rightAligned: [0, 2, 3, 4]).render()
    }

    /// The ranking as CSV, FORMATS.md's row fields after the rank.
    static func csv(_ rows: [WorstDefault], currency: Currency) -> String {
        var lines = [CSVEncoding.line(["rank", "group_ref", "loss", "loss_own_funds_bp", "new_breaches"])]
        for (index, row) in rows.enumerated() {
            lines.append(CSVEncoding.line([String(index + 1), row.groupRef, Money.format(row.loss, exponent: currency.exponent),
                                           row.lossOwnFundsBP.map(String.init) ?? "", String(row.newBreaches.count)]))
        }
        return lines.joined()
    }
}
