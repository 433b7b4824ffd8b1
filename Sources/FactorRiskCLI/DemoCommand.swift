import ArgumentParser
import FactorRiskCore
import FactorRiskHTML
import FactorRiskPostgres
import FactorRiskSynthetic
import Foundation

/// `factor-risk demo`: the whole product in one command, on the embedded database.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Try it: seed a demo portfolio, run the nightly job for 31 days, print the morning summary, write the HTML report."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The demo tenant.")
    var tenant = "demo"

    @Option(help: "Documents in the seeded portfolio.")
    var documents = 200_000

    @Option(help: "Nightly runs before the last one, one a day, so trends exist.")
    var days = 30

    @Option(help: "The last date (YYYY-MM-DD); today by default.")
    var asOf: String?

    @Option(help: "Where to write the HTML report (default: factor-risk-<tenant>-<date>.html in the current folder).")
    var out: String?

    func validate() throws {
        if documents < 1 { throw ValidationError("--documents must be at least 1") }
        if !(0...366).contains(days) { throw ValidationError("--days must be from 0 to 366") }
        if !BundleRowValidator.isTenantRef(tenant) { throw ValidationError("--tenant: \"\(tenant)\" is not a tenant reference") }
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of: \"\(asOf)\" is not a date (YYYY-MM-DD)") }
    }

    func run() async throws {
        let date = asOf.flatMap { CalendarDate(iso: $0) } ?? CalendarDate.today()
        let (ref, count, days) = (tenant, documents, days)
        let path = URL(fileURLWithPath: out ?? "factor-risk-\(ref)-\(date).html").standardizedFileURL.path
        let started = Date()
        let progress = Progress(terminal: isatty(2) == 1, started: started)

        let (summary, html, topDebtor) = try await database.withStores { stores -> (String, String, String?) in
            // 1. A realistic portfolio, generated and imported (an upsert: a second demo changes nothing).
            progress.say("seeding \(count) documents for tenant \(ref)")
            let portfolio = SyntheticPortfolio(.init(tenantRef: ref, documents: count, seed: 1, asOf: date))
            let folder = NSTemporaryDirectory() + "factor-risk-demo-\(getpid())"
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var sink = try CSVFileSink(directory: folder)
            try portfolio.generate(into: &sink)
            let imported = try await stores.importer().importBundle(directory: folder, tenantRef: ref)
            progress.done("\(portfolio.clientCount) clients, \(portfolio.debtorCount) debtors, \(count) documents imported in \(String(format: "%.1f", imported.seconds)) s")

            // 2. The nightly job, for each of the days before and for the date itself.
            for offset in stride(from: days, through: 0, by: -1) {
                let day = date.adding(days: -offset)
                progress.say("nightly recalculation \(days - offset + 1)/\(days + 1), as of \(day)")
                _ = try await stores.recalculate(ref, asOf: day, wait: true)
            }
            progress.done("\(days + 1) snapshots, \(date.adding(days: -days)) to \(date)")

            // 3. The morning summary and the HTML report, from the last snapshot.
            progress.say("writing the report")
            guard let tenant = try await stores.tenants.named(ref) else { throw ValidationError("no tenant \"\(ref)\"") }
            let input = try await stores.snapshots.htmlInput(tenant, asOf: date)
            progress.done("report ready")
            let top = input.report.debtors.max { ($0.guaranteed, $1.debtorRef) < ($1.guaranteed, $0.debtorRef) }?.debtorRef
            return (MorningSummary(input: input).text, HTMLReport.render(input), top)
        }
        try html.write(toFile: path, atomically: true, encoding: .utf8)
        print(summary)
        print("""

            HTML report: \(path)
            Serve the API on the same data:
              factor-risk key create --tenant \(ref) --role read      # prints a key, once
              factor-risk serve --port 8080
              curl -H "Authorization: Bearer <key>" http://127.0.0.1:8080/v1/debtors/\(topDebtor ?? "<debtor>")/exposure
              curl -H "Authorization: Bearer <key>" http://127.0.0.1:8080/reports/\(date) > report.html
            (done in \(String(format: "%.1f", Date().timeIntervalSince(started))) s)
            """)
    }

    /// One line of progress on standard error, rewritten in place on a terminal.
    struct Progress {
        let terminal: Bool
        let started: Date

        func elapsed() -> String { String(format: "%5.1f s", Date().timeIntervalSince(started)) }

        func say(_ text: String) {
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K[\(elapsed())] \(text)…".utf8)) }
        }

        func done(_ text: String) {
            FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + "[\(elapsed())] \(text)\n").utf8))
        }
    }
}

/// The few things an analyst reads first, as text for a terminal.
struct MorningSummary {
    let input: HTMLReportInput

    /// The most cash-breach clients listed; the rest are counted.
    static let cashBreachRows = 10

