import ArgumentParser
import FactorRiskCore
import FactorRiskPostgres
import Foundation

/// `factor-risk recalc`: the nightly job. Recomputes and stores the snapshot of each tenant.
struct RecalcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recalc",
        abstract: "Recalculate every limit and store the snapshot as of a date, for one tenant or all.",
        discussion: """
            Each tenant is computed in one transaction: a rerun for the same date replaces its snapshot, and a failed \
            or interrupted run leaves the previous one whole. Exit status 0 when the job ran, whatever the breaches; \
            1 when a tenant could not be recalculated.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The date the figures are as of (YYYY-MM-DD).")
    var asOf: String

    @Option(help: "The tenant to recalculate.")
    var tenant: String?

    @Flag(help: "Recalculate every tenant.")
    var all = false

    @Flag(help: "Wait for a recalculation of the same tenant that is already running, instead of giving up.")
    var wait = false

    func validate() throws {
        guard CalendarDate(iso: asOf) != nil else { throw ValidationError("--as-of: \"\(asOf)\" is not a date (YYYY-MM-DD)") }
        guard (tenant == nil) != (!all) || (tenant != nil && !all) else { throw ValidationError("give --tenant REF or --all") }
        if tenant != nil && all { throw ValidationError("give --tenant REF or --all, not both") }
    }

    func run() async throws {
        let date = CalendarDate(iso: asOf)!
        let (tenant, all, wait) = (self.tenant, self.all, self.wait)
        let terminal = isatty(1) == 1
        let failed = try await database.withDatabase { pool -> Bool in
            let tenants: [String] = all
                ? try await pool.withConnection { connection in
                    try connection.query("SELECT tenant_ref FROM tenants ORDER BY tenant_ref COLLATE \"C\"").rows.map { try $0.decode(String.self, at: 0) }
                }
                : [tenant!]
            var outcomes: [Recalculation.Outcome] = []
            var failures: [String] = []
            for (index, ref) in tenants.enumerated() {
                if terminal {
                    FileHandle.standardOutput.write(Data("[\(index + 1)/\(tenants.count)] \(ref): recalculating as of \(date)…\r".utf8))
                }
                do {
                    let outcome = try await Recalculation.run(pool: pool, tenantRef: ref, asOf: date, wait: wait)
                    outcomes.append(outcome)
                    print("[\(index + 1)/\(tenants.count)] \(ref): \(String(format: "%.2f", outcome.seconds)) s, \(outcome.breaches.count) breach\(outcome.breaches.count == 1 ? "" : "es")" + String(repeating: " ", count: 20))
                } catch {
                    failures.append(ref)
                    printError("[\(index + 1)/\(tenants.count)] \(ref): not recalculated: \(error)")
                }
            }
            Self.printSummary(outcomes, date: date)
            return !failures.isEmpty
        }
        if failed { throw ExitCode.failure }
    }

    /// Breaches by code over every tenant, and what changed since each tenant's previous snapshot.
    static func printSummary(_ outcomes: [Recalculation.Outcome], date: CalendarDate) {
        guard !outcomes.isEmpty else { return }
        let all = outcomes.flatMap(\.breaches)
        print("\nsnapshot as of \(date): \(outcomes.count) tenant\(outcomes.count == 1 ? "" : "s"), \(all.count) breach\(all.count == 1 ? "" : "es")")
        for (code, count) in Dictionary(grouping: all, by: \.code).mapValues(\.count).sorted(by: { $0.key < $1.key }) {
            print("  \(code): \(count)")
        }
        for outcome in outcomes {
            guard let previous = outcome.previousAsOf else {
                print("\(outcome.tenantRef): no earlier snapshot to compare with")
                continue
            }
            print("\(outcome.tenantRef): since \(previous): \(outcome.newBreaches.count) new, \(outcome.clearedBreaches.count) cleared")
            for breach in outcome.newBreaches.prefix(10) { print("  new      \(breach.code) \(breach.level) \(breach.subject)") }
            for breach in outcome.clearedBreaches.prefix(10) { print("  cleared  \(breach.code) \(breach.level) \(breach.subject)") }
            let more = max(0, outcome.newBreaches.count - 10) + max(0, outcome.clearedBreaches.count - 10)
            if more > 0 { print("  … and \(more) more") }
        }
    }
}
