import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// The inputs of rulebook version 2 (RULEBOOK.md §3, §8; FORMATS.md): collections.csv,
/// remittances.csv and document_events.csv, loaded with the same guarantees as the other files.
extension ImportTests {
    /// The second worked example (RULEBOOK.md §8.6), a full bundle with a policy.json.
    static let cashExample = "\(Fixtures.packageRoot)/Tests/Fixtures/cash"

    /// Rows of the three tables, as the owner sees them.
    func cashCounts() throws -> [Int] {
        let connection = try database.connect()
        return try ["collections", "remittances", "document_events"].map { table in
            try connection.query("SELECT count(*) FROM \(table)").first!.decode(Int.self, at: 0)
        }
    }

    /// Each table's rows as text, in key order: what must not change when a load is refused or repeated.
    func cashRows() throws -> [String] {
        let connection = try database.connect()
        return try [
            "SELECT string_agg(concat_ws(' ', collection_ref, doc_ref, collected_on, amount, xmin), ';' ORDER BY collection_ref) FROM collections",
            "SELECT string_agg(concat_ws(' ', remittance_ref, k.client_ref, received_on, currency, r.amount, r.xmin), ';' ORDER BY remittance_ref) FROM remittances r JOIN clients k USING (tenant_id, client_id)",
            "SELECT string_agg(concat_ws(' ', doc_ref, event, event_date, xmin), ';' ORDER BY doc_ref, event) FROM document_events",
        ].map { try connection.query($0).first!.decode(String?.self, at: 0) ?? "" }
    }