    /// The clients that failed with the factor's cash (UNREMITTED_COLLECTIONS, PAID_STILL_OPEN),
    /// the most cash at stake first, from the snapshot's client rows: what the analyst phones
    /// about before anything else.
    func cashBreaches(_ money: (Int64) -> String) -> [String] {
        let report = input.report
        let all = report.clients.filter { $0.flags.contains(.unremittedCollections) || $0.flags.contains(.paidStillOpen) }
            .sorted { ($1.unremitted + $1.ineligible.paid, $0.clientRef) < ($0.unremitted + $0.ineligible.paid, $1.clientRef) }
        let shown = all.prefix(Self.cashBreachRows)
        var lines = ["", "Cash breaches (\(all.count) client\(all.count == 1 ? "" : "s"); unremitted \(money(report.portfolio.unremitted)) in all):"]
        guard !shown.isEmpty else { return lines + ["  none"] }
        lines += TextTable(
            header: ["client", "mode", "unremitted", "days", "paid still open", "flags"],
            rows: shown.map { client in
                [client.clientRef, client.mode.rawValue, money(client.unremitted), client.unremittedDays.map(String.init) ?? "—",
                 money(client.ineligible.paid),
                 client.flags.filter { $0 == .unremittedCollections || $0 == .paidStillOpen }.map(\.rawValue).joined(separator: " ")]
            },
            rightAligned: [2, 3, 4]).render().split(separator: "\n").map { "  " + $0 }
        if all.count > shown.count { lines.append("  … and \(all.count - shown.count) more") }
        return lines
    }

    var text: String {
        let report = input.report
        let exponent = report.currency.exponent
        func money(_ value: Int64) -> String { Money.format(value, exponent: exponent, grouping: true) }
        func percent(_ bp: Int64?) -> String {
            guard let bp else { return "—" }
            let cents = abs(bp % 100)
            return "\(bp / 100).\(cents < 10 ? "0" : "")\(cents) %"
        }
        let portfolio = report.portfolio
        var lines = [
            "\(input.tenantName) (\(report.tenantRef)), as of \(report.asOf), in \(report.currency.code)",
            "",
            "Portfolio: guaranteed \(money(portfolio.guaranteed)) of \(money(portfolio.gross)) gross, covered \(money(portfolio.covered)), risk-weighted \(money(portfolio.riskWeighted))",
            "           \(portfolio.clients) clients, \(portfolio.debtors) debtors, \(portfolio.documents) documents; HHI \(portfolio.hhiPPM.map(String.init) ?? "—") ppm, top-10 share \(percent(portfolio.top10ShareBP))",
            "",
            "Breaches by code:",
        ]
        let breaches = portfolio.flagsCount.filter { $0.key.level == .breach }.sorted { $0.key.rawValue < $1.key.rawValue }
        lines += breaches.isEmpty ? ["  none"] : breaches.map { "  \($0.key.rawValue): \($0.value)" }
        lines += ["", "Top 10 debtors by guaranteed outstanding:"]
        let top = report.debtors.sorted { ($0.guaranteed, $1.debtorRef) > ($1.guaranteed, $0.debtorRef) }.prefix(10)
        lines += TextTable(
            header: ["debtor", "country", "guaranteed", "credit limit", "utilization"],
            rows: top.map { [$0.debtorRef, $0.country, money($0.guaranteed), money($0.creditLimit), percent($0.utilizationBP)] },
            rightAligned: [2, 3, 4]).render().split(separator: "\n").map { "  " + $0 }
        lines += ["", "Countries over 80 % of their limit:"]
        let hot = report.countries.filter { ($0.utilizationBP ?? 0) >= 8000 }.sorted { ($0.utilizationBP ?? 0) > ($1.utilizationBP ?? 0) }
        lines += hot.isEmpty ? ["  none"] : TextTable(
            header: ["country", "grade", "guaranteed", "limit", "utilization"],
            rows: hot.map { [$0.country + ($0.embargoed ? " (embargo)" : ""), String($0.grade), money($0.guaranteed), money($0.limit), percent($0.utilizationBP)] },
            rightAligned: [1, 2, 3, 4]).render().split(separator: "\n").map { "  " + $0 }
        let all = report.clients.filter { $0.mode == .confidential }
        // The riskiest first: worst tier, then least availability.
        let confidential = all.sorted { ($1.tier, $0.availability, $0.clientRef) < ($0.tier, $1.availability, $1.clientRef) }.prefix(10)
        lines += ["", "Confidential clients (\(all.count); the \(confidential.count) riskiest, by tier then availability):"]
        lines += confidential.isEmpty ? ["  none"] : TextTable(
            header: ["client", "tier", "guaranteed", "availability", "flags"],
            rows: confidential.map { [$0.clientRef, $0.tierLetter, money($0.guaranteed), money($0.availability),
                                      $0.flags.filter { $0 != .confidentialMode }.map(\.rawValue).joined(separator: " ")] },
            rightAligned: [2, 3]).render().split(separator: "\n").map { "  " + $0 }
        lines += cashBreaches(money)
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }
}
