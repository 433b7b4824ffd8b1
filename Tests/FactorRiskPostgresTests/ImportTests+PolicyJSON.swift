import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// policy.json goes through the core's exact JSON reader, the one the HTTP bodies use.
extension ImportTests {
    /// Imports `json` as the policy.json of the worked example's tenant, expecting a refusal; returns the first issue.
    func policyRefusal(_ json: String, in folder: String) async throws -> BundleIssue {
        try Fixtures.write(json, "policy.json", in: folder)
        let failure = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo")
        }
        return try #require(failure?.issues.first)
    }

    @Test("policy.json: a key written twice is refused at its JSON path, and the policy is left as it was")
    func policyDuplicateKeys() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try Fixtures.workedExampleCopy("policy-twice")
        let before = try scalar("SELECT cross_age_bp FROM policies", as: Int.self)
        let top = try await policyRefusal(#"{"cross_age_bp": 4000, "cross_age_bp": 5000}"#, in: folder)
        #expect(top.column == "$.cross_age_bp")
        #expect(top.message.contains("member \"cross_age_bp\" appears twice"), "\(top)")
        let nested = try await policyRefusal(#"{"cross_age_bp": 4000, "weight_bp": {"notified": 10000, "notified": 20000}}"#, in: folder)
        #expect(nested.column == "$.weight_bp.notified")
        let byGrade = try await policyRefusal(#"{"country_cap_bp": {"7": 100, "6": 200, "7": 300}}"#, in: folder)
        #expect(byGrade.column == "$.country_cap_bp.7")
        #expect(try scalar("SELECT cross_age_bp FROM policies", as: Int.self) == before)
    }

    @Test("policy.json: broken JSON is refused where it broke; a whole number must be written as one; a byte order mark is allowed")
    func policySyntaxAndNumbers() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try Fixtures.workedExampleCopy("policy-syntax")
        let broken = try await policyRefusal(#"{"country_cap_bp": [100, 200,]}"#, in: folder)
        #expect(broken.column == "$.country_cap_bp[2]")
        #expect(broken.message.hasPrefix("is not valid JSON: unexpected character at byte"), "\(broken)")
        let fraction = try await policyRefusal(#"{"cross_age_bp": 4000.5}"#, in: folder)
        #expect(fraction.description == "policy.json, column $.cross_age_bp: must be a whole number from 0 to 10000")
        let exponent = try await policyRefusal(#"{"cross_age_bp": 4e3}"#, in: folder)
        #expect(exponent.column == "$.cross_age_bp")
        try Fixtures.write("\u{FEFF}{\"cross_age_bp\": 4100}", "policy.json", in: folder)
        _ = try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo")
        #expect(try scalar("SELECT cross_age_bp FROM policies", as: Int.self) == 4100)
    }
}
