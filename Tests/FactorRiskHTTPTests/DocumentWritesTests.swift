import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

@Suite("document writes through the import's staging and merge")
struct DocumentWritesTests {
    /// Posts `entries` (JSON objects) as one batch, with a write key of demo.
    func post(_ api: APIHarness, _ entries: [String]) async throws -> HTTPTestClient.Response {
        try await api.client(api.write).send("POST", "/v1/documents", body: "{\"documents\": [\(entries.joined(separator: ", "))]}")
    }

    /// A document of the worked example's tenant; the fields not given are a plain open invoice in EUR.
    func entry(_ ref: String, client: String = "C1", debtor: String = "D3", kind: String = "invoice", currency: String = "EUR",
               amount: String = "100.00", open: String = "100.00", due: String = "2026-12-01") -> String {
        """
        {"doc_ref": "\(ref)", "client_ref": "\(client)", "debtor_ref": "\(debtor)", "kind": "\(kind)", "currency": "\(currency)",
         "amount": "\(amount)", "open_amount": "\(open)", "issue_date": "2026-11-01", "due_date": "\(due)"}
        """
    }

    @Test("a batch sent again changes nothing, not even a row version; a changed entry is one update")
    func resendIsANoOp() async throws {
        try await APIHarness.run("api-docs-again") { api in
            let note = entry("A2", client: "C2", kind: "credit_note", currency: "JPY", amount: "5000", open: "5000", due: "2026-11-01")
            func versions() async throws -> String {
                try await api.pool.withConnection {
                    try $0.query("SELECT string_agg(xmin::text, ',' ORDER BY doc_ref) FROM documents WHERE doc_ref LIKE 'A%'").first!.decode(String.self, at: 0)
                }
            }
            func counts(_ inserted: Int, _ updated: Int, _ unchanged: Int) -> JSONValue {
                .object([("received", .number("2")), ("inserted", .number("\(inserted)")), ("updated", .number("\(updated)")),
                         ("unchanged", .number("\(unchanged)"))])
            }
            #expect(try await post(api, [entry("A1"), note]).json == counts(2, 0, 0))
            let before = try await versions()
            #expect(try await post(api, [entry("A1"), note]).json == counts(0, 0, 2))
            #expect(try await versions() == before)
            #expect(try await post(api, [entry("A1", open: "40.00"), note]).json == counts(0, 1, 1))
            let stored = try await api.pool.withConnection {
                try $0.query("SELECT open_amount FROM documents WHERE doc_ref = 'A1'").first!.decode(Int64.self, at: 0)
            }
            #expect(stored == 4_000)
        }
    }

    @Test("unknown clients and debtors are named by the entry's JSON path, in entry order, and nothing is written")
    func unknownReferencesByPath() async throws {
        try await APIHarness.run("api-docs-refs") { api in
            let response = try await post(api, [entry("R1"), entry("R2", debtor: "NOPE"), entry("R3", client: "C9"),
                                                 entry("R4", client: "C9", debtor: "NOPE")])
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
}
