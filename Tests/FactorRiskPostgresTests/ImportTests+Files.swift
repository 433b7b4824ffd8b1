import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// Which names of a bundle folder are read, and what cannot be read: README "Importing a bundle".
extension ImportTests {
    /// A copy of the worked example whose documents.csv is replaced by what `make` puts at its path.
    func bundle(_ label: String, documents make: (String) throws -> Void) throws -> String {
        let bundle = try Fixtures.workedExampleCopy(label)
        let path = "\(bundle)/documents.csv"
        try FileManager.default.removeItem(atPath: path)
        try make(path)
        return bundle
    }

    @Test("a documents.csv that is a dangling or a looping link is an error naming the file, not a missing file",
          arguments: [("dangling", "/nowhere/documents.csv", "a symbolic link to /nowhere/documents.csv, which does not exist"),
                      ("loop", "documents.csv", "a symbolic link that loops")])
    func brokenLinksAreRefused(label: String, target: String, reason: String) async throws {
        let bundle = try bundle(label) { try FileManager.default.createSymbolicLink(atPath: $0, withDestinationPath: target) }
        let failure = try await refused(bundle)
        #expect(failure.issues.map(\.file) == ["documents.csv"], "\(failure)")
        #expect(failure.issues.first?.message.hasPrefix("cannot be read: \(reason)") == true, "\(failure)")
        #expect(try counts()["documents"] == 0)
    }

    @Test("a documents.csv that is a folder, a named pipe or a device (a link to /dev/zero) is refused at once",
          arguments: [("folder", "a folder, not a file"), ("fifo", "a named pipe (FIFO), not a regular file"),
                      ("device", "a device, not a regular file")])
    func nonRegularFilesAreRefused(label: String, reason: String) async throws {
        let bundle = try bundle(label) { path in
            switch label {
            case "folder": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            case "fifo": #expect(mkfifo(path, 0o644) == 0)
            default: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
            }
        }
        let failure = try await refused(bundle)
        #expect(failure.issues.map(\.description) == ["documents.csv: cannot be read: \(reason)"], "\(failure)")
    }

    @Test("a file whose name FORMATS.md does not know is refused with the list of known names; nothing is read")
    func unknownNamesAreRefused() async throws {
        let bundle = try Fixtures.workedExampleCopy("names")
        try FileManager.default.moveItem(atPath: "\(bundle)/documents.csv", toPath: "\(bundle)/document.csv")
        try Fixtures.write("", "Debtors.CSV", in: bundle)
        let failure = try await refused(bundle)
        let known = "tenant.csv, countries.csv, clients.csv, debtors.csv, approvals.csv, documents.csv, fx_rates.csv, "
            + "collections.csv, remittances.csv, document_events.csv, limit_changes.csv, insurance.csv, policy.json"
        #expect(failure.issues.map(\.description) == [
            "Debtors.CSV: not a bundle file name (a bundle's files are \(known))",
            "document.csv: not a bundle file name (a bundle's files are \(known))",
        ], "\(failure)")
        #expect(try counts()["tenants"] == 0)
    }

    @Test("hidden files, Markdown notes and subfolders of a bundle are not read")
    func hiddenFilesNotesAndFoldersAreIgnored() async throws {
        let bundle = try Fixtures.workedExampleCopy("ignored")
        try Data([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]).write(to: URL(fileURLWithPath: "\(bundle)/.DS_Store"))
        try Fixtures.write("# What this extract holds\n", "README.md", in: bundle)
        try FileManager.default.createDirectory(atPath: "\(bundle)/expected", withIntermediateDirectories: false)
        try Fixtures.write("{}", "portfolio.json", in: "\(bundle)/expected")
        let summary = try await importer.importBundle(directory: bundle, tenantRef: "demo")
        #expect(summary.files.map(\.file) == ["tenant.csv", "countries.csv", "clients.csv", "debtors.csv", "approvals.csv", "fx_rates.csv", "documents.csv"])
    }

    @Test("--file with a dangling link or a folder is an error naming the path")
    func singleFileMustBeReadable() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try bundle("single") { try FileManager.default.createSymbolicLink(atPath: $0, withDestinationPath: "gone.csv") }
        let dangling = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importFile(path: "\(folder)/documents.csv", tenantRef: "demo")
        }
        #expect(dangling?.issues.map(\.description) == ["\(folder)/documents.csv: cannot be read: a symbolic link to gone.csv, which does not exist"])
        try FileManager.default.createDirectory(atPath: "\(folder)/policy.json", withIntermediateDirectories: false)
        let directory = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo")
        }
        #expect(directory?.issues.map(\.description) == ["\(folder)/policy.json: cannot be read: a folder, not a file"])
    }

    @Test("an unclosed quote followed by megabytes stops at the field cap with its line and field, the rest unread")
    func unclosedQuoteStopsAtTheFieldCap() async throws {
        let bundle = try Fixtures.workedExampleCopy("quote")
        let path = "\(bundle)/documents.csv"
        var text = Array("doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\n".utf8)
        text += Array("I1,C1,D1,invoice,EUR,\"100000.00,70000.00,2026-10-01,2026-11-30,false\n".utf8)
        let row = Array("I2,C1,D1,invoice,EUR,100.00,100.00,2026-10-01,2026-11-30,false\n".utf8)
        for _ in 0..<(8 << 20) / row.count { text += row }
        try Data(text).write(to: URL(fileURLWithPath: path))
        let failure = try await refused(bundle)
        #expect(failure.total == 1, "\(failure)")
        #expect(failure.issues.first?.description.hasPrefix(
            "documents.csv line 2, column field 6: malformed CSV: a field longer than 65,536 bytes (an unclosed quote?)") == true, "\(failure)")
    }

    @Test("a NUL byte in a CSV file is malformed at its line (a text file has none)")
    func nulBytesAreMalformed() async throws {
        let bundle = try Fixtures.workedExampleCopy("nul")
        var bytes = Array("client_ref,debtor_ref,approved\nC1,D1,100.00\nC1,D".utf8)
        bytes += [0, 0, 0]
        bytes += Array(",5.00\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(bundle)/approvals.csv"))
        let failure = try await refused(bundle)
        #expect(failure.issues.first?.description.hasPrefix("approvals.csv line 3, column field 2: malformed CSV: a NUL byte") == true, "\(failure)")
    }
}
