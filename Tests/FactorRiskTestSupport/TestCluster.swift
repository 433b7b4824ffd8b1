import FactorRiskPostgres
import Foundation
import Glibc
import Synchronization

/// The PostgreSQL server of a test run: started once per test process, in a folder of its own,
/// stopped and removed when the process exits.
///
/// Each suite gets a fresh database copied from a migrated template (`CREATE DATABASE … TEMPLATE`),
/// so suites never see each other's rows and migrations run once per run, not once per suite.
public actor TestCluster {
    public static let shared = TestCluster()

    /// The start of the cluster, shared by every suite that asks while it is under way.
    private var cluster: Task<EmbeddedPostgres, any Error>?
    private var databaseCount = 0
    static let templateName = "factor_risk_template"

    /// A new, empty, migrated database for one suite: on a Citus coordinator, distributed, when
    /// `CitusCluster.urlVariable` names one (`CitusCluster`); else on the run's own cluster.
    public func freshDatabase(_ label: String = "suite") async throws -> TestDatabase {
        databaseCount += 1
        // Taken before the wait for the cluster: other suites ask in the meantime.
        let number = databaseCount
        let safeLabel = String(label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40))
        if let citus = CitusCluster.configured {
            return try citus.distributedDatabase("c\(getpid())_\(number)_\(safeLabel)")
        }
        let cluster = try await started()
        let name = "t\(number)_\(safeLabel)"
        let admin = try PGConnection(conninfo: cluster.conninfo(database: "postgres"))
        try admin.execute("CREATE DATABASE \(name) TEMPLATE \(Self.templateName)")
        return TestDatabase(name: name, conninfo: cluster.conninfo(database: name))
    }

    /// An empty database with no migration applied, for tests of the migrator itself.
    public func emptyDatabase(_ label: String) async throws -> TestDatabase {
        let cluster = try await started()
        databaseCount += 1
        let name = "e\(databaseCount)_\(label.lowercased().filter { $0.isLetter || $0.isNumber })"
        let admin = try PGConnection(conninfo: cluster.conninfo(database: "postgres"))
        try admin.execute("CREATE DATABASE \(name) TEMPLATE template0")
        return TestDatabase(name: name, conninfo: cluster.conninfo(database: name))
    }

    private func started() async throws -> EmbeddedPostgres {
        if let cluster { return try await cluster.value }
        let starting = Task { try await Self.startCluster() }
        cluster = starting
        return try await starting.value
    }

    private static func startCluster() async throws -> EmbeddedPostgres {
        let folder = TestCluster.temporaryFolder("run")
        let cluster = EmbeddedPostgres(stateDirectory: folder, settings: TestCluster.fastSettings)
        ClusterCleanup.register(cluster)
        try await cluster.start()
        let admin = try PGConnection(conninfo: cluster.conninfo(database: "postgres"))
        try admin.execute("CREATE DATABASE \(Self.templateName)")
        do {
            let template = try PGConnection(conninfo: cluster.conninfo(database: Self.templateName))
            try Migrator().migrate(template)
        }
        return cluster
    }

    /// Durability off: a test cluster is thrown away, and tests run several times faster without fsync.
    public static let fastSettings = [
        "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
        "shared_buffers": "64MB", "max_connections": "300",
    ]

    /// A new folder under the system's temporary folder, reachable by the `postgres` user when we are root.
    public static func temporaryFolder(_ label: String) -> String {
        let path = "/tmp/factor-risk-test-\(getpid())-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        return path
    }
}

/// A database of the test cluster.
public struct TestDatabase: Sendable {
    public let name: String
    public let conninfo: String

    /// A connection for a test to use directly (on the test's own thread).
    public func connect() throws -> PGConnection {
        try PGConnection(conninfo: conninfo)
    }

    /// A pool on this database.
    public func pool(maxConnections: Int = 4, acquireTimeout: Duration = .seconds(30)) -> PGPool {
        PGPool(.init(conninfo: conninfo, maxConnections: maxConnections, acquireTimeout: acquireTimeout))
    }
}

/// Stops the clusters a test process started when it exits, and removes their folders.
public enum ClusterCleanup {
    private static let registered = Mutex<[EmbeddedPostgres]>([])

    /// Stops `cluster` and deletes its state folder at process exit.
    public static func register(_ cluster: EmbeddedPostgres) {
        let first = registered.withLock { clusters in
            clusters.append(cluster)
            return clusters.count == 1
        }
        if first {
            atexit {
                let clusters = ClusterCleanup.registered.withLock { $0 }
                for cluster in clusters {
                    // An exit handler can only wait synchronously, and must not count on the
                    // cooperative pool: a fast shutdown by signal, then a wait for the server to go.
                    if case .running(let pid, _) = cluster.status() {
                        kill(pid, SIGINT)
                        for _ in 0..<600 where kill(pid, 0) == 0 { usleep(100_000) }
                    }
                    try? FileManager.default.removeItem(atPath: cluster.stateDirectory)
                }
            }
        }
    }
}
