import Foundation
import Glibc

/// A private PostgreSQL cluster that factor-risk creates, starts and stops itself under a state folder.
///
/// Used when no `DATABASE_URL` is given, so that a new user needs nothing but the system's
/// PostgreSQL programs. The server listens on a Unix socket inside the state folder and on no TCP
/// port unless asked; trust authentication is confined to that socket, whose folder only the
/// server's user may enter. As root the server runs as the `postgres` system user, since
/// PostgreSQL refuses to run as root. A pid file left by a crash or a reboot is recognised and
/// cleared, so a dead server is never a dead end.
///
/// Layout of the state folder: `pgdata/` (the cluster), `run/` (the socket, unless the path is
/// too long for one: then a folder under /tmp named after it), `log/postgres.log`, `cluster.lock`.
public struct EmbeddedPostgres: Sendable {
    /// The database the service uses inside the cluster.
    public static let databaseName = "factor_risk"
    /// The cluster's superuser, which owns the schema and runs migrations.
    public static let superuser = "factor_risk"
    /// The port number, which names the socket file; TCP is off unless `start(tcpPort:)` asks.
    public static let defaultPort = 5432

    public let stateDirectory: String
    /// Server settings written at every start (tests turn durability off for speed, for instance).
    public let settings: [String: String]

    /// - Parameters:
    ///   - stateDirectory: the folder that holds everything; made absolute against the current folder.
    ///   - settings: extra `postgresql.conf` settings.
    public init(stateDirectory: String, settings: [String: String] = [:]) {
        self.stateDirectory = Self.absolute(stateDirectory)
        self.settings = settings
    }

    public var dataDirectory: String { "\(stateDirectory)/pgdata" }
    public var logFile: String { "\(stateDirectory)/log/postgres.log" }
    private var lockFile: String { "\(stateDirectory)/cluster.lock" }

    /// The socket's folder: inside the state folder, or under /tmp when that path would exceed
    /// the 107 bytes a Unix socket path may have.
    public var socketDirectory: String {
        let inside = "\(stateDirectory)/run"
        if inside.utf8.count + ".s.PGSQL.65535".utf8.count + 1 <= 107 { return inside }
        return "/tmp/factor-risk-\(Self.stableHash(stateDirectory))"
    }

    /// What the cluster is doing now.
    public enum Status: Sendable, Equatable {
        case notInitialized
        case stopped
        case running(pid: Int32, port: Int)
    }

    /// A libpq conninfo string for a database of this cluster, over its Unix socket.
    public func conninfo(database: String = databaseName) -> String {
        let port: Int
        if case .running(_, let runningPort) = status() { port = runningPort } else { port = Self.defaultPort }
        return "host=\(Self.quote(socketDirectory)) port=\(port) user=\(Self.quote(Self.superuser)) dbname=\(Self.quote(database))"
    }

    // MARK: Status

    /// Reads the pid file and checks that its process is a live PostgreSQL server.
    public func status() -> Status {
        guard FileManager.default.fileExists(atPath: "\(dataDirectory)/PG_VERSION") else { return .notInitialized }
        guard let pidFile = readPidFile(), Self.isPostgresProcess(pidFile.pid) else { return .stopped }
        return .running(pid: pidFile.pid, port: pidFile.port)
    }

    // MARK: Lifecycle

    /// Creates the cluster on first use. Returns whether it was created now.
    @discardableResult
    public func initializeIfNeeded() async throws -> Bool {
        try await withClusterLock { try await initializeLocked() }
    }

    /// Starts the server, creating the cluster first if needed, and the service's database.
    ///
    /// - Parameter tcpPort: also listen on 127.0.0.1 at this port (for tools that cannot use a socket).
    /// - Returns: true when this call started it, false when it was already running.
    ///
    /// Waiting for the server programs and for the server holds no thread of Swift's cooperative pool.
    @discardableResult
    public func start(tcpPort: Int? = nil) async throws -> Bool {
        try await withClusterLock { try await startLocked(tcpPort: tcpPort) }
    }

    private func startLocked(tcpPort: Int?) async throws -> Bool {
            try await initializeLocked()
            if case .running = status() {
                try await createServiceDatabase()
                return false
            }
            try clearStalePidFile()
            try await writeSettings(tcpPort: tcpPort)
            let binaries = try await PostgresBinaries.locate()
            var lastFailure = ""
            // A server killed a moment ago may leave children that still hold its shared memory:
            // they exit on their own within a second or two, so a failed start is tried again.
            for attempt in 1...3 {
                let outcome = try await runner().run(
                    binaries.pgCtl, ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-s"])
                if outcome.status == 0 { break }
                lastFailure = outcome.output + logTail()
                if attempt == 3 {
                    throw ClusterError("PostgreSQL did not start (data in \(dataDirectory)):\n\(lastFailure)")
                }
                try await Task.sleep(for: .seconds(2))
                try clearStalePidFile()
            }
            try await createServiceDatabase()
            return true
    }

    /// Stops the server cleanly (fast shutdown: open sessions are ended, nothing is lost).
    /// Returns false when it was not running.
    @discardableResult
    public func stop() async throws -> Bool {
        try await withClusterLock { try await stopLocked() }
    }

    private func stopLocked() async throws -> Bool {
            guard case .running = status() else {
                try clearStalePidFile()
                return false
            }
            let binaries = try await PostgresBinaries.locate()
            let outcome = try await runner().run(binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "-s"])
            guard outcome.status == 0 else {
                throw ClusterError("PostgreSQL did not stop:\n\(outcome.output)")
            }
            return true
    }

    // MARK: Steps

