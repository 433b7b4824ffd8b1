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
    @discardableResult
    public func importBundle(directory: String, tenantRef: String) async throws -> Summary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(issues: [BundleIssue(file: directory, message: "no such folder")], total: 1)
        }
        var sources: [(BundleFile, String)] = []
        for file in BundleFile.allCases {
            let path = (directory as NSString).appendingPathComponent(file.fileName)
            if FileManager.default.fileExists(atPath: path) { sources.append((file, path)) }
        }
        let policyPath = (directory as NSString).appendingPathComponent(BundleFile.policyFileName)
        let policy = FileManager.default.fileExists(atPath: policyPath) ? policyPath : nil
        guard !sources.isEmpty || policy != nil else {
            throw Failure(issues: [BundleIssue(file: directory, message: "holds none of the bundle's files (\(BundleFile.allCases.map(\.fileName).joined(separator: ", ")), \(BundleFile.policyFileName))")], total: 1)
        }
        return try await run(sources: sources, policyPath: policy, tenantRef: tenantRef)
    }

    /// Imports one file of a bundle, recognised by its name (`documents.csv`, `policy.json`, …).
    @discardableResult
    public func importFile(path: String, tenantRef: String) async throws -> Summary {
        let name = (path as NSString).lastPathComponent
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(issues: [BundleIssue(file: path, message: "no such file")], total: 1)
        }
        if name == BundleFile.policyFileName {
            return try await run(sources: [], policyPath: path, tenantRef: tenantRef)
        }
        guard let file = BundleFile.allCases.first(where: { $0.fileName == name }) else {
            throw Failure(issues: [BundleIssue(file: path, message: "not a bundle file name (\(BundleFile.allCases.map(\.fileName).joined(separator: ", ")), \(BundleFile.policyFileName))")], total: 1)
        }
        return try await run(sources: [(file, path)], policyPath: nil, tenantRef: tenantRef)
    }

    private func run(sources: [(BundleFile, String)], policyPath: String?, tenantRef: String) async throws -> Summary {
        let maxIssues = self.maxIssues
        return try await pool.withConnection { connection in
            try ImportSession(connection: connection, tenantRef: tenantRef, maxIssues: maxIssues)
                .run(sources: sources, policyPath: policyPath)
        }
    }
}
