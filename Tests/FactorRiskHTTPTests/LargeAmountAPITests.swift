import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

@Suite("the largest amount over HTTP")
struct LargeAmountAPITests {
    func document(_ ref: String, amount: String) -> String {
        """
        {"doc_ref": "\(ref)", "client_ref": "C1", "debtor_ref": "D3", "kind": "invoice", "currency": "EUR",
         "amount": "\(amount)", "open_amount": "\(amount)", "issue_date": "2026-11-01", "due_date": "2026-12-01"}
        """
    }

    @Test("an amount above the ceiling is refused by JSON path; sums past 64 bits answer 422 on the live routes, never 500")
    func largeAmounts() async throws {
        try await APIHarness.run("api-large") { api in
            let writer = api.client(api.write)
            let refused = try await writer.send("POST", "/v1/documents", body: "{\"documents\": [\(document("B1", amount: "50000000000000000.00"))]}")
            #expect(refused.status == 422)
            #expect(refused.json["error"]?["details"] == .array([.object([
                ("path", .string("$.documents[0].amount")), ("message", .string("50000000000000000.00 is above the largest amount, 99999999999999.99")),
            ]), .object([
                ("path", .string("$.documents[0].open_amount")), ("message", .string("50000000000000000.00 is above the largest amount, 99999999999999.99")),
            ])]), "\(refused.body)")
            let limit = try await writer.send("PUT", "/v1/debtors/D3/credit-limit", body: #"{"credit_limit": "100000000000000.00", "reason": "x"}"#)
            #expect(limit.status == 422)
            #expect(limit.json["error"]?["details"] == .array([.object([
                ("path", .string("$.credit_limit")), ("message", .string("100000000000000.00 is above the largest amount, 99999999999999.99")),
            ])]), "\(limit.body)")
            let check = try await api.client(api.read).get("/v1/debtors/D3/check?client=C1&amount=100000000000000.00&as_of=2026-11-20")
            #expect(check.status == 400, "\(check.body)")

            // 1,000 invoices at the ceiling on C1/D3: each is taken, their sum is not. Posted, they
            // are refused whole, since the writer moves the live state the check above built.
            let batch = (1...1000).map { document("Z\($0)", amount: "99999999999999.99") }.joined(separator: ", ")
            let refusedBatch = try await writer.send("POST", "/v1/documents", body: "{\"documents\": [\(batch)]}")
            #expect(refusedBatch.status == 422, "\(refusedBatch.body)")
            #expect(refusedBatch.errorCode == "figures_out_of_range")
            let written = try await api.pool.withConnection {
                try $0.query("SELECT count(*) FROM documents WHERE doc_ref LIKE 'Z%'").first!.decode(Int.self, at: 0)
            }
            #expect(written == 0)
            // Imported (an import drops the live states), they are stored; then no live answer can be built.
            let folder = TestCluster.temporaryFolder("api-large-documents")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Fixtures.write((["doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed"]
                + (1...1000).map { "Z\($0),C1,D3,invoice,EUR,99999999999999.99,99999999999999.99,2026-11-01,2026-12-01,false" })
                .joined(separator: "\n") + "\n", "documents.csv", in: folder)
            try await BundleImporter(pool: api.pool).importBundle(directory: folder, tenantRef: "demo")
            let reader = api.client(api.read)
            for path in ["/v1/debtors/D3/exposure?as_of=2026-11-20", "/v1/clients/C1/availability?as_of=2026-11-20",
                         "/v1/debtors/D3/check?client=C1&amount=1.00&as_of=2026-11-20"] {
                let answer = try await reader.get(path)
                #expect(answer.status == 422, "\(path): \(answer.body)")
                #expect(answer.errorCode == "figures_out_of_range", "\(path)")
            }
        }
    }
}
