import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// What analysts run: the HTML report (rendered by headless Chromium), the diff, and the demo.
@Suite("factor-risk report --format html, diff and demo")
struct AnalystCommandTests {
    let binary: String

    init() throws {
        binary = try BinaryLocator.factorRisk()
    }

    func run(_ arguments: [String], databaseURL: String, in folder: String = "/tmp") throws -> ProcessRunner.Outcome {
        try ProcessRunner(workingDirectory: folder).run(binary, arguments, environment: ["DATABASE_URL": databaseURL])
    }

    /// The worked example, recalculated as of the 18th, 19th and 20th.
    func workedExample(_ label: String) async throws -> TestDatabase {
        let database = try await TestCluster.shared.freshDatabase(label)
        #expect(try run(["import", "--tenant", "demo", Fixtures.workedExample], databaseURL: database.conninfo).status == 0)
        for day in ["2026-11-18", "2026-11-19", "2026-11-20"] {
            #expect(try run(["recalc", "--tenant", "demo", "--as-of", day], databaseURL: database.conninfo).status == 0)
        }
        return database
    }

    @Test("the HTML report holds the snapshot's figures, and headless Chromium loads and renders it")
    func htmlReport() async throws {
        let database = try await workedExample("cli-html")
        let outcome = try run(["report", "--tenant", "demo", "--as-of", "2026-11-20", "--format", "html"], databaseURL: database.conninfo)
        #expect(outcome.status == 0)
        let page = outcome.output
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        for figure in ["125,000.00", "83.33 %", "-110,400.00", "30,000.00", "475,278", "2026-11-18", "2026-11-19", "OVER_ADVANCE"] {
            #expect(page.contains(figure), "the page shows \(figure)")
        }
        #expect(!page.contains("<script"))
        let missing = try run(["report", "--tenant", "demo", "--as-of", "2026-11-21", "--format", "html"], databaseURL: database.conninfo)
        #expect(missing.status != 0)

        let folder = TestCluster.temporaryFolder("cli-html-page")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try page.write(toFile: "\(folder)/report.html", atomically: true, encoding: .utf8)
        let chromium = try #require(["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                    "Chromium is installed by scripts/setup --browser")
        let browser = ProcessRunner(workingDirectory: folder)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(folder)/profile"]
        let dom = try await browser.run(chromium, flags + ["--dump-dom", "file://\(folder)/report.html"], environment: [:])
        #expect(dom.status == 0, "\(dom.output.suffix(2000))")
        for section in ["summary", "countries", "debtors", "concentration", "ageing", "breaches", "warnings", "confidential"] {
            #expect(dom.output.contains("id=\"\(section)\""), "Chromium's DOM has the \(section) section")
        }
        let shot = try await browser.run(
            chromium, flags + ["--hide-scrollbars", "--window-size=1100,2400", "--screenshot=\(folder)/report.png", "file://\(folder)/report.html"],
            environment: [:])
        #expect(shot.status == 0, "\(shot.output.suffix(2000))")
        let size = (try? FileManager.default.attributesOfItem(atPath: "\(folder)/report.png")[.size] as? Int) ?? 0
        #expect(size > 20_000, "a screenshot with something on it (\(size) bytes)")
        if let keep = ProcessInfo.processInfo.environment["FACTOR_RISK_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: "\(folder)/report.png", toPath: keep)
        }
    }

    @Test("diff between two snapshots: D3's cut credit limit makes a new breach; json, csv and table")
    func diff() async throws {
        let database = try await workedExample("cli-diff")
        let url = database.conninfo
        // After the 20th's snapshot, D3's limit falls from 100,000.00 to 40,000.00: 5,000.00 over.
        let connection = try database.connect()
        try connection.execute("UPDATE debtors SET credit_limit = 4000000 WHERE debtor_ref = 'D3'")
        #expect(try run(["recalc", "--tenant", "demo", "--as-of", "2026-11-20"], databaseURL: url).status == 0)
        let json = try run(["diff", "--tenant", "demo", "--from", "2026-11-19", "--to", "2026-11-20", "--format", "json"], databaseURL: url)
        #expect(json.status == 0, "\(json.output)")
        let parsed = try JSONValue.parse(Array(json.output.utf8))
        #expect(parsed["breaches"] == .array([
            .object([("change", .string("new")), ("subject", .string("debtor")), ("ref", .string("D3")), ("code", .string("DEBTOR_LIMIT_BREACH")),
                     ("before", .null), ("after", .string("5000.00"))]),
        ]), "\(json.output)")
        guard case .array(let moves)? = parsed["movements"] else { Issue.record("no movements"); return }
        // D3's available limit: 55,000.00 on the 19th (headroom), 0 on the 20th.
        #expect(moves.contains(.object([("subject", .string("debtor")), ("ref", .string("D3")), ("field", .string("available_limit")),
                                        ("before", .string("55000.00")), ("after", .string("0.00")), ("change", .string("-55000.00"))])))
        let csv = try run(["diff", "--tenant", "demo", "--from", "2026-11-19", "--to", "2026-11-20", "--format", "csv"], databaseURL: url)
        #expect(csv.output.contains("breach,new,debtor,D3,DEBTOR_LIMIT_BREACH,,5000.00,"))
        // The cut itself is listed among the limits that changed.
        #expect(csv.output.contains("\nlimit,down,debtor,D3,credit_limit,100000.00,40000.00,-60000.00\n"), "\(csv.output)")
        let table = try run(["diff", "--tenant", "demo", "--from", "2026-11-19", "--to", "2026-11-20", "--format", "table"], databaseURL: url)
        #expect(table.output.contains("DEBTOR_LIMIT_BREACH") && table.output.contains("5,000.00"))
        let none = try run(["diff", "--tenant", "demo", "--from", "2026-11-01", "--to", "2026-11-20"], databaseURL: url)
        #expect(none.status != 0)
        #expect(none.output.contains("no snapshot"))
    }

    @Test("demo seeds, recalculates day by day, prints the morning summary and writes the report; twice")
    func demo() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli-demo")
        let folder = TestCluster.temporaryFolder("cli-demo")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments = ["demo", "--documents", "3000", "--days", "3", "--as-of", "2026-11-20"]
        for _ in 0..<2 {
            let outcome = try run(arguments, databaseURL: database.conninfo, in: folder)
            #expect(outcome.status == 0, "\(outcome.output)")
            for heading in ["Portfolio:", "Breaches by code:", "Top 10 debtors by guaranteed outstanding:", "Countries over 80 % of their limit:",
                            "Confidential clients (", "HTML report: \(folder)/factor-risk-demo-2026-11-20.html", "factor-risk serve"] {
                #expect(outcome.output.contains(heading), "\(heading)")
            }
        }
        let page = try String(contentsOfFile: "\(folder)/factor-risk-demo-2026-11-20.html", encoding: .utf8)
        #expect(page.contains("2026-11-17") && page.contains("2026-11-20"))
        let connection = try database.connect()
        #expect(try connection.query("SELECT count(*) FROM snapshots").first?.decode(Int.self, at: 0) == 4)
        #expect(try connection.query("SELECT count(*) FROM documents").first?.decode(Int.self, at: 0) == 3000)
    }
}
