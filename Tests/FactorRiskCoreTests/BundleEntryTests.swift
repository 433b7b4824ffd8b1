import FactorRiskCore
import Testing

@Suite("bundle folder names")
struct BundleEntryTests {
    @Test("every file BundleFile describes is known by its exact name, and policy.json; nothing else is")
    func knownNamesComeFromTheFileDescriptions() {
        #expect(BundleEntry.knownNames == BundleFile.allCases.map(\.fileName) + ["policy.json"])
        for file in BundleFile.allCases { #expect(BundleEntry(name: file.fileName) == .csv(file)) }
        #expect(BundleEntry(name: "policy.json") == .policy)
        for name in ["document.csv", "Documents.CSV", "documents.csv.gz", "documents", "fx-rates.csv", "Policy.json"] {
            #expect(BundleEntry(name: name) == .unknown, "\(name)")
        }
    }

    @Test("hidden files and Markdown notes are passed over; an unknown name is refused with the known ones")
    func ignoredAndUnknownNames() {
        for name in [".DS_Store", ".documents.csv.swp", ".documents.csv", "README.md", "notes.MD"] {
            #expect(BundleEntry(name: name) == .ignored, "\(name)")
        }
        #expect(BundleEntry.unknownName("document.csv").description == "document.csv: not a bundle file name (a bundle's files are "
            + "tenant.csv, countries.csv, clients.csv, debtors.csv, approvals.csv, documents.csv, fx_rates.csv, collections.csv, "
            + "remittances.csv, document_events.csv, limit_changes.csv, insurance.csv, policy.json)")
    }
}
