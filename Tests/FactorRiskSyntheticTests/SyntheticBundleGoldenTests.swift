import FactorRiskCore
import FactorRiskSynthetic
import FactorRiskTestSupport
import Testing

/// The synthetic generator's files, byte for byte: a benchmark bundle is regenerated rather than
/// stored, so the generator must draw the same rows from the same parameters for good.
@Suite("Synthetic bundle golden files")
struct SyntheticBundleGoldenTests {
    static let parameters = SyntheticPortfolio.Parameters(
        tenantRef: "golden", documents: 400, seed: 7, asOf: CalendarDate(year: 2026, month: 11, day: 20)!)

    @Test("a small seeded bundle's CSV files are the golden ones", arguments: BundleFile.allCases)
    func file(_ file: BundleFile) throws {
        var sink = MemoryBundleSink()
        try SyntheticPortfolio(Self.parameters).generate(into: &sink)
        let mismatch = Golden.mismatch(sink.files[file] ?? [], name: "synthetic-bundle/\(file.fileName)")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }
}
