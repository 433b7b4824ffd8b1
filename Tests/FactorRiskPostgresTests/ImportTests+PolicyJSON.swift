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

    @Test("policy.json: the parameters of rulebook version 2 are written, deposit_days may be null, and the core applies the same file to a Policy")
    func policyVersion2Parameters() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try Fixtures.workedExampleCopy("policy-v2")
        let json = """
            {"remittance_days": 5, "deposit_days": 7, "dilution_window_days": 60, "dilution_allowance_bp": 300, "dilution_warn_bp": 800,
             "duplicate_days": 0, "round_window_days": 45, "round_unit": 1000000000000, "round_min_invoices": 4, "round_warn_bp": 10000,
             "new_debtor_days": 30, "new_debtor_warn_bp": 2000, "slow_payer_days": 15, "weight_bp": {"delegated": 13000}}
            """
        try Fixtures.write(json, "policy.json", in: folder)
        let summary = try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo")
        #expect(summary.files.map(\.updated) == [1])
        #expect(try scalar("""
            SELECT concat_ws(' ', remittance_days, deposit_days, dilution_window_days, dilution_allowance_bp, dilution_warn_bp, duplicate_days,
                             round_window_days, round_unit, round_min_invoices, round_warn_bp, new_debtor_days, new_debtor_warn_bp, slow_payer_days,
                             weight_delegated_bp)
            FROM policies
            """, as: String.self) == "5 7 60 300 800 0 45 1000000000000 4 10000 30 2000 15 13000")
        // The in-memory reading of the same bytes: the defaults with these fourteen values set.
        var applied = Policy()
        try PolicyOverrides(bytes: Array(json.utf8), baseExponent: 2).apply(to: &applied)
        var expected = Policy()
        (expected.remittanceDays, expected.depositDays, expected.dilutionWindowDays, expected.dilutionAllowanceBP) = (5, 7, 60, 300)
        (expected.dilutionWarnBP, expected.duplicateDays, expected.roundWindowDays, expected.roundUnit) = (800, 0, 45, 1_000_000_000_000)
        (expected.roundMinInvoices, expected.roundWarnBP, expected.newDebtorDays, expected.newDebtorWarnBP) = (4, 10_000, 30, 2000)
        expected.slowPayerDays = 15
        expected.weightBP[.delegated] = 13_000
        #expect(applied == expected)
        let tenant = try scalar("SELECT tenant_id FROM tenants WHERE tenant_ref = 'demo'", as: Int64.self)
        let stored = try await pool.tenantTransaction(tenant) { try TenantSettings.load($0, tenantID: tenant) }
        #expect(stored?.policy == expected)

        // null turns the undeposited rule off; the parameters not named keep their values.
        try Fixtures.write(#"{"deposit_days": null}"#, "policy.json", in: folder)
        #expect(try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo").files.map(\.updated) == [1])
        #expect(try scalar("SELECT deposit_days IS NULL AND remittance_days = 5 FROM policies", as: Bool.self))
        var unset = applied
        try PolicyOverrides(bytes: Array(#"{"deposit_days": null}"#.utf8), baseExponent: 2).apply(to: &unset)
        #expect(unset.depositDays == nil && unset.remittanceDays == 5)
        // The same null again changes nothing.
        #expect(try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo").files.map(\.updated) == [0])
    }

    @Test("policy.json: a version 2 parameter out of its range or of the wrong type is refused at its JSON path, and the policy is left as it was",
          arguments: [
            (#"{"dilution_warn_bp": 10001}"#, "$.dilution_warn_bp", "must be a whole number from 0 to 10000"),
            (#"{"round_unit": 0}"#, "$.round_unit", "must be a whole number from 1 to 1000000000000"),
            (#"{"round_unit": 1000000000001}"#, "$.round_unit", "must be a whole number from 1 to 1000000000000"),
            (#"{"remittance_days": -1}"#, "$.remittance_days", "must be a whole number from 0 to 36500"),
            (#"{"round_min_invoices": 1000000001}"#, "$.round_min_invoices", "must be a whole number from 0 to 1000000000"),
            (#"{"deposit_days": 36501}"#, "$.deposit_days", "must be a whole number from 0 to 36500, or null"),
            (#"{"deposit_days": "5"}"#, "$.deposit_days", "must be a whole number from 0 to 36500, or null"),
            (#"{"slow_payer_days": true}"#, "$.slow_payer_days", "must be a whole number from 0 to 36500"),
            (#"{"new_debtor_days": null}"#, "$.new_debtor_days", "must be a whole number from 0 to 36500"),
            (#"{"duplicate_days": 2.5}"#, "$.duplicate_days", "must be a whole number from 0 to 36500"),
          ])
    func policyVersion2Refusals(json: String, path: String, message: String) async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try Fixtures.workedExampleCopy("policy-v2-bad")
        let before = try scalar("SELECT policies::text FROM policies", as: String.self)
        let refusal = try await policyRefusal(json, in: folder)
        #expect(refusal.column == path)
        #expect(refusal.message == message)
        #expect(try scalar("SELECT policies::text FROM policies", as: String.self) == before)
    }
}