    @Test("the cash example loads: collections in their document's currency, remittances by client, events by document, and its policy")
    func loadsTheCashExample() async throws {
        let summary = try await importer.importBundle(directory: Self.cashExample, tenantRef: "cash")
        #expect(summary.files.map(\.file) == ["tenant.csv", "countries.csv", "clients.csv", "debtors.csv", "approvals.csv", "fx_rates.csv",
                                              "documents.csv", "collections.csv", "remittances.csv", "document_events.csv", "policy.json"])
        #expect(summary.files.map(\.inserted) == [1, 1, 2, 3, 4, 0, 12, 3, 2, 11, 0])
        #expect(summary.files.last?.updated == 1)
        #expect(try cashCounts() == [3, 2, 11])
        // 10,000.00 EUR is 1,000,000 cents; a remittance names its client by id.
        let rows = try cashRows()
        #expect(rows[0].split(separator: ";").map { $0.split(separator: " ").prefix(4).joined(separator: " ") } == [
            "KC1 A0 2026-07-02 1000000", "KC2 A5 2026-10-16 3000000", "KC3 A1 2026-11-19 3000000",
        ])
        #expect(rows[1].split(separator: ";").map { $0.split(separator: " ").prefix(5).joined(separator: " ") } == [
            "KR1 K1 2026-07-03 EUR 1000000", "KR2 K1 2026-10-20 EUR 2000000",
        ])
        #expect(rows[2].split(separator: ";").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }.filter { $0.hasPrefix("A2") || $0.hasPrefix("Z3") } == [
            "A2 deposited 2026-10-21", "A2 paid 2026-11-10", "Z3 deposited 2026-11-05", "Z3 refused 2026-11-08",
        ])
        #expect(try scalar("SELECT concat_ws(' ', deposit_days, round_min_invoices, slow_payer_days, remittance_days) FROM policies", as: String.self) == "5 4 10 2")
        // The worked example has none of these files: nothing of them is loaded for its tenant.
        let worked = try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        #expect(!worked.files.contains { ["collections.csv", "remittances.csv", "document_events.csv"].contains($0.file) })
        #expect(try cashCounts() == [3, 2, 11])
    }

    @Test("re-importing the cash example changes nothing, not even a row version; a newer extract updates in place")
    func cashReimportAndNewerExtract() async throws {
        try await importer.importBundle(directory: Self.cashExample, tenantRef: "cash")
        // Each document carries the dates of its events (document_events.csv: A2 deposited 10-21, paid 11-10).
        let eventDates = "SELECT concat_ws(' ', paid_on, refused_on, deposited_on) FROM documents WHERE doc_ref = $1"
        #expect(try scalar(eventDates, ["A2"], as: String.self) == "2026-11-10 2026-10-21")
        let documentVersions = "SELECT string_agg(doc_ref || ' ' || xmin, ';' ORDER BY doc_ref) FROM documents"
        let versions = try scalar(documentVersions, as: String.self)
        let again = try await reimportChangesNothing(Self.cashExample, tenant: "cash", rows: cashRows)
        #expect(again.files.suffix(4).map(\.unchanged) == [3, 2, 11, 1])
        #expect(try scalar(documentVersions, as: String.self) == versions)

        let folder = TestCluster.temporaryFolder("import-cash-newer")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Fixtures.write("collection_ref,doc_ref,collected_on,amount\nKC3,A1,2026-11-19,31000.5\nKC4,A4,2026-11-20,0.01\n", "collections.csv", in: folder)
        try Fixtures.write("remittance_ref,client_ref,received_on,currency,amount\nKR2,K1,2026-10-21,EUR,20000.00\n", "remittances.csv", in: folder)
        try Fixtures.write("doc_ref,event,event_date\nA3,deposited,2026-11-19\nA2,paid,2026-11-09\n", "document_events.csv", in: folder)
        let newer = try await importer.importBundle(directory: folder, tenantRef: "cash")
        #expect(newer.files.map(\.file) == ["collections.csv", "remittances.csv", "document_events.csv"])
        #expect(newer.files.map(\.inserted) == [1, 0, 1])
        #expect(newer.files.map(\.updated) == [1, 1, 1])
        #expect(try cashCounts() == [4, 2, 12])
        #expect(try scalar("SELECT amount FROM collections WHERE collection_ref = 'KC3'", as: Int64.self) == 3_100_050)
        #expect(try scalar("SELECT amount FROM collections WHERE collection_ref = 'KC4'", as: Int64.self) == 1)
        #expect(try scalar("SELECT received_on::text FROM remittances WHERE remittance_ref = 'KR2'", as: String.self) == "2026-10-21")
        #expect(try scalar("SELECT event_date::text FROM document_events WHERE doc_ref = 'A2' AND event = 'paid'", as: String.self) == "2026-11-09")
        // A changed event date replaces the document's; a new event adds one.
        #expect(try scalar(eventDates, ["A2"], as: String.self) == "2026-11-09 2026-10-21")
        #expect(try scalar(eventDates, ["A3"], as: String.self) == "2026-11-19")
        // Rows the extract does not name stay as they were.
        #expect(try scalar("SELECT amount FROM collections WHERE collection_ref = 'KC1'", as: Int64.self) == 1_000_000)
    }

    @Test("a collection is converted with the minor digits of its document's currency, staged in the same load or stored")
    func collectionsInTheDocumentsCurrency() async throws {
        try await importer.importBundle(directory: Self.cashExample, tenantRef: "cash")
        let folder = TestCluster.temporaryFolder("import-cash-currencies")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A0 is stored, in EUR; J1 (JPY) and W1 (KWD) come in the same bundle.
        try Fixtures.write("""
            doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed
            J1,K1,B1,invoice,JPY,1000000,1000000,2026-11-01,2026-12-01,false
            W1,K1,B1,invoice,KWD,1000.000,1000.000,2026-11-01,2026-12-01,false
            """, "documents.csv", in: folder)
        try Fixtures.write("""
            collection_ref,doc_ref,collected_on,amount
            C1,A0,2026-11-01,12.3
            C2,J1,2026-11-01,125000
            C3,W1,2026-11-01,1.234
            C4,W1,2026-11-01,7
            """, "collections.csv", in: folder)
        try await importer.importBundle(directory: folder, tenantRef: "cash")
        let stored = try database.connect().query("SELECT collection_ref, amount FROM collections WHERE collection_ref LIKE 'C%' ORDER BY collection_ref").rows.map {
            "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int64.self, at: 1))"
        }
        #expect(stored == ["C1 1230", "C2 125000", "C3 1234", "C4 7000"])
    }

    @Test("every bad row of the three files is reported by file, line and column, and nothing is written")
    func badCashRows() async throws {
        try await importer.importBundle(directory: Self.cashExample, tenantRef: "cash")
        let before = (try counts(), try cashRows())
        let folder = TestCluster.temporaryFolder("import-cash-bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // J1 is new in this load, in JPY; A1 is stored, in EUR.
        try Fixtures.write("""
            doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed
            J1,K1,B1,invoice,JPY,100000,100000,2026-11-01,2026-12-01,false
            """, "documents.csv", in: folder)
        try Fixtures.write("""
            collection_ref,doc_ref,collected_on,amount
            KC9,NOPE,2026-11-01,10.00
            KC10,A1,2026-11-01,0.00
            KC11,A1,2026-11-01,-5.00
            KC12,A1,2026-11-01,10.001
            KC13,J1,2026-11-01,12.5
            KC9,A1,2026-11-01,1.00
            KC14,A1,2026-13-01,1.00
            """, "collections.csv", in: folder)
        try Fixtures.write("""
            remittance_ref,client_ref,received_on,currency,amount
            KR9,K9,2026-11-01,EUR,10.00
            KR10,K1,2026-11-01,EUR,0
            KR11,K1,2026-11-01,XYZ,10.00
            KR12,K1,2026-11-01,EUR,10.001
            KR9,K1,2026-11-01,EUR,1.00
            KR13,K1,2026/11/01,EUR,1.00
            KR14,K1,2026-11-01,EUR,-1.00
            """, "remittances.csv", in: folder)
        try Fixtures.write("""
            doc_ref,event,event_date
            NOPE,paid,2026-11-01
            A1,settled,2026-11-01
            A1,paid,2026-11-01
            A1,paid,2026-11-02
            A1,refused,2026-02-30
            J1,deposited,2026-11-02
            """, "document_events.csv", in: folder)
        let failure = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importBundle(directory: folder, tenantRef: "cash")
        }
        #expect(try counts() == before.0, "nothing written")
        #expect(try cashRows() == before.1, "nothing written")
        let issues = try #require(failure).issues.map { "\($0.file) \($0.line ?? 0) \($0.column ?? ""): \($0.message)" }
        let expected = [
            "collections.csv 2 doc_ref: unknown doc_ref \"NOPE\" (not in documents.csv nor loaded before)",
            "collections.csv 3 amount: 0.00 is not above 0",
            "collections.csv 4 amount: -5.00 is negative",
            "collections.csv 5 amount: 10.001: 3 decimals, the currency allows 2 (the document is in EUR)",
            "collections.csv 6 amount: 12.5: 1 decimal, the currency allows none (no '.') (the document is in JPY)",
            "collections.csv 7 collection_ref: duplicate key KC9 (first on line 2)",
            "collections.csv 8 collected_on: \"2026-13-01\" is not a date (YYYY-MM-DD)",
            "remittances.csv 2 client_ref: unknown client_ref \"K9\" (not in clients.csv nor loaded before)",
            "remittances.csv 3 amount: 0 is not above 0",
            "remittances.csv 4 currency: \"XYZ\" is not an ISO 4217 currency code",
            "remittances.csv 5 amount: \"10.001\" is not an amount: 3 decimals, the currency allows 2",
            "remittances.csv 6 remittance_ref: duplicate key KR9 (first on line 2)",
            "remittances.csv 7 received_on: \"2026/11/01\" is not a date (YYYY-MM-DD)",
            "remittances.csv 8 amount: -1.00 is negative",
            "document_events.csv 2 doc_ref: unknown doc_ref \"NOPE\" (not in documents.csv nor loaded before)",
            "document_events.csv 3 event: \"settled\" is not an event (deposited, refused or paid)",
            "document_events.csv 5 doc_ref,event: duplicate key A1, paid (first on line 4)",
            "document_events.csv 6 event_date: \"2026-02-30\" is not a date (YYYY-MM-DD)",
        ]
        #expect(issues == expected)
        #expect(failure?.total == expected.count)
    }

    @Test("a collection above the largest amount in its document's currency is refused once the currency is known")
    func collectionAboveTheLargestAmount() async throws {
        try await importer.importBundle(directory: Self.cashExample, tenantRef: "cash")
        let folder = TestCluster.temporaryFolder("import-cash-large")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 99,999,999,999,999.99 EUR is the largest amount; one cent more is not.
        try Fixtures.write("collection_ref,doc_ref,collected_on,amount\nL1,A1,2026-11-01,99999999999999.99\nL2,A1,2026-11-01,100000000000000\n",
                           "collections.csv", in: folder)
        let failure = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importFile(path: "\(folder)/collections.csv", tenantRef: "cash")
        }
        #expect(failure?.issues.map(\.description) == [
            "collections.csv line 3, column amount: 100000000000000 is above the largest amount, 99999999999999.99 (the document is in EUR)",
        ])
    }

    @Test("one file alone (--file) loads against what is stored, and drops the tenant's live states like any import")
    func oneCashFileAloneInvalidatesLiveStates() async throws {
        try await importer.importBundle(directory: Self.cashExample, tenantRef: "cash")
        let tenant = try scalar("SELECT tenant_id FROM tenants WHERE tenant_ref = 'cash'", as: Int64.self)
        // A live state as a live request leaves one (its figures do not matter here).
        try database.connect().query("""
            INSERT INTO live_states (tenant_id, as_of, gross, eligible, guaranteed, covered, risk_weighted, documents)
            VALUES ($1, '2026-11-20', 0, 0, 0, 0, 0, 0)
            """, [tenant])
        #expect(try scalar("SELECT count(*) FROM live_states WHERE tenant_id = $1", [tenant], as: Int.self) == 1)
        let folder = TestCluster.temporaryFolder("import-cash-one")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Fixtures.write("doc_ref,event,event_date\nA4,deposited,2026-11-19\n", "document_events.csv", in: folder)
        let summary = try await importer.importFile(path: "\(folder)/document_events.csv", tenantRef: "cash")
        #expect(summary.files.map(\.inserted) == [1])
        #expect(try scalar("SELECT count(*) FROM live_states WHERE tenant_id = $1", [tenant], as: Int.self) == 0)
    }
}
