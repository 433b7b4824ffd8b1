import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// `factor-risk whatif` through the real binary on the limits example (RULEBOOK.md §9.4,
/// `Tests/Fixtures/limits`): FORMATS.md's JSON against the expected answers, the analyst's table and
/// CSV with the figures the example's README works out, `--by` as `report` prints a level, and the
/// refusals at the edge.
@Suite("factor-risk whatif")
struct WhatIfCommandTests {
    let binary: String

    init() throws {
        binary = try BinaryLocator.factorRisk()
    }

    static let expected = "\(Fixtures.limitsExample)/expected"
    static let date = ["--tenant", "limits", "--as-of", "2026-11-20"]

    func run(_ arguments: [String], databaseURL: String) throws -> ProcessRunner.Outcome {
        try ProcessRunner(workingDirectory: "/tmp").run(binary, ["whatif"] + arguments, environment: ["DATABASE_URL": databaseURL])
    }

    /// A fresh database holding the limits example as tenant "limits" (no snapshot: a scenario needs none).
    func limitsDatabase(_ label: String) async throws -> TestDatabase {
        let database = try await TestCluster.shared.freshDatabase(label)
        let imported = try await ProcessRunner(workingDirectory: "/tmp").run(
            binary, ["import", "--tenant", "limits", Fixtures.limitsExample], environment: ["DATABASE_URL": database.conninfo])
        #expect(imported.status == 0, "\(imported.output)")
        return database
    }

