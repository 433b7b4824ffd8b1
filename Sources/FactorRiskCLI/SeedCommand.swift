import ArgumentParser
import FactorRiskCore
import FactorRiskPostgres
import FactorRiskSynthetic
import Foundation

/// `factor-risk seed`: a deterministic, realistic synthetic portfolio, as a bundle or loaded straight in.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Make a realistic synthetic portfolio (same seed, same portfolio) and write it as a bundle or load it.",
        discussion: "Without --out, the bundle is written to a temporary folder, imported like any other, and removed."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The tenant's reference.")
    var tenant: String

    @Option(help: "How many documents (invoices and credit notes).")
    var documents: Int

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @Option(help: "The date the ledger is as of (YYYY-MM-DD, default today).")
    var asOf: String?

    @Option(help: "Write the bundle to this folder instead of loading it.")
    var out: String?

    func validate() throws {
        if documents < 1 { throw ValidationError("--documents must be at least 1") }
        if !BundleRowValidator.isTenantRef(tenant) { throw ValidationError("--tenant: \"\(tenant)\" is not a tenant reference") }
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of: \"\(asOf)\" is not a date (YYYY-MM-DD)") }
    }

    func run() async throws {
        let date = asOf.flatMap { CalendarDate(iso: $0) } ?? CalendarDate.today()
        let portfolio = SyntheticPortfolio(.init(tenantRef: tenant, documents: documents, seed: seed, asOf: date))
        let folder = out ?? NSTemporaryDirectory() + "factor-risk-seed-\(getpid())"
        let started = Date()
        var sink = try CSVFileSink(directory: folder)
        try portfolio.generate(into: &sink)
        let written = String(format: "%.2f", Date().timeIntervalSince(started))
        print("portfolio \(tenant): \(portfolio.clientCount) clients, \(portfolio.debtorCount) debtors, \(documents) documents as of \(date) (seed \(seed)), generated in \(written) s")
        guard out == nil else {
            print("bundle written to \(folder)")
            return
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tenant = self.tenant
        let summary = try await database.withStores { stores in
            try await stores.importer().importBundle(directory: folder, tenantRef: tenant)
        }
        print(summary)
    }
}

/// Writes a bundle's files into a folder, buffered, as the generator emits rows.
struct CSVFileSink: BundleSink {
    let directory: String
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        buffer.reserveCapacity(1 << 20)
    }

    mutating func begin(_ file: BundleFile) throws {
        let path = (directory as NSString).appendingPathComponent(file.fileName)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        self.handle = handle
        buffer.append(contentsOf: CSVEncoding.line(file.header).utf8)
    }

    mutating func row(_ fields: [String]) throws {
        buffer.append(contentsOf: CSVEncoding.line(fields).utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func end(_ file: BundleFile) throws {
        try flush()
        try handle?.close()
        handle = nil
    }

    private mutating func flush() throws {
        try handle?.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
