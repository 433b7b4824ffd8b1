import FactorRiskPostgres
import Foundation

/// A Citus cluster the tests run on instead of their own PostgreSQL, when the URL of its
/// coordinator is in `FACTOR_RISK_TEST_CITUS_URL` (deploy/citus/README.md says how to start one).
///
/// The coordinator's database in the URL must have the citus extension and its workers added; each
/// suite's database is then made on the coordinator and on every worker, with the extension in
/// each, the workers added, the migrations applied and `deploy/citus/distribute.sql` run, so that
/// the suite runs on distributed tables exactly as a deployment would.
public struct CitusCluster: Sendable {
    public static let urlVariable = "FACTOR_RISK_TEST_CITUS_URL"

    /// The coordinator named by the environment, or nil (the tests then use their own cluster).
    public static let configured: CitusCluster? = {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else { return nil }
        return CitusCluster(url: url)
    }()

    /// Whether the tests run on Citus (for the few checks of one node's plans, which it does not make).
    public static var isActive: Bool { configured != nil }

    let url: String
    private let components: URLComponents

    init(url: String) {
        self.url = url
        components = URLComponents(string: url) ?? URLComponents()
    }

    /// A conninfo for `database` on `host`:`port`, with the user and password of the URL.
    private func conninfo(host: String, port: Int, database: String) -> String {
        var parts = ["host=\(host)", "port=\(port)", "dbname=\(database)"]
        if let user = components.user { parts.append("user=\(user)") }
        if let password = components.password { parts.append("password=\(password)") }
        return parts.joined(separator: " ")
    }

    private var coordinatorHost: String { components.host ?? "localhost" }
    private var coordinatorPort: Int { components.port ?? 5432 }

    /// A migrated database, distributed over the coordinator's workers.
    func distributedDatabase(_ name: String) throws -> TestDatabase {
        let admin = try PGConnection(conninfo: url)
        let workers = try admin.query("SELECT node_name::text, node_port::integer FROM citus_get_active_worker_nodes() ORDER BY 1, 2")
            .rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) }
        guard !workers.isEmpty else { throw Failure(description: "\(Self.urlVariable): the coordinator has no active worker") }
        for (host, port) in [(coordinatorHost, coordinatorPort)] + workers {
            let server = try PGConnection(conninfo: conninfo(host: host, port: port, database: "postgres"))
            try server.execute("DROP DATABASE IF EXISTS \(name)")
            try server.execute("CREATE DATABASE \(name)")
            try PGConnection(conninfo: conninfo(host: host, port: port, database: name)).execute("CREATE EXTENSION citus")
        }
        let conninfo = conninfo(host: coordinatorHost, port: coordinatorPort, database: name)
        let coordinator = try PGConnection(conninfo: conninfo)
        try coordinator.query("SELECT citus_set_coordinator_host($1, $2)", [coordinatorHost, coordinatorPort])
        for (host, port) in workers { try coordinator.query("SELECT citus_add_node($1, $2)", [host, port]) }
        try Migrator().migrate(coordinator)
        // Few shards: a suite's tenants still spread over both workers, and each database is quick to make.
        try coordinator.execute("SET citus.shard_count = 4")
        try coordinator.execute(try String(contentsOfFile: Self.distributeScript, encoding: .utf8))
        return TestDatabase(name: name, conninfo: conninfo)
    }

    /// The repository's Citus step.
    static let distributeScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/citus/distribute.sql").path

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
