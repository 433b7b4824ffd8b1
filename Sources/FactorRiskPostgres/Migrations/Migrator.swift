/// Applies the numbered migrations in order and remembers, with a checksum, what it applied.
///
/// A file edited after it was applied is refused: the database would no longer match what the
/// files say, and the fix is a new migration, never an edit. Concurrent runs (two processes
/// starting at once) take turns through an advisory lock.
public struct Migrator: Sendable {
    /// A migration already recorded in the database.
    public struct Applied: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let checksum: String
    }

    /// What a run found and did.
    public struct Report: Sendable {
        /// Already applied before this run.
        public var applied: [Applied]
        /// Not yet applied before this run (applied by it unless a dry run).
        public var pending: [Migration]
        public var dryRun: Bool
    }

    /// Refusals worded for the person who runs `factor-risk migrate`.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.bundled) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The key of the advisory lock that serialises migration runs.
    static let lockKey: Int64 = 0x6661_6374_6f72_0001

    /// Checks what is applied against the files and applies the pending ones, each in its own transaction.
    @discardableResult
    public func migrate(_ connection: PGConnection, dryRun: Bool = false) throws -> Report {
        try connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey]) }
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS factor_risk_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let applied = try appliedMigrations(connection)
        let pending = try verify(applied: applied, connection: connection)
        if !dryRun {
            for migration in pending {
                try connection.transaction { connection in
                    do {
                        try connection.execute(migration.sql)
                    } catch let error as PGError {
                        throw Failure(description: "migration \(migration.fileName) failed: \(error)")
                    }
                    try connection.query(
                        "INSERT INTO factor_risk_migrations (version, name, checksum) VALUES ($1, $2, \(Self.checksumSQL("$3")))",
                        [migration.version, migration.name, migration.sql])
                }
            }
        }
        return Report(applied: applied, pending: pending, dryRun: dryRun)
    }

    /// The applied migrations and the pending ones, without applying anything or taking the lock.
    public func status(_ connection: PGConnection) throws -> Report {
        let exists = try connection.query("SELECT to_regclass('factor_risk_migrations') IS NOT NULL")
        guard try exists.first?.decode(Bool.self, at: 0) == true else {
            return Report(applied: [], pending: migrations, dryRun: true)
        }
        let applied = try appliedMigrations(connection)
        let pending = try verify(applied: applied, connection: connection)
        return Report(applied: applied, pending: pending, dryRun: true)
    }

    private func appliedMigrations(_ connection: PGConnection) throws -> [Applied] {
        try connection.query("SELECT version, name, checksum FROM factor_risk_migrations ORDER BY version").rows.map {
            Applied(version: try $0.decode(at: 0), name: try $0.decode(at: 1), checksum: try $0.decode(at: 2))
        }
    }

    /// Refuses edited or unknown applied migrations; returns the ones still to apply.
    private func verify(applied: [Applied], connection: PGConnection) throws -> [Migration] {
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        // Checksums are computed by the server (SHA-256 of the UTF-8 text), the same way they were recorded.
        let texts = applied.compactMap { byVersion[$0.version]?.sql }
        let sums = try connection.query(
            "SELECT \(Self.checksumSQL("t")) FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n", [texts]
        ).rows.map { try $0.decode(String.self, at: 0) }
        var sumIndex = 0
        for record in applied {
            guard let migration = byVersion[record.version] else {
                throw Failure(description:
                    "the database has migration \(record.version) (\(record.name)) that this build does not know: "
                        + "it was migrated by a newer factor-risk; run that version or restore the file")
            }
            let current = sums[sumIndex]
            sumIndex += 1
            guard current == record.checksum else {
                throw Failure(description:
                    "sql/\(migration.fileName) was edited after it was applied (checksum \(record.checksum.prefix(12))… "
                        + "recorded, \(current.prefix(12))… now). Applied migrations never change: restore the file "
                        + "and put the change in a new migration.")
            }
        }
        let done = Set(applied.map(\.version))
        return migrations.filter { !done.contains($0.version) }
    }

    private static func checksumSQL(_ expression: String) -> String {
        "encode(sha256(convert_to(\(expression), 'UTF8')), 'hex')"
    }
}
