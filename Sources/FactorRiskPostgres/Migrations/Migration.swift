/// One numbered schema change, from `sql/NNNN_name.sql`.
///
/// The binary carries the files it was built with (the EmbedMigrations build plugin turns them
/// into Swift source), so a deployed executable never looks for them on disk.
public struct Migration: Sendable, Hashable {
    /// The number that orders migrations (`0001` → 1).
    public let version: Int
    /// The part of the file name after the number.
    public let name: String
    /// The statements, run in one transaction.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The file name it came from.
    public var fileName: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_\(name).sql"
    }

    /// The migrations this binary was built with, in order.
    public static var bundled: [Migration] { embeddedMigrations.sorted { $0.version < $1.version } }
}
