import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

/// POST /v1/collections, /v1/remittances and /v1/document-events: batches checked like the
/// import's files of the same names, staged and merged by the same statements, all or nothing.
@Suite("collection, remittance and document event writes through the import's staging and merge")
struct CashWritesTests {
    /// Posts `entries` (JSON objects) under the route's member, with `token` (demo's write key unless given).
    func post(_ api: APIHarness, _ route: String, _ entries: [String], token: String? = nil) async throws -> HTTPTestClient.Response {
        let member = route.replacingOccurrences(of: "-", with: "_")
        return try await api.client(token ?? api.write).send("POST", "/v1/\(route)", body: "{\"\(member)\": [\(entries.joined(separator: ", "))]}")
    }

    /// A collection on a document of the worked example (I1: C1's EUR invoice on D1; I3 is in USD).
    func collection(_ ref: String, doc: String = "I1", on date: String = "2026-11-10", amount: String = "100.00") -> String {
        #"{"collection_ref": "\#(ref)", "doc_ref": "\#(doc)", "collected_on": "\#(date)", "amount": "\#(amount)"}"#
    }

    func remittance(_ ref: String, client: String = "C1", currency: String = "EUR", amount: String = "100.00") -> String {
        #"{"remittance_ref": "\#(ref)", "client_ref": "\#(client)", "received_on": "2026-11-12", "currency": "\#(currency)", "amount": "\#(amount)"}"#
    }

    func event(_ doc: String, _ event: String, on date: String = "2026-11-05") -> String {
        #"{"doc_ref": "\#(doc)", "event": "\#(event)", "event_date": "\#(date)"}"#
    }

    func counts(_ received: Int, _ inserted: Int, _ updated: Int, _ unchanged: Int) -> JSONValue {
        .object([("received", .number("\(received)")), ("inserted", .number("\(inserted)")), ("updated", .number("\(updated)")),
                 ("unchanged", .number("\(unchanged)"))])
    }

    /// The rows of the three tables of `tenant`, as text with their row versions.
    func stored(_ api: APIHarness, tenant: Int64) async throws -> [String] {
        try await api.pool.withConnection { connection in
            try [
                "SELECT string_agg(concat_ws(' ', collection_ref, doc_ref, collected_on, amount, xmin), ';' ORDER BY collection_ref) FROM collections WHERE tenant_id = $1",
                "SELECT string_agg(concat_ws(' ', remittance_ref, client_id, received_on, currency, amount, xmin), ';' ORDER BY remittance_ref) FROM remittances WHERE tenant_id = $1",
                "SELECT string_agg(concat_ws(' ', doc_ref, event, event_date, xmin), ';' ORDER BY doc_ref, event) FROM document_events WHERE tenant_id = $1",
            ].map { try connection.query($0, [tenant]).first!.decode(String?.self, at: 0) ?? "" }
        }
    }

    @Test("a read key is refused (403) on each route; a write key and an admin key write")
    func roles() async throws {
        try await APIHarness.run("api-cash-roles") { api in
            for (route, entry) in [("collections", collection("R1")), ("remittances", remittance("R1")), ("document-events", event("I1", "deposited"))] {
                let refused = try await post(api, route, [entry], token: api.read)
                #expect(refused.status == 403, "\(route)")
                #expect(refused.errorCode == "insufficient_role")
                #expect((try await post(api, route, [entry])).json == counts(1, 1, 0, 0), "\(route)")
                #expect((try await post(api, route, [entry], token: api.admin)).json == counts(1, 0, 0, 1), "\(route)")
            }
            // 100.00 EUR in cents; the remittance's client by id.
            let rows = try await stored(api, tenant: api.demo).map { $0.split(separator: " ").dropLast().joined(separator: " ") }
            let client = try await api.pool.withConnection {
                try $0.query("SELECT client_id FROM clients WHERE tenant_id = $1 AND client_ref = 'C1'", [api.demo]).first!.decode(Int64.self, at: 0)
            }
            #expect(rows == ["R1 I1 2026-11-10 10000", "R1 \(client) 2026-11-12 EUR 10000", "I1 deposited 2026-11-05"])
        }
    }

