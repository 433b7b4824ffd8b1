import ArgumentParser
import FactorRiskPostgres

/// `factor-risk migrate`: applies the pending numbered migrations of sql/.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (each in a transaction, recorded with a checksum)."
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "List what would be applied; change nothing.")
    var dryRun = false

    func run() async throws {
        let dryRun = self.dryRun
        let report = try await database.withDatabase(migrate: false) { pool in
            try await pool.withConnection { try Migrator().migrate($0, dryRun: dryRun) }
        }
        print("database: \(database.targetDescription)")
        print("applied before: \(report.applied.count) migration(s)\(report.applied.last.map { ", latest \($0.version) \($0.name)" } ?? "")")
        if report.pending.isEmpty {
            print("schema is up to date")
        } else {
            for migration in report.pending {
                print("\(dryRun ? "pending" : "applied"): \(migration.fileName)")
            }
        }
    }
}
