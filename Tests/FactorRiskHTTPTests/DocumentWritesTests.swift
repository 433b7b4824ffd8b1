import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

@Suite("document writes through the import's staging and merge")
struct DocumentWritesTests {
    @Test("a batch sent again changes nothing, not even a row version; a changed entry is one update")
    func resendIsANoOp() async throws {
        let api = try await APIHarness.start("api-docs-again")
        defer { Task { await api.stop() } }
        let client = api.client(api.write)
        func body(open: String) -> String {
            """
            {"documents": [
              {"doc_ref": "A1", "client_ref": "C1", "debtor_ref": "D3", "kind": "invoice", "currency": "EUR", "amount": "100.00",
               "open_amount": "\(open)", "issue_date": "2026-11-01", "due_date": "2026-12-01"},
              {"doc_ref": "A2", "client_ref": "C2", "debtor_ref": "D3", "kind": "credit_note", "currency": "JPY", "amount": "5000",
               "open_amount": "5000", "issue_date": "2026-11-01", "due_date": "2026-11-01", "disputed": true}]}
            """
        }
        func versions() async throws -> String {
            try await api.pool.withConnection {
                try $0.query("SELECT string_agg(xmin::text, ',' ORDER BY doc_ref) FROM documents WHERE doc_ref LIKE 'A%'").first!.decode(String.self, at: 0)
            }
        }
        let first = try await client.send("POST", "/v1/documents", body: body(open: "100.00"))
        #expect(first.json == .object([("received", .number("2")), ("inserted", .number("2")), ("updated", .number("0")), ("unchanged", .number("0"))]))
        let before = try await versions()
        let again = try await client.send("POST", "/v1/documents", body: body(open: "100.00"))
        #expect(again.json == .object([("received", .number("2")), ("inserted", .number("0")), ("updated", .number("0")), ("unchanged", .number("2"))]))
        #expect(try await versions() == before)
        let paid = try await client.send("POST", "/v1/documents", body: body(open: "40.00"))
        #expect(paid.json == .object([("received", .number("2")), ("inserted", .number("0")), ("updated", .number("1")), ("unchanged", .number("1"))]))
        let stored = try await api.pool.withConnection {
            try $0.query("SELECT open_amount FROM documents WHERE doc_ref = 'A1'").first!.decode(Int64.self, at: 0)
        }
        #expect(stored == 4_000)
    }

    @Test("unknown clients and debtors are named by the entry's JSON path, in entry order, and nothing is written")
    func unknownReferencesByPath() async throws {
        let api = try await APIHarness.start("api-docs-refs")
        defer { Task { await api.stop() } }
        func entry(_ ref: String, _ client: String, _ debtor: String) -> String {
            """
            {"doc_ref": "\(ref)", "client_ref": "\(client)", "debtor_ref": "\(debtor)", "kind": "invoice", "currency": "EUR",
             "amount": "1.00", "open_amount": "1.00", "issue_date": "2026-11-01", "due_date": "2026-12-01"}
            """
        }
        let response = try await api.client(api.write).send("POST", "/v1/documents", body: """
            {"documents": [\(entry("R1", "C1", "D3")), \(entry("R2", "C1", "NOPE")), \(entry("R3", "C9", "D3")), \(entry("R4", "C9", "NOPE"))]}
            """)
        #expect(response.status == 422)
        #expect(response.json["error"]?["message"] == .string("4 problems, the first: $.documents[1].debtor_ref: unknown debtor \"NOPE\""))
        #expect(response.json["error"]?["details"] == .array([
            .object([("path", .string("$.documents[1].debtor_ref")), ("message", .string("unknown debtor \"NOPE\""))]),
            .object([("path", .string("$.documents[2].client_ref")), ("message", .string("unknown client \"C9\""))]),
            .object([("path", .string("$.documents[3].client_ref")), ("message", .string("unknown client \"C9\""))]),
            .object([("path", .string("$.documents[3].debtor_ref")), ("message", .string("unknown debtor \"NOPE\""))]),
        ]))
        let written = try await api.pool.withConnection { try $0.query("SELECT count(*) FROM documents WHERE doc_ref LIKE 'R%'").first!.decode(Int.self, at: 0) }
        #expect(written == 0)
    }
}
