import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// The real `factor-risk` binary, run as a user would run it.
@Suite("factor-risk command line")
struct CommandLineTests {
    let binary: String

    init() throws {
        binary = try BinaryLocator.factorRisk()
    }

    func run(_ arguments: [String], databaseURL: String? = nil, in folder: String = "/tmp") throws -> ProcessRunner.Outcome {
        // An empty DATABASE_URL removes any the test run inherited: the embedded cluster is then used.
        try ProcessRunner(workingDirectory: folder).run(binary, arguments, environment: ["DATABASE_URL": databaseURL ?? ""])
    }

    @Test("migrate --dry-run lists the pending migrations and creates nothing; migrate applies them once")
    func migrateAgainstAServer() async throws {
        let database = try await TestCluster.shared.emptyDatabase("cli")
        let dryRun = try run(["migrate", "--dry-run"], databaseURL: database.conninfo)
        #expect(dryRun.status == 0, "\(dryRun.output)")
        #expect(dryRun.output.contains("pending: 0001_schema_v1.sql"))
        let connection = try database.connect()
        #expect(try connection.query("SELECT to_regclass('documents') IS NULL").first?.decode(Bool.self, at: 0) == true)

        let applied = try run(["migrate"], databaseURL: database.conninfo)
        #expect(applied.status == 0, "\(applied.output)")
        #expect(applied.output.contains("applied: 0001_schema_v1.sql"))
        #expect(try connection.query("SELECT count(*) FROM factor_risk_migrations").first?.decode(Int.self, at: 0) == Migration.bundled.count)

        let again = try run(["migrate"], databaseURL: database.conninfo)
        #expect(again.output.contains("schema is up to date"))
        let status = try run(["db", "status"], databaseURL: database.conninfo)
        #expect(status.output.contains("migrations: \(Migration.bundled.count) applied, 0 pending"), "\(status.output)")
        #expect(status.output.contains("tenants: 0"))
    }

    @Test("an unreachable DATABASE_URL is a one-line error and a non-zero exit, no stack trace")
    func unreachableServer() throws {
        let outcome = try run(["migrate"], databaseURL: "postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("cannot connect to PostgreSQL"), "\(outcome.output)")
        #expect(!outcome.output.contains("Fatal error"))
    }

    @Test("without DATABASE_URL the embedded cluster is created, started for a command and stopped after it")
    func embeddedLifecycle() throws {
        let folder = TestCluster.temporaryFolder("cli-embedded")
        defer {
            _ = try? run(["db", "stop", "--state-dir", "\(folder)/state"])
            try? FileManager.default.removeItem(atPath: folder)
        }
        let state = ["--state-dir", "\(folder)/state"]
        let fresh = try run(["db", "status"] + state)
        #expect(fresh.output.contains("cluster: not created yet"), "\(fresh.output)")

        // A command that needs the database starts the cluster for its own length only.
        let migrated = try run(["migrate"] + state)
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(migrated.output.contains("applied: 0001_schema_v1.sql"))
        #expect(try run(["db", "status"] + state).output.contains("cluster: stopped"))

        let started = try run(["db", "start"] + state)
        #expect(started.status == 0, "\(started.output)")
        #expect(started.output.contains("started PostgreSQL"))
        #expect(try run(["db", "start"] + state).output.contains("already running"))
        let status = try run(["db", "status"] + state)
        #expect(status.output.contains("cluster: running"), "\(status.output)")
        #expect(status.output.contains("migrations: \(Migration.bundled.count) applied, 0 pending"))
        // The state folder's default is the current folder's .factor-risk.
        let relative = try run(["db", "status"], in: folder)
        #expect(relative.output.contains("state folder: \(folder)/.factor-risk"), "\(relative.output)")

        let psql = try run(["db", "psql"] + state + ["-tA", "-c", "SELECT count(*) FROM currencies"])
        #expect(psql.output.trimmingCharacters(in: .whitespacesAndNewlines) == "168", "\(psql.output)")

        #expect(try run(["db", "stop"] + state).output.contains("stopped"))
        #expect(try run(["db", "stop"] + state).output.contains("not running"))
    }

    @Test("import loads a bundle and reports per file; a bad bundle exits 1 listing line and column; tenant list/show count rows")
    func importAndTenantCommands() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli_import")
        let loaded = try run(["import", "--tenant", "demo", Fixtures.workedExample], databaseURL: database.conninfo)
        #expect(loaded.status == 0, "\(loaded.output)")
        #expect(loaded.output.contains("tenant demo (created)"))
        #expect(loaded.output.contains("documents.csv: 12 rows, 12 new, 0 updated, 0 unchanged"))

        let bundle = try Fixtures.workedExampleCopy("cli-bad")
        try Fixtures.write("client_ref,debtor_ref,approved\nC1,D1,100.001\n", "approvals.csv", in: bundle)
        let refused = try run(["import", "--tenant", "demo", bundle], databaseURL: database.conninfo)
        #expect(refused.status == 1)
        #expect(refused.output.contains("the bundle was not imported (nothing was written): 1 problem"), "\(refused.output)")
        #expect(refused.output.contains("approvals.csv line 2, column approved: \"100.001\" is not an amount"))

        let list = try run(["tenant", "list"], databaseURL: database.conninfo)
        let row = list.output.split(separator: "\n").first { $0.hasPrefix("demo") }.map { $0.split(separator: " ").map(String.init) }
        #expect(row == ["demo", "EUR", "3", "2", "4", "5", "12", "2"], "\(list.output)")
        let show = try run(["tenant", "show", "demo"], databaseURL: database.conninfo)
        #expect(show.output.contains("own funds:     1,000,000.00"), "\(show.output)")
        #expect(try run(["tenant", "show", "nobody"], databaseURL: database.conninfo).status == 1)
    }

