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

    @Option(help: "With --all, how many tenants are recalculated at once, each on its own connection (default: one per processor).")
    var jobs: Int?

    func validate() throws {
        guard CalendarDate(iso: asOf) != nil else { throw ValidationError("--as-of: \"\(asOf)\" is not a date (YYYY-MM-DD)") }
        guard (tenant == nil) != (!all) || (tenant != nil && !all) else { throw ValidationError("give --tenant REF or --all") }
        if tenant != nil && all { throw ValidationError("give --tenant REF or --all, not both") }
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be from 1 to 64") }
        if jobs != nil && !all { throw ValidationError("--jobs goes with --all") }
    }

    func run() async throws {
        let date = CalendarDate(iso: asOf)!
        let (tenant, all, wait) = (self.tenant, self.all, self.wait)
        // Tenants side by side, one per core; a tenant alone (one tenant, or one job) has PostgreSQL
        // split its pass over the documents between processes instead.
        let jobs = all ? (self.jobs ?? min(16, max(1, ProcessInfo.processInfo.activeProcessorCount))) : 1
        let terminal = isatty(1) == 1
        let failed = try await database.withStores(maxConnections: jobs + 1) { stores -> Bool in
            let tenants: [String] = all ? try await stores.tenants.refs() : [tenant!]
            let parallel = jobs == 1 || tenants.count == 1
            let recalculate: @Sendable (Int) async -> (Int, Result<Recalculation.Outcome, any Error>) = { index in
                do {
                    return (index, .success(try await stores.recalculate(tenants[index], asOf: date, wait: wait, parallel: parallel)))
                } catch {
                    return (index, .failure(error))
                }
            }
            let (outcomes, failures) = await withTaskGroup(of: (Int, Result<Recalculation.Outcome, any Error>).self) { group in
                var outcomes: [(Int, Recalculation.Outcome)] = []
                var failures = 0
                var running = Set<Int>()
                var next = 0
                while true {
                    while running.count < jobs && next < tenants.count {
                        let index = next
                        next += 1
                        running.insert(index)
                        group.addTask { await recalculate(index) }
                    }
                    if terminal, !running.isEmpty {
                        let names = running.sorted().map { tenants[$0] }.joined(separator: ", ")
                        FileHandle.standardOutput.write(Data("[\(outcomes.count + failures)/\(tenants.count)] recalculating \(names) as of \(date)…\u{1B}[K\r".utf8))
                    }
                    guard let (index, result) = await group.next() else { break }
                    running.remove(index)
                    let label = "[\(outcomes.count + failures + 1)/\(tenants.count)] \(tenants[index])"
                    switch result {
                    case .success(let outcome):
                        outcomes.append((index, outcome))
                        print("\(label): \(String(format: "%.2f", outcome.seconds)) s, \(outcome.breachTotal) breach\(outcome.breachTotal == 1 ? "" : "es")" + (terminal ? "\u{1B}[K" : ""))
                    case .failure(let error):
                        failures += 1
                        if terminal { FileHandle.standardOutput.write(Data("\u{1B}[K".utf8)) }
                        printError("\(label): not recalculated: \(error)")
                    }
                }
                return (outcomes, failures)
            }
            Self.printSummary(outcomes.sorted { $0.0 < $1.0 }.map(\.1), date: date)
            return failures > 0
        }
        if failed { throw ExitCode.failure }
    }

    /// Breaches by code over every tenant, and what changed since each tenant's previous snapshot.
    static func printSummary(_ outcomes: [Recalculation.Outcome], date: CalendarDate) {
        guard !outcomes.isEmpty else { return }
        let counts = outcomes.reduce(into: [String: Int]()) { counts, outcome in counts.merge(outcome.breachCounts, uniquingKeysWith: +) }
        let total = counts.values.reduce(0, +)
        print("\nsnapshot as of \(date): \(outcomes.count) tenant\(outcomes.count == 1 ? "" : "s"), \(total) breach\(total == 1 ? "" : "es")")
        for (code, count) in counts.sorted(by: { $0.key < $1.key }) {
            print("  \(code): \(count)")
        }
        for outcome in outcomes {
            guard let previous = outcome.previousAsOf else {
                print("\(outcome.tenantRef): no earlier snapshot to compare with")
                continue
            }
            print("\(outcome.tenantRef): since \(previous): \(outcome.newCount) new, \(outcome.clearedCount) cleared")
            for breach in outcome.newBreaches { print("  new      \(breach.code) \(breach.level) \(breach.subject)") }
            for breach in outcome.clearedBreaches { print("  cleared  \(breach.code) \(breach.level) \(breach.subject)") }
            let more = outcome.newCount - outcome.newBreaches.count + outcome.clearedCount - outcome.clearedBreaches.count
            if more > 0 { print("  … and \(more) more") }
        }
    }
}
