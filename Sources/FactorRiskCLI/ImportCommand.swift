import ArgumentParser
import FactorRiskPostgres

/// `factor-risk import`: loads a portfolio bundle (or one file of it) into a tenant, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a portfolio bundle (FORMATS.md) into a tenant: every row an upsert, all or nothing.",
        discussion: """
            A bad row anywhere and nothing is written: every problem is listed by file, line and column \
            (up to --max-errors, with the count of the rest), and the exit status is 1. Only FORMATS.md's \
            file names are read; any other file in the folder is refused (hidden files, *.md notes and \
            subfolders are passed over). A file that cannot be read (a dangling link, a folder, a pipe, \
            a device) is refused by name. A field may hold 64 KiB, a record 1 MiB: past that, or at a \
            NUL byte, the file is refused at that line.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The tenant's reference; a bundle's tenant.csv must name the same one.")
    var tenant: String

    @Option(help: "Load this single file of a bundle (documents.csv, policy.json, …) instead of a folder.")
    var file: String?

    @Option(help: "How many problems to list in full.")
    var maxErrors = 50

    @Argument(help: "The bundle folder.")
    var directory: String?

    func validate() throws {
        if (file == nil) == (directory == nil) { throw ValidationError("give a bundle folder or --file PATH (one of the two)") }
        if maxErrors < 1 { throw ValidationError("--max-errors must be at least 1") }
    }

    func run() async throws {
        let (tenant, file, directory, maxErrors) = (self.tenant, self.file, self.directory, self.maxErrors)
        do {
            let summary = try await database.withStores { stores in
                let importer = stores.importer(maxIssues: maxErrors)
                if let file { return try await importer.importFile(path: file, tenantRef: tenant) }
                return try await importer.importBundle(directory: directory!, tenantRef: tenant)
            }
            print(summary)
        } catch let failure as BundleImporter.Failure {
            printError(failure.description)
            throw ExitCode.failure
        }
    }
}
