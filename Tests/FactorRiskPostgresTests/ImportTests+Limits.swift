import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// The inputs of rulebook version 3 (RULEBOOK.md §9.1–§9.3; FORMATS.md): limit_changes.csv and
/// insurance.csv, loaded with the same guarantees as the other files.
extension ImportTests {
    /// The limits example (RULEBOOK.md §9), a full bundle with both files.
    static let limitsExample = "\(Fixtures.packageRoot)/Tests/Fixtures/limits"

    /// Each table's rows as text in key order, references by name and the row version last: what
    /// must not change when a load is refused or repeated.
    func limitsRows() throws -> [String] {
        let connection = try database.connect()
        return try [
            """
            SELECT string_agg(concat_ws(' ', change_ref, d.debtor_ref, coalesce(c.client_ref, '-'), new_limit, announced_on, effective_on, l.xmin),
                              ';' ORDER BY change_ref)
            FROM limit_changes l JOIN debtors d USING (tenant_id, debtor_id) LEFT JOIN clients c USING (tenant_id, client_id)
            """,
            """
            SELECT string_agg(concat_ws(' ', d.debtor_ref, insurer, insured_limit, cover_bp, valid_from, coalesce(valid_to::text, '-'), i.xmin),
                              ';' ORDER BY d.debtor_ref)
            FROM insurance i JOIN debtors d USING (tenant_id, debtor_id)
            """,
        ].map { try connection.query($0).first!.decode(String?.self, at: 0) ?? "" }
    }

    /// The rows of `limitsRows()` without their row version.
    func limitsValues() throws -> [[String]] {
        try limitsRows().map { table in
            table.split(separator: ";").map { $0.split(separator: " ").dropLast().joined(separator: " ") }
        }
    }

    /// A new folder with `changes` and `insurance` as the rows of limit_changes.csv and insurance.csv
    /// (a file without rows is not written) and `debtors` as those of debtors.csv; the caller removes it.
    func limitsBundle(_ label: String, changes: [String], insurance: [String] = [], debtors: [String] = []) throws -> String {
        let folder = TestCluster.temporaryFolder(label)
        for (file, rows) in [(BundleFile.debtors, debtors), (.limitChanges, changes), (.insurance, insurance)] where !rows.isEmpty {
            try Fixtures.write(([file.header.joined(separator: ",")] + rows).joined(separator: "\n") + "\n", file.fileName, in: folder)
        }
        return folder
    }