    @Test("seed writes the same bundle for the same seed, and loads straight in without --out")
    func seedIsDeterministicAndLoads() async throws {
        let folder = TestCluster.temporaryFolder("cli-seed")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for run in ["a", "b"] {
            let outcome = try self.run(["seed", "--tenant", "synthetic", "--documents", "3000", "--seed", "11", "--as-of", "2026-11-20", "--out", "\(folder)/\(run)"])
            #expect(outcome.status == 0, "\(outcome.output)")
        }
        for file in BundleFile.allCases {
            let a = FileManager.default.contents(atPath: "\(folder)/a/\(file.fileName)")
            #expect(a != nil && a == FileManager.default.contents(atPath: "\(folder)/b/\(file.fileName)"), "\(file.fileName)")
        }
        let other = try run(["seed", "--tenant", "synthetic", "--documents", "3000", "--seed", "12", "--as-of", "2026-11-20", "--out", "\(folder)/c"])
        #expect(other.status == 0)
        #expect(FileManager.default.contents(atPath: "\(folder)/a/documents.csv") != FileManager.default.contents(atPath: "\(folder)/c/documents.csv"))

        let database = try await TestCluster.shared.freshDatabase("cli_seed")
        let loaded = try run(["seed", "--tenant", "synthetic", "--documents", "3000", "--seed", "11", "--as-of", "2026-11-20"], databaseURL: database.conninfo)
        #expect(loaded.status == 0, "\(loaded.output)")
        #expect(loaded.output.contains("documents.csv: 3000 rows, 3000 new"))
        let connection = try database.connect()
        #expect(try connection.query("SELECT count(*) FROM documents").first?.decode(Int.self, at: 0) == 3000)
        // Loading the written bundle again changes nothing: it is the same portfolio.
        let again = try run(["import", "--tenant", "synthetic", "\(folder)/a"], databaseURL: database.conninfo)
        #expect(again.output.contains("documents.csv: 3000 rows, 0 new, 0 updated, 3000 unchanged"), "\(again.output)")
    }

    @Test("recalc stores the snapshot and report shows it as FORMATS.md says, in json, csv and table")
    func recalcAndReport() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli_recalc")
        let url = database.conninfo
        _ = try run(["import", "--tenant", "demo", Fixtures.workedExample], databaseURL: url)
        let missing = try run(["report", "--tenant", "demo", "--as-of", "2026-11-20", "--by", "debtor"], databaseURL: url)
        #expect(missing.status == 1)
        #expect(missing.output.contains("no snapshot of tenant \"demo\" as of 2026-11-20"))

        let recalc = try run(["recalc", "--as-of", "2026-11-20", "--all"], databaseURL: url)
        #expect(recalc.status == 0, "\(recalc.output)")
        #expect(recalc.output.contains("[1/1] demo:"))
        #expect(recalc.output.contains("OVER_ADVANCE: 2"))

