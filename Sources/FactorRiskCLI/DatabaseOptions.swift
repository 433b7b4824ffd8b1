import ArgumentParser
import FactorRiskPostgres
import Foundation

/// Where the database is: a server named by `DATABASE_URL`, or the embedded cluster under the state folder.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "Folder of the embedded PostgreSQL cluster (env FACTOR_RISK_STATE_DIR).")
    var stateDirectory: String = ProcessInfo.processInfo.environment["FACTOR_RISK_STATE_DIR"] ?? ".factor-risk"

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL or conninfo (env DATABASE_URL); the embedded cluster when absent.")
    var databaseURLOption: String?

    /// The server to use: the option, else `DATABASE_URL`; nil means the embedded cluster.
    var databaseURL: String? {
        databaseURLOption ?? ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var embedded: EmbeddedPostgres { EmbeddedPostgres(stateDirectory: stateDirectory) }

    /// Runs `body` with a pool on the database, the schema migrated first.
    ///
    /// On the embedded cluster, a server that is not running is started for the length of the
    /// call and stopped after it, even when `body` throws.
    func withDatabase<T>(migrate: Bool = true, maxConnections: Int = 4, _ body: (PGPool) async throws -> T) async throws -> T {
        var startedHere = false
        let conninfo: String
        if let databaseURL {
            conninfo = databaseURL
        } else {
            startedHere = try await embedded.start()
            conninfo = embedded.conninfo()
        }
        let pool = PGPool(.init(conninfo: conninfo, maxConnections: maxConnections))
        do {
            if migrate {
                _ = try await pool.withConnection { try Migrator().migrate($0) }
            }
            let value = try await body(pool)
            pool.close()
            if startedHere { try await embedded.stop() }
            return value
        } catch {
            pool.close()
            if startedHere { _ = try? await embedded.stop() }
            throw error
        }
    }

    /// Runs `body` with the stores of the database (migrated first).
    func withStores<T>(maxConnections: Int = 4, _ body: (PostgresStores) async throws -> T) async throws -> T {
        try await withDatabase(maxConnections: maxConnections) { try await body(PostgresStores(pool: $0)) }
    }

    /// Runs `body` with the stores and the tenant named `ref`; a clear failure when there is none.
    func withTenant<T>(_ ref: String, _ body: (PostgresStores, TenantScope) async throws -> T) async throws -> T {
        try await withStores { stores in
            guard let tenant = try await stores.tenants.named(ref) else {
                throw ValidationError("no tenant \"\(ref)\" (factor-risk tenant list shows them; import its bundle first)")
            }
            return try await body(stores, tenant)
        }
    }

    /// A description of the target for people, with no password in it.
    var targetDescription: String {
        if let databaseURL { return "DATABASE_URL (\(Self.redacted(databaseURL)))" }
        return "embedded cluster in \(embedded.stateDirectory)"
    }

    /// Hides a password in a URL or conninfo string.
    static func redacted(_ conninfo: String) -> String {
        if let regex = try? NSRegularExpression(pattern: "(://[^:/@]*:)[^@]*@|(password\\s*=\\s*)('[^']*'|\\S+)") {
            let range = NSRange(conninfo.startIndex..., in: conninfo)
            return regex.stringByReplacingMatches(in: conninfo, range: range, withTemplate: "$1$2***@")
                .replacingOccurrences(of: "=***@", with: "=***")
        }
        return conninfo
    }
}