    static func object(_ text: String) -> NSObject? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSObject
    }

    static func expectedObject(_ name: String) throws -> NSObject? {
        object(try String(contentsOfFile: "\(expected)/\(name)", encoding: .utf8))
    }

    @Test("the refusals at the edge: --worst with a scenario, a grade not CC=G, a country not ISO, a grade above 7, no scenario, a bad level or date")
    func refusedAtTheEdge() throws {
        // Refused before any database is looked for.
        let nowhere = "host=/nonexistent connect_timeout=1"
        let cases: [([String], String)] = [
            (["--worst", "3", "--default", "GB"], "--worst ranks single defaults of their own"),
            (["--worst", "3", "--grade", "ES=3"], "--worst ranks single defaults of their own"),
            (["--worst", "0"], "--worst must be from 1 to 1000"),
            (["--grade", "ES3"], "\"ES3\" is not CC=G"),
            (["--grade", "es=3"], "\"es\" is not an ISO 3166 country code"),
            (["--grade", "ESP=3"], "\"ESP\" is not an ISO 3166 country code"),
            (["--grade", "ES=8"], "\"8\" is not a grade from 0 to 7"),
            (["--grade", "ES=3", "--grade", "ES=4"], "ES is given two grades, 3 and 4"),
            ([], "name a scenario with --default GROUP or --grade CC=G"),
            (["--default", "GB", "--by", "nowhere"], "--by: \"nowhere\" is not one of"),
            (["--default", "GB", "--save", "a b"], "--save: \"a b\" is not a name"),
        ]
        for (arguments, message) in cases {
            let outcome = try run(Self.date + arguments, databaseURL: nowhere)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.output.contains(message), "\(arguments): \(outcome.output)")
        }
        let badDate = try run(["--tenant", "limits", "--as-of", "2026-02-30", "--default", "GB"], databaseURL: nowhere)
        #expect(badDate.status != 0 && badDate.output.contains("\"2026-02-30\" is not a date"), "\(badDate.output)")
    }

    @Test("a group the tenant does not have is named in the error, exit 1; so is a tenant's debtor that is in a group")
    func unknownGroup() async throws {
        let database = try await limitsDatabase("cli_whatif_unknown")
        // M1 is a debtor of the example, but its group is GA: M1 names no group.
        let outcome = try run(Self.date + ["--default", "GB", "--default", "NOPE", "--default", "M1", "--format", "json"],
                              databaseURL: database.conninfo)
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains(#"no group "M1", "NOPE" in this tenant"#), "\(outcome.output)")
        #expect(!outcome.output.contains("\"loss\""), "\(outcome.output)")
    }

    @Test("while another session holds the tenant's scenario lock, whatif says so and exits 1")
    func busy() async throws {
        let database = try await limitsDatabase("cli_whatif_busy")
        let holder = try database.connect()
        let id = try holder.query("SELECT tenant_id FROM tenants WHERE tenant_ref = 'limits'").first!.decode(Int64.self, at: 0)
        try holder.query("SELECT pg_advisory_lock($1)", [TenantScope(id: id).key(.scenario)])
        for arguments in [["--default", "GB"], ["--worst", "3"]] {
            let outcome = try run(Self.date + arguments, databaseURL: database.conninfo)
            #expect(outcome.status == 1, "\(arguments): \(outcome.output)")
            #expect(outcome.output.contains("another what-if scenario or ranking of this tenant is running"), "\(outcome.output)")
        }
    }

    @Test("JSON: the two scenarios answer expected/whatif-gb.json and whatif-ga-es.json, --worst 5 answers worst.json")
    func json() async throws {
        let database = try await limitsDatabase("cli_whatif_json")
        for (name, arguments) in [("gb", ["--default", "GB"]), ("ga-es", ["--default", "GA", "--grade", "ES=3"])] {
            let outcome = try run(Self.date + arguments + ["--format", "json"], databaseURL: database.conninfo)
            #expect(outcome.status == 0, "\(name): \(outcome.output)")
            #expect(Self.object(outcome.output) == (try Self.expectedObject("whatif-\(name).json")), "\(name): \(outcome.output)")
        }
        let worst = try run(Self.date + ["--worst", "5", "--format", "json"], databaseURL: database.conninfo)
        #expect(Self.object(worst.output) == (try Self.expectedObject("worst.json")), "\(worst.output)")
    }

    @Test("table and CSV: GB's loss 126,000 is 12.60 % of own funds, L1 over-advanced, M4's breach cleared; the ranking GB, GA, M5")
    func tableAndCSV() async throws {
        let database = try await limitsDatabase("cli_whatif_text")
        let url = database.conninfo
        let csv = try run(Self.date + ["--default", "GB", "--format", "csv"], databaseURL: url)
        #expect(csv.output == """
            kind,level,subject,code,loss,loss_own_funds_bp
            loss,,,,126000.00,1260
            new,client,L1,OVER_ADVANCE,,
            cleared,debtor,M4,DEBTOR_LIMIT_BREACH,,

            """, "\(csv.output)")
        let table = try run(Self.date + ["--default", "GB", "--format", "table"], databaseURL: url)
        let lines = table.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.first == "limits as of 2026-11-20, if GB defaults", "\(table.output)")
        #expect(lines.contains("Loss 126,000.00 EUR (12.60 % of own funds)"), "\(table.output)")
        #expect(lines.contains("New breaches (1)") && lines.contains("client L1 OVER_ADVANCE"), "\(table.output)")
        #expect(lines.contains("Cleared breaches (1)") && lines.contains("debtor M4 DEBTOR_LIMIT_BREACH"), "\(table.output)")

        let ranking = try run(Self.date + ["--worst", "10", "--format", "csv"], databaseURL: url)
        #expect(ranking.output == """
            rank,group_ref,loss,loss_own_funds_bp,new_breaches
            1,GB,126000.00,1260,1
            2,GA,60000.00,600,2
            3,M5,7000.01,70,0

            """, "\(ranking.output)")
        let rankingTable = try run(Self.date + ["--worst", "10", "--format", "table"], databaseURL: url)
        let rows = rankingTable.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows.contains("1 GB 126,000.00 12.60 % 1 client L1 OVER_ADVANCE"), "\(rankingTable.output)")
        #expect(rows.contains("2 GA 60,000.00 6.00 % 2 client L1 OVER_ADVANCE, client L2 OVER_ADVANCE"), "\(rankingTable.output)")
        #expect(rows.contains("3 M5 7,000.01 0.70 % 0"), "\(rankingTable.output)")
    }

    @Test("--by prints the scenario's rows as report prints a level: under GB, L1's availability −32,500 and L2's 12,000; M4 at zero")
    func byLevel() async throws {
        let database = try await limitsDatabase("cli_whatif_by")
        let clients = try run(Self.date + ["--default", "GB", "--by", "client", "--format", "csv"], databaseURL: database.conninfo)
        let rows = clients.output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(rows.first, "\(clients.output)")
        let availability = try #require(header.firstIndex(of: "availability"), "\(clients.output)")
        #expect(header.first == "client_ref")
        #expect(rows.dropFirst().map { [$0[0], $0[availability]] } == [["L1", "-32500.00"], ["L2", "12000.00"]], "\(clients.output)")

        let debtors = try run(Self.date + ["--default", "GB", "--by", "debtor", "--format", "json"], databaseURL: database.conninfo)
        let object = Self.object(debtors.output) as? [String: Any]
        let m4 = (object?["rows"] as? [[String: Any]])?.first { $0["debtor_ref"] as? String == "M4" }
        #expect(m4?["gross"] as? String == "0.00" && m4?["covered"] as? String == "0.00", "\(debtors.output)")
        #expect(object?["tenant"] as? String == "limits" && object?["as_of"] as? String == "2026-11-20", "\(debtors.output)")
    }
}