    @discardableResult
    private func initializeLocked() async throws -> Bool {
        if FileManager.default.fileExists(atPath: "\(dataDirectory)/PG_VERSION") { return false }
        let binaries = try await PostgresBinaries.locate()
        let owner = try serverOwner()
        for folder in [dataDirectory, socketDirectory, "\(stateDirectory)/log"] {
            try await makeFolder(folder, owner: owner, mode: 0o700)
        }
        let outcome = try await runner().run(binaries.initdb, [
            "-D", dataDirectory, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
        ])
        guard outcome.status == 0 else {
            // Leave no half-made cluster behind: the next attempt starts clean.
            try? FileManager.default.removeItem(atPath: dataDirectory)
            throw ClusterError("initdb failed:\n\(outcome.output)")
        }
        let configuration = "\(dataDirectory)/postgresql.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: configuration))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n# Written at every start by factor-risk.\ninclude_if_exists = 'factor-risk.conf'\n".utf8))
        try handle.close()
        return true
    }

    private func writeSettings(tcpPort: Int?) async throws {
        let owner = try serverOwner()
        try await makeFolder(socketDirectory, owner: owner, mode: 0o700)
        try await makeFolder("\(stateDirectory)/log", owner: owner, mode: 0o700)
        var values: [String: String] = [
            "listen_addresses": tcpPort == nil ? "''" : "'127.0.0.1'",
            "port": String(tcpPort ?? Self.defaultPort),
            "unix_socket_directories": Self.quote(socketDirectory),
            "unix_socket_permissions": "0700",
            "max_connections": "200",
        ]
        values.merge(settings) { _, new in new }
        let text = values.keys.sorted().map { "\($0) = \(values[$0]!)" }.joined(separator: "\n") + "\n"
        let path = "\(dataDirectory)/factor-risk.conf"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if let owner { chown(path, owner.uid, owner.gid) }
    }

    /// Creates the service's database on a thread of its own: libpq blocks while it waits for the server.
    private func createServiceDatabase() async throws {
        let conninfo = conninfo(database: "postgres")
        let thread = ConnectionThread(name: "factor-risk-pg-setup")
        defer { thread.stop() }
        try await thread.run {
            let connection = try PGConnection(conninfo: conninfo)
            let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [Self.databaseName])
            if exists.rowCount == 0 {
                try connection.execute("CREATE DATABASE \(Self.databaseName)")
            }
        }
    }

    /// Removes a pid file whose process is gone or is no longer PostgreSQL (its pid reused).
    private func clearStalePidFile() throws {
        let path = "\(dataDirectory)/postmaster.pid"
        guard FileManager.default.fileExists(atPath: path) else { return }
        if let pidFile = readPidFile(), Self.isPostgresProcess(pidFile.pid) { return }
        try FileManager.default.removeItem(atPath: path)
    }

    private func readPidFile() -> (pid: Int32, port: Int)? {
        guard let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, let pid = Int32(first.trimmingCharacters(in: .whitespaces)) else { return nil }
        let port = lines.count > 3 ? Int(lines[3].trimmingCharacters(in: .whitespaces)) ?? Self.defaultPort : Self.defaultPort
        return (pid, port)
    }

    private static func isPostgresProcess(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        guard let name = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else {
            // No /proc (not Linux): trust that the live pid is the server.
            return kill(pid, 0) == 0 || errno == EPERM
        }
        return name.hasPrefix("postgres")
    }

    private func logTail() -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "" }
        let lines = text.split(separator: "\n").suffix(15)
        return "\nlast lines of \(logFile):\n" + lines.joined(separator: "\n")
    }

    // MARK: Users, folders, locks

    private struct Owner {
        let name: String
        let uid: uid_t
        let gid: gid_t
    }

    /// The system user the server runs as: ourselves, or `postgres` when we are root.
    private func serverOwner() throws -> Owner? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam("postgres") else {
            throw ClusterError(
                "running as root, and PostgreSQL refuses to run as root: it runs as the 'postgres' system user, "
                    + "which does not exist here (apt-get install postgresql creates it)")
        }
        return Owner(name: "postgres", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    private func runner() throws -> ProcessRunner {
        ProcessRunner(runAsUser: try serverOwner()?.name, workingDirectory: dataDirectory)
    }

    private func makeFolder(_ path: String, owner: Owner?, mode: Int) async throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let owner {
            guard chown(path, owner.uid, owner.gid) == 0 else {
                throw ClusterError("cannot give \(path) to the postgres user: \(String(cString: strerror(errno)))")
            }
        }
        chmod(path, mode_t(mode))
        if let owner {
            // Every folder above must let the server's user through.
            let probe = try await ProcessRunner(runAsUser: owner.name, workingDirectory: "/").run("/usr/bin/test", ["-w", path])
            guard probe.status == 0 else {
                throw ClusterError(
                    "the postgres system user cannot reach \(path): a folder above it is closed to other users. "
                        + "Choose a state folder it can reach with --state-dir (or FACTOR_RISK_STATE_DIR).")
            }
        }
    }

    /// Serialises init, start and stop between processes sharing the state folder.
    ///
    /// Another process may hold the lock for as long as a start takes: the lock is tried without
    /// blocking, and the task sleeps between tries instead of holding a thread.
    private func withClusterLock<T>(_ body: () async throws -> T) async throws -> T {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let descriptor = open(lockFile, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ClusterError("cannot open \(lockFile): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw ClusterError("cannot lock \(lockFile): \(String(cString: strerror(errno)))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }

    // MARK: Helpers

    private static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/")
            ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// Quotes a value for a conninfo string or postgresql.conf: single quotes, with `\` and `'` escaped.
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// FNV-1a of the path: the same folder always maps to the same short socket folder.
    private static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
