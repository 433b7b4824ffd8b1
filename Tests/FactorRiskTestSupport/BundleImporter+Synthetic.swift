import FactorRiskCore
import FactorRiskPostgres
import FactorRiskSynthetic
import Foundation

extension BundleImporter {
    /// Generates the seeded synthetic portfolio of `parameters`, writes it as a bundle (with
    /// `policyJSON` as its policy.json when given) in a temporary folder, and imports it as its
    /// tenant; the bundle's files, for a reference engine to read the same portfolio.
    @discardableResult
    public func importSynthetic(_ parameters: SyntheticPortfolio.Parameters, policyJSON: String? = nil) async throws -> MemoryBundleSink {
        var sink = MemoryBundleSink()
        try SyntheticPortfolio(parameters).generate(into: &sink)
        let folder = TestCluster.temporaryFolder("synthetic-\(parameters.tenantRef)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try sink.write(to: folder)
        if let policyJSON { try Fixtures.write(policyJSON, BundleFile.policyFileName, in: folder) }
        try await importBundle(directory: folder, tenantRef: parameters.tenantRef)
        return sink
    }
}