    @Test("the limits example loads: changes of credit limits (no client) and of approvals, one policy per debtor, in cents")
    func loadsTheLimitsExample() async throws {
        let summary = try await importer.importBundle(directory: Self.limitsExample, tenantRef: "limits")
        #expect(summary.files.map(\.file) == ["tenant.csv", "countries.csv", "clients.csv", "debtors.csv", "approvals.csv",
                                              "documents.csv", "limit_changes.csv", "insurance.csv"])
        #expect(summary.files.suffix(2).map(\.inserted) == [12, 4])
        let values = try limitsValues()
        // 250,000.00 EUR is 25,000,000 cents; an empty client_ref is the debtor's credit limit.
        #expect(values[0] == [
            "LC01 M1 - 25000000 2026-05-15 2026-06-01", "LC02 M1 - 20000000 2026-09-01 2026-10-01",
            "LC03 M1 - 22000000 2026-08-15 2026-10-01", "LC04 M2 - 9000000 2026-11-01 2026-12-05",
            "LC05 M2 - 6000000 2026-11-05 2026-12-05", "LC06 M2 - 0 2026-11-05 2027-01-31",
            "LC07 M3 - 12000000 2026-11-19 2026-12-20", "LC08 M4 - 0 2026-10-15 2026-11-15",
            "LC09 M5 - 1000000 2026-11-21 2026-12-21", "LC10 M1 L2 8000000 2026-11-18 2026-11-20",
            "LC11 M3 L1 4000000 2026-11-10 2026-12-01", "LC12 M5 L2 0 2026-10-01 2026-11-01",
        ])
        // Two words in an insurer's name; an empty valid_to is open-ended (NULL).
        #expect(values[1] == [
            "M1 Coface 15000000 9000 2025-01-01 -", "M2 Atradius 20000000 8500 2025-12-11 2026-12-10",
            "M3 Allianz Trade 10000000 9000 2025-11-01 2026-10-31", "M5 Allianz Trade 2555555 9000 2025-12-21 2026-12-20",
        ])
        #expect(try scalar("SELECT count(*) FROM limit_changes WHERE client_id IS NULL", as: Int.self) == 9)
        #expect(try scalar("SELECT count(*) FROM insurance WHERE valid_to IS NULL", as: Int.self) == 1)
        // The files keep their own values: a change does not rewrite debtors.csv's limit or approvals.csv's approval.
        #expect(try scalar("SELECT credit_limit FROM debtors WHERE debtor_ref = 'M1'", as: Int64.self) == 30_000_000)
        #expect(try scalar("""
            SELECT approved FROM approvals a JOIN clients c USING (tenant_id, client_id) JOIN debtors d USING (tenant_id, debtor_id)
            WHERE c.client_ref = 'L2' AND d.debtor_ref = 'M5'
            """, as: Int64.self) == 4_000_000)
    }

    @Test("re-importing the limits example changes nothing, not even a row version; a newer extract updates in place")
    func limitsReimportAndNewerExtract() async throws {
        try await importer.importBundle(directory: Self.limitsExample, tenantRef: "limits")
        let before = try limitsRows()
        let again = try await reimportChangesNothing(Self.limitsExample, tenant: "limits", rows: limitsRows)
        #expect(again.files.suffix(2).map(\.unchanged) == [12, 4])

        // LC09 moved a month later, LC11 now names no client (the debtor's limit), LC13 is new;
        // M2's policy renewed open-ended, M4 newly insured; the rows not named stay as they were.
        let folder = try limitsBundle("import-limits-newer", changes: [
            "LC09,M5,,10000.00,2026-11-21,2027-01-21",
            "LC11,M3,,40000.00,2026-11-10,2026-12-01",
            "LC13,M4,L2,0.01,2026-11-20,2026-11-20",
        ], insurance: [
            "M2,Atradius,200000.00,8500,2025-12-11,",
            "M4,Credendo,75000.5,10000,2026-11-20,2026-11-20",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let newer = try await importer.importBundle(directory: folder, tenantRef: "limits")
        #expect(newer.files.map(\.file) == ["limit_changes.csv", "insurance.csv"])
        #expect(newer.files.map(\.inserted) == [1, 1])
        #expect(newer.files.map(\.updated) == [2, 1])
        let values = try limitsValues()
        #expect(values[0].count == 13)
        #expect(values[0].filter { ["LC09", "LC11", "LC13"].contains($0.prefix(4)) } == [
            "LC09 M5 - 1000000 2026-11-21 2027-01-21", "LC11 M3 - 4000000 2026-11-10 2026-12-01", "LC13 M4 L2 1 2026-11-20 2026-11-20",
        ])
        #expect(values[1] == [
            "M1 Coface 15000000 9000 2025-01-01 -", "M2 Atradius 20000000 8500 2025-12-11 -",
            "M3 Allianz Trade 10000000 9000 2025-11-01 2026-10-31", "M4 Credendo 7500050 10000 2026-11-20 2026-11-20",
            "M5 Allianz Trade 2555555 9000 2025-12-21 2026-12-20",
        ])
        // The rows the extract did not name keep their row version too.
        let untouched = try limitsRows()[0].split(separator: ";").filter { $0.hasPrefix("LC01 ") }
        #expect(untouched == before[0].split(separator: ";").filter { $0.hasPrefix("LC01 ") })
    }

    @Test("every bad row of limit_changes.csv and insurance.csv is reported by file, line and column, and nothing is written")
    func badLimitsRows() async throws {
        try await importer.importBundle(directory: Self.limitsExample, tenantRef: "limits")
        let before = try limitsRows()
        // X5 on line 6 is sound (an empty client_ref, effective the day it is announced), and so
        // is M4 on line 6 of insurance.csv (full cover, valid one day): only their repeats are bad.
        let folder = try limitsBundle("import-limits-bad", changes: [
            "X1,M1,,100000.00,2026-11-10,2026-11-01",
            "X2,M1,,-5.00,2026-11-01,2026-11-10",
            "X3,NOPE,,1000.00,2026-11-01,2026-11-10",
            "X4,M1,L9,1000.00,2026-11-01,2026-11-10",
            "X5,M2,,1000.00,2026-11-01,2026-11-01",
            "X5,M2,L2,2000.00,2026-11-01,2026-11-02",
            "X6,M2,,1000.00,2026-11-31,2026-12-01",
            "X7,M2,L2,1000.001,2026-11-01,2026-12-01",
        ], insurance: [
            "M1,Coface,-1.00,9000,2025-01-01,",
            "M2,Atradius,1000.00,10001,2025-01-01,2026-01-01",
            "M3,Allianz Trade,1000.00,9000,2026-01-01,2025-12-31",
            "NOPE,Coface,1000.00,9000,2026-01-01,",
            "M4,Coface,1000.00,10000,2026-01-01,2026-01-01",
            "M4,Atradius,1000.00,0,2026-01-01,",
            "M5,Coface,1000.005,9000,2026-01-01,",
            "M5,Coface,1000.00,9000,2026-02-30,",
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // `refused` checks the other tables; these two are checked here.
        let failure = try await refused(folder, tenant: "limits")
        #expect(try limitsRows() == before, "nothing written")
        let issues = failure.issues.map { "\($0.file) \($0.line ?? 0) \($0.column ?? ""): \($0.message)" }
        let expected = [
            "limit_changes.csv 2 effective_on: 2026-11-01 is before announced_on 2026-11-10",
            "limit_changes.csv 3 new_limit: -5.00 is negative",
            "limit_changes.csv 4 debtor_ref: unknown debtor_ref \"NOPE\" (not in debtors.csv nor loaded before)",
            "limit_changes.csv 5 client_ref: unknown client_ref \"L9\" (not in clients.csv nor loaded before)",
            "limit_changes.csv 7 change_ref: duplicate key X5 (first on line 6)",
            "limit_changes.csv 8 announced_on: \"2026-11-31\" is not a date (YYYY-MM-DD)",
            "limit_changes.csv 9 new_limit: \"1000.001\" is not an amount: 3 decimals, the currency allows 2",
            "insurance.csv 2 insured_limit: -1.00 is negative",
            "insurance.csv 3 cover_bp: \"10001\" is not a whole number from 0 to 10000",
            "insurance.csv 4 valid_to: 2025-12-31 is before valid_from 2026-01-01",
            "insurance.csv 5 debtor_ref: unknown debtor_ref \"NOPE\" (not in debtors.csv nor loaded before)",
            "insurance.csv 7 debtor_ref: duplicate key M4 (first on line 6)",
            "insurance.csv 8 insured_limit: \"1000.005\" is not an amount: 3 decimals, the currency allows 2",
            "insurance.csv 9 valid_from: \"2026-02-30\" is not a date (YYYY-MM-DD)",
        ]
        #expect(issues == expected)
        #expect(failure.total == expected.count)
    }

    @Test("a change naming a debtor or client of the same bundle loads; one of another tenant is unknown")
    func limitsReferToTheirOwnTenant() async throws {
        try await importer.importBundle(directory: Self.limitsExample, tenantRef: "limits")
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        // D9 comes with this bundle; M1 and L1 exist, but for tenant "limits" only.
        let folder = try limitsBundle("import-limits-tenants", changes: [
            "N1,D9,C1,5000.00,2026-11-01,2026-12-01",
            "N2,M1,,5000.00,2026-11-01,2026-12-01",
            "N3,D1,L1,5000.00,2026-11-01,2026-12-01",
        ], insurance: ["D9,Coface,8000.00,9000,2026-01-01,"], debtors: ["D9,Nouveau,FR,,10000.00"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let failure = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importBundle(directory: folder, tenantRef: "demo")
        }
        #expect(failure?.issues.map(\.description) == [
            "limit_changes.csv line 3, column debtor_ref: unknown debtor_ref \"M1\" (not in debtors.csv nor loaded before)",
            "limit_changes.csv line 4, column client_ref: unknown client_ref \"L1\" (not in clients.csv nor loaded before)",
        ])
        try Fixtures.write("""
            change_ref,debtor_ref,client_ref,new_limit,announced_on,effective_on
            N1,D9,C1,5000.00,2026-11-01,2026-12-01
            """, "limit_changes.csv", in: folder)
        let summary = try await importer.importBundle(directory: folder, tenantRef: "demo")
        #expect(summary.files.map(\.inserted) == [1, 1, 1])
        #expect(try scalar("""
            SELECT concat_ws(' ', d.debtor_ref, c.client_ref, new_limit) FROM limit_changes l
            JOIN tenants t USING (tenant_id) JOIN debtors d USING (tenant_id, debtor_id) JOIN clients c USING (tenant_id, client_id)
            WHERE t.tenant_ref = 'demo'
            """, as: String.self) == "D9 C1 500000")
    }

    @Test("limit_changes.csv or insurance.csv alone (--file) loads against the debtors and clients stored, and again to no effect")
    func oneLimitsFileAlone() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try limitsBundle("import-limits-one", changes: [
            "W1,D1,,90000.00,2026-11-01,2026-12-01",
            "W2,D1,C2,0,2026-11-15,2026-11-30",
        ], insurance: ["D2,Coface,50000,9500,2026-01-01,2026-12-31"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let changes = try await importer.importFile(path: "\(folder)/limit_changes.csv", tenantRef: "demo")
        #expect(changes.files.map(\.file) == ["limit_changes.csv"])
        #expect(changes.files.map(\.inserted) == [2])
        let insurance = try await importer.importFile(path: "\(folder)/insurance.csv", tenantRef: "demo")
        #expect(insurance.files.map(\.inserted) == [1])
        #expect(try limitsValues() == [
            ["W1 D1 - 9000000 2026-11-01 2026-12-01", "W2 D1 C2 0 2026-11-15 2026-11-30"],
            ["D2 Coface 5000000 9500 2026-01-01 2026-12-31"],
        ])
        let again = try await importer.importFile(path: "\(folder)/insurance.csv", tenantRef: "demo")
        #expect(again.files.map(\.inserted) == [0])
        #expect(again.files.map(\.updated) == [0])
        #expect(again.files.map(\.unchanged) == [1])
    }
}
