import ArgumentParser
import FactorRiskPostgres
import Foundation

/// `factor-risk db`: manages the embedded PostgreSQL cluster.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the embedded PostgreSQL cluster (used when DATABASE_URL is not set).",
        subcommands: [Start.self, Stop.self, Status.self, Psql.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the cluster if needed and start it.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Also listen on 127.0.0.1 at this TCP port (trust authentication: for local tools only).")
        var tcpPort: Int?

        func validate() throws {
            if let tcpPort, !(1...65535).contains(tcpPort) { throw ValidationError("--tcp-port must be 1 to 65535") }
        }

        func run() async throws {
            let cluster = database.embedded
            let started = try await cluster.start(tcpPort: tcpPort)
            print(started ? "started PostgreSQL in \(cluster.dataDirectory)" : "already running in \(cluster.dataDirectory)")
            print("connect: \(cluster.conninfo())")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster (open sessions are ended cleanly).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let stopped = try await database.embedded.stop()
            print(stopped ? "stopped" : "not running")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the cluster's state and the schema's migrations.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let cluster = database.embedded
            if database.databaseURL == nil {
                print("state folder: \(cluster.stateDirectory)")
                switch cluster.status() {
                case .notInitialized:
                    print("cluster: not created yet (factor-risk db start creates it)")
                    return
                case .stopped:
                    print("cluster: stopped")
                    return
                case .running(let pid, let port):
                    print("cluster: running, pid \(pid), socket \(cluster.socketDirectory) port \(port)")
                }
            } else {
                print("database: \(database.targetDescription)")
            }
            let lines = try await database.withDatabase(migrate: false) { pool in
                try await pool.withConnection { connection -> [String] in
                    let report = try Migrator().status(connection)
                    let size = try connection.query("SELECT pg_size_pretty(pg_database_size(current_database()))")
                        .first?.decode(String.self, at: 0) ?? "?"
                    var lines = ["server: PostgreSQL \(connection.serverVersion / 10000).\(connection.serverVersion % 100), database size \(size)"]
                    lines.append("migrations: \(report.applied.count) applied, \(report.pending.count) pending")
                    for migration in report.applied {
                        lines.append("  applied \(migration.version) \(migration.name)")
                    }
                    for migration in report.pending {
                        lines.append("  pending \(migration.fileName)")
                    }
                    if report.applied.contains(where: { $0.version == 1 }) {
                        let count = try connection.query("SELECT count(*) FROM tenants").first?.decode(Int.self, at: 0) ?? 0
                        lines.append("tenants: \(count)")
                    }
                    return lines
                }
            }
            lines.forEach { print($0) }
        }
    }

    struct Psql: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open psql on the service's database (starts the cluster if needed).")

        @OptionGroup var database: DatabaseOptions

        @Argument(parsing: .captureForPassthrough, help: "Arguments passed on to psql.")
        var psqlArguments: [String] = []

        func run() async throws {
            let conninfo: String
            if let url = database.databaseURL {
                conninfo = url
            } else {
                try await database.embedded.start()
                conninfo = database.embedded.conninfo()
            }
            let psql = try await PostgresBinaries.locatePsql()
            let arguments = [psql, conninfo] + psqlArguments
            // psql takes over this process, terminal and all.
            let cArguments = arguments.map { strdup($0) } + [nil]
            execv(psql, cArguments)
            throw ValidationError("cannot run \(psql): \(String(cString: strerror(errno)))")
        }
    }
}
