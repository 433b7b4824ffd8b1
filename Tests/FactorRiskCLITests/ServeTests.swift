import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// `factor-risk serve` and `factor-risk key`, run as an operator would.
@Suite("factor-risk serve and key")
struct ServeTests {
    let binary: String

    init() throws {
        binary = try BinaryLocator.factorRisk()
    }

    func run(_ arguments: [String], databaseURL: String) throws -> ProcessRunner.Outcome {
        try ProcessRunner(workingDirectory: "/tmp").run(binary, arguments, environment: ["DATABASE_URL": databaseURL])
    }

    /// The server's port, read from the line it prints once it listens.
    static func port(of output: FileHandle) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var text = ""
                while true {
                    let data = output.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                    if let range = text.range(of: "serving http://127.0.0.1:"),
                       let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                        continuation.resume(returning: port)
                        return
                    }
                }
                continuation.resume(throwing: HTTPTestClient.Failure(description: "serve printed no address: \(text)"))
            }
        }
    }

    /// `factor-risk serve` on a free port of 127.0.0.1, and that port once it listens.
    func serve(databaseURL: String) async throws -> (Process, Int) {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--port", "0", "--key-cache-seconds", "0"]
        server.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": databaseURL]) { $1 }
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        do {
            return (server, try await Self.port(of: output.fileHandleForReading))
        } catch {
            server.terminate()
            throw error
        }
    }

    @Test("keys made by the key command open the API; a revoked one is refused; SIGTERM lets the request in flight finish")
    func serveKeysAndShutdown() async throws {
        let database = try await TestCluster.shared.freshDatabase("cli-serve")
        let url = database.conninfo
        #expect(try run(["import", "--tenant", "demo", Fixtures.workedExample], databaseURL: url).status == 0)
        let created = try run(["key", "create", "--tenant", "demo", "--role", "write", "--label", "desk"], databaseURL: url)
        #expect(created.status == 0, "\(created.output)")
        let token = try #require(created.output.split(separator: "\n").first { $0.hasPrefix("frk_") }.map(String.init))
        let spare = try #require(try run(["key", "create", "--tenant", "demo", "--role", "read"], databaseURL: url)
            .output.split(separator: "\n").first { $0.hasPrefix("frk_") }.map(String.init))
        let listed = try run(["key", "list", "--tenant", "demo"], databaseURL: url)
        #expect(listed.output.contains("write") && listed.output.contains("desk") && listed.output.contains("active"), "\(listed.output)")
        #expect(try run(["key", "create", "--tenant", "nobody", "--role", "read"], databaseURL: url).status != 0)
        #expect(try run(["key", "create", "--tenant", "demo", "--role", "root"], databaseURL: url).status != 0)

        let (server, port) = try await serve(databaseURL: url)
        defer { if server.isRunning { server.terminate() } }
        let client = HTTPTestClient(port: port, token: token)
        #expect(try await client.get("/v1/debtors/D1/exposure?as_of=2026-11-20").status == 200)

        // Revoked with the command: refused from the next request.
        #expect(try await client.with(token: spare).get("/v1/clients/C1/availability").status == 200)
        let keyID = spare.split(separator: "_")[2]
        #expect(try run(["key", "revoke", "--tenant", "demo", String(keyID)], databaseURL: url).status == 0)
        #expect(try await client.with(token: spare).get("/v1/clients/C1/availability").status == 401)

        // A request held on a row lock is in flight when SIGTERM arrives; it completes, then the server exits 0.
        let blocker = try database.connect()
        try blocker.execute("BEGIN")
        let tenant: Int64 = try blocker.query("SELECT tenant_id FROM tenants WHERE tenant_ref = 'demo'").first!.decode(at: 0)
        try blocker.query("SELECT 1 FROM debtors WHERE tenant_id = $1 AND debtor_ref = 'D1' FOR UPDATE", [tenant])
        let inFlight = Task {
            try await client.send("PUT", "/v1/debtors/D1/credit-limit", body: #"{"credit_limit": "140000.00", "reason": "shutdown test"}"#)
        }
        // In flight means waiting on the lock: watched for, not guessed with a sleep (a loaded machine
        // may take longer than any fixed delay to send it). On Citus the wait is on a worker, which
        // citus_stat_activity shows with the coordinator's sessions.
        let watcher = try database.connect()
        let activity = CitusCluster.isActive ? "citus_stat_activity" : "pg_stat_activity"
        for _ in 0..<200 {
            let waiting = try watcher.query(
                "SELECT count(*) FROM \(activity) WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).first?.decode(Int64.self, at: 0)
            if waiting ?? 0 > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(server.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.isRunning, "the server waits for the request in flight")
        try blocker.execute("COMMIT")
        let response = try await inFlight.value
        #expect(response.status == 200, "\(response.body)")
        for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning)
        #expect(server.terminationStatus == 0)
        // The decision is a change of D1's limit; debtors.csv's value stays.
        let limit = try blocker.query("""
            SELECT new_limit FROM limit_changes l JOIN debtors d USING (tenant_id, debtor_id) WHERE d.debtor_ref = 'D1' AND l.client_id IS NULL
            """).first?.decode(Int64.self, at: 0)
        #expect(limit == 14_000_000)
    }

    /// Where `scripts/setup` installs schemathesis.
    static let schemathesis = "\(Fixtures.packageRoot)/.tools/venv/bin/schemathesis"

    @Test("schemathesis against the served OpenAPI document: no server error and no answer the document does not describe",
          .timeLimit(.minutes(CitusCluster.isActive ? 12 : 4)))
    func schemathesisFindsNothing() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.schemathesis), "schemathesis is missing: run scripts/setup")
        let database = try await TestCluster.shared.freshDatabase("cli-schemathesis")
        let url = database.conninfo
        #expect(try run(["import", "--tenant", "demo", Fixtures.workedExample], databaseURL: url).status == 0)
        #expect(try run(["recalc", "--tenant", "demo", "--as-of", "2026-11-20"], databaseURL: url).status == 0)
        // An admin key reaches every operation, writes and the decision log included.
        let token = try #require(try run(["key", "create", "--tenant", "demo", "--role", "admin"], databaseURL: url)
            .output.split(separator: "\n").first { $0.hasPrefix("frk_") }.map(String.init))
        let (server, port) = try await serve(databaseURL: url)
        defer { if server.isRunning { server.terminate() } }
        let reports = TestCluster.temporaryFolder("schemathesis")
        defer { try? FileManager.default.removeItem(atPath: reports) }
        // A fixed number of examples per operation, a fixed seed and no example database, so that a
        // run repeats the last one (a time budget would make fuzzing repeat until it is spent); the
        // test's time limit stops a run that hangs.
        let outcome = try await ProcessRunner(workingDirectory: "/tmp").run(Self.schemathesis, [
            "run", "http://127.0.0.1:\(port)/openapi.json", "--header", "Authorization: Bearer \(token)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples", "300", "--seed", "14", "--workers", "1",
            "--generation-database", "none", "--no-color", "--report-dir", reports,
        ])
        #expect(outcome.status == 0, "\(outcome.output.suffix(20_000))")
    }
}