    @Test("a key of another tenant naming demo's documents and clients gets the unknown-reference error, and nothing is written anywhere")
    func otherTenantsDocuments() async throws {
        try await APIHarness.run("api-cash-tenants") { api in
            let collections = try await post(api, "collections", [collection("X1")], token: api.otherWrite)
            #expect(collections.status == 422)
            #expect(collections.json["error"]?["details"] == .array([
                .object([("path", .string("$.collections[0].doc_ref")), ("message", .string("unknown document \"I1\""))]),
            ]))
            let events = try await post(api, "document-events", [event("I1", "paid")], token: api.otherWrite)
            #expect(events.json["error"]?["details"] == .array([
                .object([("path", .string("$.document_events[0].doc_ref")), ("message", .string("unknown document \"I1\""))]),
            ]))
            let remittances = try await post(api, "remittances", [remittance("X1")], token: api.otherWrite)
            #expect(remittances.json["error"]?["details"] == .array([
                .object([("path", .string("$.remittances[0].client_ref")), ("message", .string("unknown client \"C1\""))]),
            ]))
            #expect(try await stored(api, tenant: api.demo) == ["", "", ""])
            #expect(try await stored(api, tenant: api.other) == ["", "", ""])
        }
    }

    @Test("bad JSON: malformed, wrong types, missing and unknown fields are named by JSON path; the row checks by field")
    func badJSON() async throws {
        try await APIHarness.run("api-cash-json") { api in
            let client = api.client(api.write)
            #expect((try await client.send("POST", "/v1/collections", body: #"{"collections": ["#)).errorCode == "invalid_json")
            let notArray = try await client.send("POST", "/v1/remittances", body: #"{"remittances": {}}"#)
            #expect(notArray.json["error"]?["details"] == .array([
                .object([("path", .string("$.remittances")), ("message", .string("expected an array, found an object"))]),
            ]))
            // The member is named after the route, as documents' is.
            let misnamed = try await client.send("POST", "/v1/document-events", body: #"{"events": []}"#)
            #expect(misnamed.json["error"]?["details"] == .array([.object([("path", .string("$.events")), ("message", .string("unknown field"))])]))
            let empty = try await client.send("POST", "/v1/document-events", body: #"{"document_events": []}"#)
            #expect(empty.status == 422)

            let typed = try await post(api, "collections", [
                #"{"collection_ref": "T1", "doc_ref": "I1", "collected_on": "2026-11-10", "amount": 10}"#,
                #"{"collection_ref": "T2", "doc_ref": "I1", "amount": "1.00", "colour": "red"}"#,
                "7",
            ])
            #expect(typed.status == 422)
            #expect(typed.json["error"]?["details"] == .array([
                .object([("path", .string("$.collections[0].amount")), ("message", .string("expected a string, found a number"))]),
                .object([("path", .string("$.collections[1].colour")), ("message", .string("unknown field"))]),
                .object([("path", .string("$.collections[1].collected_on")), ("message", .string("is required"))]),
                .object([("path", .string("$.collections[2]")), ("message", .string("expected an object, found a number"))]),
            ]))

            // The row checks, then what the database finds: the document's currency, by entry.
            let checked = try await post(api, "collections", [
                collection("V1", amount: "0.00"), collection("V2", on: "2026-11-31"), collection("V3", amount: "1.001"),
                collection("V4", doc: "I3", amount: "2.50"), collection("V5", doc: "NOPE"),
            ])
            #expect(checked.json["error"]?["details"] == .array([
                .object([("path", .string("$.collections[0].amount")), ("message", .string("0.00 is not above 0"))]),
                .object([("path", .string("$.collections[1].collected_on")), ("message", .string("\"2026-11-31\" is not a date (YYYY-MM-DD)"))]),
            ]), "\(checked.body)")
            let found = try await post(api, "collections", [
                collection("V3", amount: "1.001"), collection("V4", doc: "I3", amount: "2.50"), collection("V5", doc: "NOPE"),
            ])
            #expect(found.json["error"]?["details"] == .array([
                .object([("path", .string("$.collections[0].amount")), ("message", .string("1.001: 3 decimals, the currency allows 2 (the document is in EUR)"))]),
                .object([("path", .string("$.collections[2].doc_ref")), ("message", .string("unknown document \"NOPE\""))]),
            ]), "\(found.body)")
            let words = try await post(api, "document-events", [event("I1", "settled"), event("I1", "paid"), event("I1", "paid", on: "2026-11-06")])
            #expect(words.json["error"]?["details"] == .array([
                .object([("path", .string("$.document_events[0].event")), ("message", .string("\"settled\" is not an event (deposited, refused or paid)"))]),
                .object([("path", .string("$.document_events[2].doc_ref")), ("message", .string("\"I1, paid\" is also $.document_events[1]"))]),
            ]))
            let money = try await post(api, "remittances", [remittance("M1", currency: "XXY"), remittance("M2", amount: "-1.00"), remittance("M3", amount: "5.001")])
            #expect(money.json["error"]?["details"] == .array([
                .object([("path", .string("$.remittances[0].currency")), ("message", .string("\"XXY\" is not an ISO 4217 currency code"))]),
                .object([("path", .string("$.remittances[1].amount")), ("message", .string("-1.00 is negative"))]),
                .object([("path", .string("$.remittances[2].amount")), ("message", .string("\"5.001\" is not an amount: 3 decimals, the currency allows 2"))]),
            ]))
            #expect(try await stored(api, tenant: api.demo) == ["", "", ""])
        }
    }

    @Test("one bad entry and nothing of the batch is written; sent again, a batch changes nothing, not even a row version")
    func allOrNothingAndIdempotent() async throws {
        try await APIHarness.run("api-cash-batch") { api in
            // I3 is in USD: 12.34 USD is 1,234 cents of it.
            let good = [collection("B1"), collection("B2", doc: "I3", amount: "12.34")]
            let refused = try await post(api, "collections", good + [collection("B3", doc: "NOPE")])
            #expect(refused.status == 422)
            #expect(refused.json["error"]?["message"] == .string("$.collections[2].doc_ref: unknown document \"NOPE\""))
            let refusedEvents = try await post(api, "document-events", [event("I1", "deposited"), event("I2", "refused", on: "2026-02-30")])
            #expect(refusedEvents.status == 422)
            #expect(try await stored(api, tenant: api.demo) == ["", "", ""])

            #expect(try await post(api, "collections", good).json == counts(2, 2, 0, 0))
            #expect(try await post(api, "document-events", [event("I1", "deposited"), event("I1", "paid")]).json == counts(2, 2, 0, 0))
            #expect(try await post(api, "remittances", [remittance("P1"), remittance("P2", currency: "JPY", amount: "5000")]).json == counts(2, 2, 0, 0))
            let before = try await stored(api, tenant: api.demo)
            #expect(before[0].split(separator: ";").map { $0.split(separator: " ").prefix(4).joined(separator: " ") } == [
                "B1 I1 2026-11-10 10000", "B2 I3 2026-11-10 1234",
            ])
            #expect(try await post(api, "collections", good).json == counts(2, 0, 0, 2))
            #expect(try await post(api, "document-events", [event("I1", "deposited"), event("I1", "paid")]).json == counts(2, 0, 0, 2))
            #expect(try await post(api, "remittances", [remittance("P1"), remittance("P2", currency: "JPY", amount: "5000")]).json == counts(2, 0, 0, 2))
            #expect(try await stored(api, tenant: api.demo) == before)

            // A changed entry is one update, in place.
            #expect(try await post(api, "collections", [collection("B1", amount: "150.50"), good[1]]).json == counts(2, 0, 1, 1))
            #expect(try await post(api, "document-events", [event("I1", "paid", on: "2026-11-07")]).json == counts(1, 0, 1, 0))
            let after = try await stored(api, tenant: api.demo)
            #expect(after[0].hasPrefix("B1 I1 2026-11-10 15050 "))
            #expect(after[2].split(separator: ";").map { $0.split(separator: " ").prefix(3).joined(separator: " ") } == [
                "I1 deposited 2026-11-05", "I1 paid 2026-11-07",
            ])
        }
    }
}
