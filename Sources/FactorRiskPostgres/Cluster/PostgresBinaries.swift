import Foundation

/// Where the system's PostgreSQL server programs are.
///
/// Debian keeps them out of PATH, in `/usr/lib/postgresql/VERSION/bin`; `pg_config --bindir`
/// names that folder when libpq-dev is installed. `PG_BINDIR` overrides both.
public struct PostgresBinaries: Sendable {
    public let directory: String

    public var initdb: String { "\(directory)/initdb" }
    public var pgCtl: String { "\(directory)/pg_ctl" }
    public var postgres: String { "\(directory)/postgres" }

    /// Finds the newest installed server, or explains how to install one.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> PostgresBinaries {
        var candidates: [String] = []
        if let explicit = environment["PG_BINDIR"], !explicit.isEmpty { candidates.append(explicit) }
        if let reported = await pgConfigBindir() { candidates.append(reported) }
        let versioned = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newestFirst = versioned.compactMap { Int($0) }.sorted(by: >)
        candidates += newestFirst.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for folder in candidates {
            let binaries = PostgresBinaries(directory: folder)
            if FileManager.default.isExecutableFile(atPath: binaries.initdb),
                FileManager.default.isExecutableFile(atPath: binaries.pgCtl)
            {
                return binaries
            }
        }
        throw ClusterError(
            "PostgreSQL server programs (initdb, pg_ctl) not found. Install them (Debian: apt-get install postgresql), "
                + "set PG_BINDIR to their folder, or set DATABASE_URL to use an existing server.")
    }

    private static func pgConfigBindir() async -> String? {
        guard let pgConfig = try? ProcessRunner.locate("pg_config") else { return nil }
        let runner = ProcessRunner(runAsUser: nil, workingDirectory: "/")
        guard let outcome = try? await runner.run(pgConfig, ["--bindir"]), outcome.status == 0 else { return nil }
        let folder = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return folder.isEmpty ? nil : folder
    }
}

extension PostgresBinaries {
    /// psql: beside the server programs, else on PATH.
    public static func locatePsql() async throws -> String {
        if let binaries = try? await locate(), FileManager.default.isExecutableFile(atPath: "\(binaries.directory)/psql") {
            return "\(binaries.directory)/psql"
        }
        do {
            return try ProcessRunner.locate("psql")
        } catch {
            throw ClusterError("psql not found (Debian: apt-get install postgresql-client)")
        }
    }
}
