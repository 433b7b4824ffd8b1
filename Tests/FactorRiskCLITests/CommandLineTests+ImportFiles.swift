import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// `factor-risk import` with bundle files that cannot be read, names it does not know, and a
/// field that never ends: exit status 1, the file named, in bounded memory.
extension CommandLineTests {
    /// `import --tenant demo ARGUMENTS`, under GNU time when it is installed: (outcome, peak resident KiB or nil).
    func importMeasured(_ arguments: [String], databaseURL: String) throws -> (ProcessRunner.Outcome, Int?) {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            return (try run(["import", "--tenant", "demo"] + arguments, databaseURL: databaseURL), nil)
        }
        let outcome = try ProcessRunner(workingDirectory: "/tmp").run(
            time, ["-f", "peak-rss-kib %M", binary, "import", "--tenant", "demo"] + arguments, environment: ["DATABASE_URL": databaseURL])
        let peak = outcome.output.split(separator: "\n").last { $0.hasPrefix("peak-rss-kib ") }.flatMap { Int($0.dropFirst(13)) }
        return (outcome, peak)
    }

    @Test("import exits 1 naming an unreadable or unknown file, and stops an unclosed quote at the field cap in bounded memory")
    func importRefusesWhatItCannotRead() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli_files")
        let (loaded, baseline) = try importMeasured([Fixtures.workedExample], databaseURL: database.conninfo)
        #expect(loaded.status == 0, "\(loaded.output)")

        let zero = try Fixtures.workedExampleCopy("cli-zero")
        try FileManager.default.removeItem(atPath: "\(zero)/documents.csv")
        try FileManager.default.createSymbolicLink(atPath: "\(zero)/documents.csv", withDestinationPath: "/dev/zero")
        let device = try run(["import", "--tenant", "demo", zero], databaseURL: database.conninfo)
        #expect(device.status == 1)
        #expect(device.output.contains("documents.csv: cannot be read: a device, not a regular file"), "\(device.output)")

        let dangling = try run(["import", "--tenant", "demo", "--file", "\(zero)/nothing.csv"], databaseURL: database.conninfo)
        #expect(dangling.status == 1)
        #expect(dangling.output.contains("nothing.csv: not a bundle file name (a bundle's files are tenant.csv, countries.csv,"), "\(dangling.output)")

        let named = try Fixtures.workedExampleCopy("cli-names")
        try FileManager.default.moveItem(atPath: "\(named)/documents.csv", toPath: "\(named)/Documents.CSV")
        let unknown = try run(["import", "--tenant", "demo", named], databaseURL: database.conninfo)
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("Documents.CSV: not a bundle file name (a bundle's files are tenant.csv,"), "\(unknown.output)")
        #expect(unknown.output.contains("fx_rates.csv, collections.csv, remittances.csv, document_events.csv, limit_changes.csv, insurance.csv, policy.json)"), "\(unknown.output)")

        // A file of rulebook version 3 alone: loaded against the stored debtors and clients, then again to no effect.
        let limits = TestCluster.temporaryFolder("cli-limits")
        try Fixtures.write("""
            change_ref,debtor_ref,client_ref,new_limit,announced_on,effective_on
            K1,D1,,120000.00,2026-11-01,2026-12-01
            K2,D2,C1,0,2026-11-10,2026-11-20
            """, "limit_changes.csv", in: limits)
        let changes = try run(["import", "--tenant", "demo", "--file", "\(limits)/limit_changes.csv"], databaseURL: database.conninfo)
        #expect(changes.status == 0, "\(changes.output)")
        #expect(changes.output.contains("limit_changes.csv: 2 rows, 2 new, 0 updated, 0 unchanged"), "\(changes.output)")
        let repeated = try run(["import", "--tenant", "demo", "--file", "\(limits)/limit_changes.csv"], databaseURL: database.conninfo)
        #expect(repeated.output.contains("limit_changes.csv: 2 rows, 0 new, 0 updated, 2 unchanged"), "\(repeated.output)")
        try Fixtures.write("debtor_ref,insurer,insured_limit,cover_bp,valid_from,valid_to\nD9,Coface,1.00,9000,2026-01-01,\n", "insurance.csv", in: limits)
        let uninsurable = try run(["import", "--tenant", "demo", "--file", "\(limits)/insurance.csv"], databaseURL: database.conninfo)
        #expect(uninsurable.status == 1)
        #expect(uninsurable.output.contains("insurance.csv line 2, column debtor_ref: unknown debtor_ref \"D9\""), "\(uninsurable.output)")
        try FileManager.default.removeItem(atPath: limits)

        // 64 MiB after a quote that never closes: read before the fix as one field, held whole.
        let quoted = try Fixtures.workedExampleCopy("cli-quote")
        let handle = try #require(FileHandle(forWritingAtPath: "\(quoted)/documents.csv"))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\nI1,\"C1\n".utf8))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<64 { try handle.write(contentsOf: block) }
        try handle.close()
        let (stopped, peak) = try importMeasured([quoted], databaseURL: database.conninfo)
        #expect(stopped.status == 1)
        #expect(stopped.output.contains("documents.csv line 2, column field 2: malformed CSV: a field longer than 65,536 bytes (an unclosed quote?)"), "\(stopped.output)")
        if let baseline, let peak {
            #expect(peak < baseline + 16 * 1024, "peak \(peak) KiB, the worked example's \(baseline) KiB")
        }
        try FileManager.default.removeItem(atPath: quoted)
    }
}
