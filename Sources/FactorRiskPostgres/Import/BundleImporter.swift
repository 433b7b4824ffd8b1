import FactorRiskCore
import Foundation

/// Loads a portfolio bundle (FORMATS.md) into one tenant: all of it, or nothing.
///
/// The files stream through the CSV parser and the row checks into temporary staging tables with
/// COPY; duplicate keys and references are then judged set-based by PostgreSQL, and the rows are
/// merged into the tenant's tables with upserts that leave unchanged rows untouched, all in one
/// transaction. No file is held in memory and no row is inserted one by one. One bad row anywhere
/// and the transaction is rolled back: the failure lists every problem (up to a cap, with the count
/// of the rest) by file, line and column.
public struct BundleImporter: Sendable {
    public let pool: PGPool
    /// How many problems a failure lists in full; the rest are counted.
    public let maxIssues: Int

    public init(pool: PGPool, maxIssues: Int = 50) {
        self.pool = pool
        self.maxIssues = max(1, maxIssues)
    }

    /// What an import did, per file.
    public struct Summary: Sendable, CustomStringConvertible {
        public struct FileCounts: Sendable {
            public let file: String
            public let rows: Int
            public let inserted: Int
            public let updated: Int
            public var unchanged: Int { rows - inserted - updated }
        }

        public let tenantRef: String
        public let tenantID: Int64
        public let tenantCreated: Bool
        public let files: [FileCounts]
        public let seconds: Double
        /// Where the time went: (phase, seconds), in order.
        public let phases: [(String, Double)]

        public var description: String {
            var lines = ["tenant \(tenantRef)\(tenantCreated ? " (created)" : ""): imported in \(String(format: "%.2f", seconds)) s"]
            for file in files {
                lines.append("  \(file.file): \(file.rows) rows, \(file.inserted) new, \(file.updated) updated, \(file.unchanged) unchanged")
            }
            if !phases.isEmpty {
                lines.append("  time: " + phases.map { "\($0.0) \(String(format: "%.2f", $0.1)) s" }.joined(separator: ", "))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Why nothing was imported.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The problems listed in full, in file order, then line order.
        public let issues: [BundleIssue]
        /// All problems found, listed or not.
        public let total: Int

        public var description: String {
            var lines = ["the bundle was not imported (nothing was written): \(total) problem\(total == 1 ? "" : "s")"]
            lines += issues.map { "  \($0)" }
            if total > issues.count { lines.append("  … and \(total - issues.count) more") }
            return lines.joined(separator: "\n")
        }
    }

    /// Imports the bundle in `directory` (any of its files may be absent) into tenant `tenantRef`.
    ///
    /// The folder is checked first (`BundleSources`): a file that cannot be read or a name that is
    /// not a bundle file's is refused before anything is read or written.
    @discardableResult
    public func importBundle(directory: String, tenantRef: String) async throws -> Summary {
        let sources = try BundleSources(directory: directory, maxIssues: maxIssues)
        return try await run(sources: sources.files, policyPath: sources.policyPath, tenantRef: tenantRef)
    }

    /// Imports one file of a bundle, recognised by its name (`documents.csv`, `policy.json`, …).
    @discardableResult
    public func importFile(path: String, tenantRef: String) async throws -> Summary {
        let sources = try BundleSources(file: path)
        return try await run(sources: sources.files, policyPath: sources.policyPath, tenantRef: tenantRef)
    }

    private func run(sources: [(BundleFile, String)], policyPath: String?, tenantRef: String) async throws -> Summary {
        let maxIssues = self.maxIssues
        return try await pool.withConnection { connection in
            try ImportSession(connection: connection, tenantRef: tenantRef, maxIssues: maxIssues)
                .run(sources: sources, policyPath: policyPath)
        }
    }
}
