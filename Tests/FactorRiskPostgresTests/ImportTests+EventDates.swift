import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// A document carries the date of its event of each kind (migration 0012), however its events arrive.
extension ImportTests {
    /// The documents of `tenant` with an event, each as "doc_ref paid_on refused_on deposited_on" ('-' for none).
    func documentEventDates(_ tenant: String) throws -> [String] {
        try database.connect().query("""
            SELECT concat_ws(' ', doc_ref, coalesce(paid_on::text, '-'), coalesce(refused_on::text, '-'), coalesce(deposited_on::text, '-'))
            FROM documents d JOIN tenants t USING (tenant_id)
            WHERE t.tenant_ref = $1 AND (paid_on, refused_on, deposited_on) IS DISTINCT FROM (NULL::date, NULL::date, NULL::date)
            ORDER BY doc_ref
            """, [tenant]).rows.map { try $0.decode(String.self, at: 0) }
    }

    @Test("a document's event dates are the same whether its events come in its own import or in a later one")
    func eventDatesWithTheDocumentsOrLater() async throws {
        // The cash example's document_events.csv, one date per document and kind.
        let expected = [
            "A0 - - 2026-06-01", "A1 - - 2026-10-02", "A2 2026-11-10 - 2026-10-21", "A5 - - 2026-09-15",
            "Z1 - - 2026-11-01", "Z2 - - 2026-11-03", "Z3 - 2026-11-08 2026-11-05", "Z4 - - 2026-10-25", "Z5 - - 2026-08-02",
        ]
        // With their documents, into a new tenant: the documents are inserted with these dates.
        try await importer.importBundle(directory: Self.cashExample, tenantRef: "cash")
        #expect(try documentEventDates("cash") == expected)

        // The same bundle without its events (for tenant "later"), then the events alone: the documents are updated.
        let folder = TestCluster.temporaryFolder("import-event-dates-later")
        let events = TestCluster.temporaryFolder("import-event-dates-events")
        defer { for path in [folder, events] { try? FileManager.default.removeItem(atPath: path) } }
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.cashExample) where name.hasSuffix(".csv") || name == "policy.json" {
            var text = try String(contentsOfFile: "\(Self.cashExample)/\(name)", encoding: .utf8)
            if name == "tenant.csv" { text = text.replacingOccurrences(of: "\ncash,", with: "\nlater,") }
            try Fixtures.write(text, name, in: name == "document_events.csv" ? events : folder)
        }
        try await importer.importBundle(directory: folder, tenantRef: "later")
        #expect(try documentEventDates("later") == [])
        try await importer.importFile(path: "\(events)/document_events.csv", tenantRef: "later")
        #expect(try documentEventDates("later") == expected)

        // A later extract moves A2's payment and refuses A1, and names A0's deposit again:
        // the new dates replace or join the old; the other kinds stay.
        let newer = TestCluster.temporaryFolder("import-event-dates-newer")
        defer { try? FileManager.default.removeItem(atPath: newer) }
        try Fixtures.write("doc_ref,event,event_date\nA0,deposited,2026-06-01\nA1,refused,2026-11-12\nA2,paid,2026-11-11\n", "document_events.csv", in: newer)
        let summary = try await importer.importBundle(directory: newer, tenantRef: "later")
        #expect(summary.files.map(\.inserted) == [1])
        #expect(summary.files.map(\.updated) == [1])
        var changed = expected
        changed[1] = "A1 - 2026-11-12 2026-10-02"
        changed[2] = "A2 2026-11-11 - 2026-10-21"
        #expect(try documentEventDates("later") == changed)
        // The first tenant's documents are not touched.
        #expect(try documentEventDates("cash") == expected)
    }
}
