import FactorRiskCore
import Testing

@Suite("bundle file descriptions")
struct BundleFileTests {
    @Test("every file's key, amounts' currencies and references name columns and files that exist")
    func descriptionsHoldTogether() {
        for file in BundleFile.allCases {
            let names = file.header
            #expect(Set(names).count == names.count, "\(file.fileName) names a column twice")
            #expect(Set(file.columns.map(\.stored)).count == names.count, "\(file.fileName) stores two columns in one")
            for key in file.key { #expect(names.contains(key), "\(file.fileName): key \(key) is not a column") }
            for column in file.columns {
                if case .money(.column(let currency)) = column.kind {
                    #expect(file.columns.first { $0.name == currency }?.kind == .currency, "\(file.fileName).\(column.name)")
                }
                if case .reference(let parent?) = column.kind {
                    // A reference names the referenced file's one-column key, and that file loads first.
                    #expect(parent.key == [column.name], "\(file.fileName).\(column.name)")
                    #expect(BundleFile.loadOrder.firstIndex(of: parent)! < BundleFile.loadOrder.firstIndex(of: file)!)
                }
            }
        }
        #expect(Set(BundleFile.loadOrder) == Set(BundleFile.allCases))
    }

    @Test("a file's rows are checked by its description: a word list, an optional amount, a range")
    func rowChecksFollowTheDescription() throws {
        let clients = try BundleRowValidator(file: .clients, header: BundleFile.clients.header, baseExponent: 2)
        let row = ["C1", "Name", "FR", "open", "1.00", "11", "100", "1.00", "1.00", ""]
        guard case .invalid(let issues) = clients.validate(row, line: 2) else { Issue.record("accepted \(row)"); return }
        #expect(issues.map(\.column) == ["mode", "financial_grade"])
        #expect(issues.map(\.message) == ["\"open\" is not a mode (notified, delegated or confidential)",
                                           "\"11\" is not a whole number from 1 to 10"])
        let countries = try BundleRowValidator(file: .countries, header: ["limit", "embargoed", "grade", "country"], baseExponent: 2)
        #expect(countries.validate(["", "false", "3", "TR"], line: 2) == .valid(["TR", "3", "false", nil]))
        #expect(countries.validate(["12.5", "true", "0", "DE"], line: 3) == .valid(["DE", "0", "true", "1250"]))
    }
}