        for level in ReportLevel.allCases {
            let json = try run(["report", "--tenant", "demo", "--as-of", "2026-11-20", "--by", level.rawValue, "--format", "json"], databaseURL: url)
            let expected = try JSONSerialization.jsonObject(with: ExpectedReport.data(Fixtures.workedExample, level)) as! NSObject
            let produced = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? NSObject
            #expect(produced == expected, "\(level.rawValue)")
        }
        let csv = try run(["report", "--tenant", "demo", "--as-of", "2026-11-20", "--by", "pair", "--format", "csv"], databaseURL: url)
        let lines = csv.output.split(separator: "\n")
        #expect(lines.first == "client_ref,debtor_ref,approved,gross,credit_notes,ineligible_paid,ineligible_disputed,ineligible_undeposited,ineligible_aged,ineligible_affiliate,ineligible_embargo,ineligible_unapproved,ineligible_cross_aged,eligible,guaranteed,over_approval,cover_bp,covered,risk_weighted,cross_aged,new_debtor,pending_approved,pending_on,projected_guaranteed")
        #expect(lines.count == 6)
        let flagged = try run(["report", "--tenant", "demo", "--as-of", "2026-11-20", "--by", "debtor", "--flag", "DEBTOR_LIMIT_WARN", "--format", "csv"], databaseURL: url)
        #expect(flagged.output.split(separator: "\n").count == 2)
        #expect(flagged.output.contains("\nD1,FR,G1,150000.00,"))
        let top = try run(["report", "--tenant", "demo", "--as-of", "2026-11-20", "--by", "debtor", "--sort", "headroom", "--top", "1", "--format", "table"], databaseURL: url)
        // D3 has the most headroom: 55,000.00.
        #expect(top.output.contains("D3"), "\(top.output)")
        #expect(top.output.contains("55,000.00"))
        #expect(top.output.contains("(1 row)"))
        let bad = try run(["report", "--tenant", "demo", "--as-of", "2026-11-20", "--by", "region"], databaseURL: url)
        #expect(bad.status != 0)
        #expect(bad.output.contains("--by: \"region\" is not one of"))
    }

    @Test("recalc --all --jobs 3 recalculates every tenant once, side by side, into the same snapshots as one at a time")
    func recalcAllInParallel() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli_recalc_jobs")
        let url = database.conninfo
        let tenants = ["p1", "p2", "p3", "p4", "p5"]
        for (index, tenant) in tenants.enumerated() {
            let seeded = try run(["seed", "--tenant", tenant, "--documents", "1500", "--seed", String(40 + index), "--as-of", "2026-11-20"], databaseURL: url)
            #expect(seeded.status == 0, "\(seeded.output)")
        }
        let connection = try database.connect()
        // Every stored row of every snapshot table (but the time it was computed), per tenant, as one digest each.
        func digests() throws -> [String] {
            try ["snapshots", "snapshot_pairs", "snapshot_clients", "snapshot_debtors", "snapshot_groups", "snapshot_countries"].map { table in
                try connection.query("""
                    SELECT coalesce(string_agg(tenant_id || ':' || md5(r::text), ',' ORDER BY tenant_id, md5(r::text)), '')
                    FROM (SELECT tenant_id, to_jsonb(s) - 'computed_at' AS r FROM \(table) s) q
                    """).first!.decode(String.self, at: 0)
            }
        }
        let parallel = try run(["recalc", "--as-of", "2026-11-20", "--all", "--jobs", "3"], databaseURL: url)
        #expect(parallel.status == 0, "\(parallel.output)")
        for tenant in tenants {
            #expect(parallel.output.components(separatedBy: "] \(tenant): ").count == 2, "\(tenant) once: \(parallel.output)")
        }
        #expect(parallel.output.contains("[5/5] "))
        #expect(parallel.output.contains("snapshot as of 2026-11-20: 5 tenants"))
        let side = try digests()
        #expect(try connection.query("SELECT count(DISTINCT tenant_id) FROM snapshot_pairs").first?.decode(Int.self, at: 0) == 5)

        let serial = try run(["recalc", "--as-of", "2026-11-20", "--all", "--jobs", "1"], databaseURL: url)
        #expect(serial.status == 0, "\(serial.output)")
        #expect(try digests() == side)
        // A client's tier is a letter: sorted as text, A first, as the in-memory sort of other text fields.
        let byTier = try run(["report", "--tenant", "p1", "--as-of", "2026-11-20", "--by", "client", "--sort", "tier", "--format", "csv"], databaseURL: url)
        let lines = byTier.output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let tierColumn = try #require(lines.first?.firstIndex(of: "tier"))
        let tiers = lines.dropFirst().map { $0[tierColumn] }
        #expect(tiers == tiers.sorted())
        #expect(Set(tiers).count > 1, "\(tiers)")

        let refused = try run(["recalc", "--as-of", "2026-11-20", "--all", "--jobs", "0"], databaseURL: url)
        #expect(refused.status != 0)
        #expect(refused.output.contains("--jobs must be from 1 to 64"))
        let alone = try run(["recalc", "--as-of", "2026-11-20", "--tenant", "p1", "--jobs", "2"], databaseURL: url)
        #expect(alone.status != 0)
        #expect(alone.output.contains("--jobs goes with --all"))

        // A month on, p1's ageing has moved: what changed since the 20th, counted here from the stored
        // flags of both snapshots (read row by row, compared as sets), and at most ten of each listed.
        let later = try run(["recalc", "--as-of", "2026-12-20", "--tenant", "p1"], databaseURL: url)
        #expect(later.status == 0, "\(later.output)")
        func breaches(_ date: String) throws -> Set<String> {
            var found = Set<String>()
            for (level, table, key) in [("client", "snapshot_clients", "client_ref"), ("debtor", "snapshot_debtors", "debtor_ref"),
                                        ("group", "snapshot_groups", "group_ref"), ("country", "snapshot_countries", "country")] {
                for row in try connection.query("""
                    SELECT \(key)::text, array_to_string(flags, ' ') FROM \(table) s JOIN tenants t USING (tenant_id)
                    WHERE t.tenant_ref = 'p1' AND s.as_of = $1::date
                    """, [date]).rows {
                    let subject: String = try row.decode(at: 0)
                    for code in try row.decode(String.self, at: 1).split(separator: " ")
                    where RiskFlag(rawValue: String(code))?.level == .breach {
                        found.insert("\(code) \(level) \(subject)")
                    }
                }
            }
            return found
        }
        let (before, after) = (try breaches("2026-11-20"), try breaches("2026-12-20"))
        let (added, cleared) = (after.subtracting(before), before.subtracting(after))
        #expect(added.count + cleared.count > 0, "the month changes nothing: the test would prove little")
        #expect(later.output.contains("p1: since 2026-11-20: \(added.count) new, \(cleared.count) cleared"), "\(later.output)")
        let listed = later.output.split(separator: "\n").filter { $0.hasPrefix("  new ") || $0.hasPrefix("  cleared ") }
        #expect(listed.count == min(10, added.count) + min(10, cleared.count))
        for line in listed {
            let words = line.split(separator: " ")
            #expect((words[0] == "new" ? added : cleared).contains(words.dropFirst().joined(separator: " ")), "\(line)")
        }
        let more = added.count + cleared.count - listed.count
        #expect(later.output.contains("… and \(more) more") == (more > 0), "\(later.output)")
    }

    @Test("the cash example (RULEBOOK §8.6) through import, recalc and report at every level; sorted by a v2 figure; diff names its cash breaches")
    func cashExampleEndToEnd() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli_cash")
        let url = database.conninfo
        _ = try loadExample("cash", recalculatedOn: ["2026-07-01", "2026-11-20"], databaseURL: url)
        try expectExpectedReports("cash", asOf: "2026-11-20", databaseURL: url)
        // K1 holds 10,000.00 of unremitted cash, K2 none: largest first.
        let sorted = try run(["report", "--tenant", "cash", "--as-of", "2026-11-20", "--by", "client", "--sort", "unremitted", "--format", "csv"],
                             databaseURL: url)
        let rows = sorted.output.split(separator: "\n")
        let column = try #require(rows.first?.split(separator: ",").firstIndex(of: "unremitted"))
        #expect(rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[column] } == ["10000.00", "0.00"])
        // On 2026-07-01 K1 had collected nothing and no invoice was reported paid: both cash breaches are new since.
        let diff = try run(["diff", "--tenant", "cash", "--from", "2026-07-01", "--to", "2026-11-20", "--format", "csv"], databaseURL: url)
        let lines = diff.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("breach,new,client,K1,UNREMITTED_COLLECTIONS,") && $0.contains(",10000.00,") }, "\(diff.output)")
        #expect(lines.contains { $0.hasPrefix("breach,new,client,K1,PAID_STILL_OPEN,") && $0.contains(",50000.00,") }, "\(diff.output)")
    }

    /// Imports the fixture bundle `Tests/Fixtures/<name>` as tenant `name` and recalculates it on
    /// each date, expecting every step to succeed; returns the bundle's output of `import`.
    func loadExample(_ name: String, recalculatedOn dates: [String], databaseURL url: String) throws -> String {
        let imported = try run(["import", "--tenant", name, "\(Fixtures.packageRoot)/Tests/Fixtures/\(name)"], databaseURL: url)
        #expect(imported.status == 0, "\(imported.output)")
        for date in dates {
            let recalc = try run(["recalc", "--as-of", date, "--tenant", name], databaseURL: url)
            #expect(recalc.status == 0, "\(recalc.output)")
        }
        return imported.output
    }

    /// `report --format json` of every level of tenant `name` equals the fixture's `expected/<level>.json`.
    func expectExpectedReports(_ name: String, asOf date: String, databaseURL url: String) throws {
        let folder = "\(Fixtures.packageRoot)/Tests/Fixtures/\(name)"
        for level in ReportLevel.allCases {
            let json = try run(["report", "--tenant", name, "--as-of", date, "--by", level.rawValue, "--format", "json"], databaseURL: url)
            let expected = try JSONSerialization.jsonObject(with: ExpectedReport.data(folder, level)) as! NSObject
            // Output that is not JSON fails this level and lets the test go on.
            #expect((try? JSONSerialization.jsonObject(with: Data(json.output.utf8))) as? NSObject == expected, "\(level.rawValue): \(json.output)")
        }
    }
}
