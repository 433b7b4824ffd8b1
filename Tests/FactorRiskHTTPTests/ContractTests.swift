import FactorRiskCore
import FactorRiskHTTP
import FactorRiskTestSupport
import Testing

/// Issue 14, item 6: what the OpenAPI document promises is what the server does.
@Suite("the server and its OpenAPI document agree")
struct ContractTests {
    @Test("the document says so: minLength 1 on client, cursor and sort; money with at most 3 decimals; flag refused on portfolio")
    func documentSaysSo() throws {
        let document = try JSONValue.parse(OpenAPIDocument.served)
        let check = document["paths"]?["/v1/debtors/{debtor_ref}/check"]?["get"]?["parameters"]
        guard case .array(let parameters)? = check else { Issue.record("no check parameters"); return }
        let client = parameters.first { $0["name"] == .string("client") }
        #expect(client?["schema"]?["minLength"] == .number("1"))
        #expect(document["components"]?["parameters"]?["Cursor"]?["schema"]?["minLength"] == .number("1"))
        #expect(document["components"]?["schemas"]?["Money"]?["pattern"] == .string(#"^-?[0-9]+(\.[0-9]{1,3})?$"#))
        #expect(document["components"]?["schemas"]?["NonNegativeMoney"]?["pattern"] == .string(#"^[0-9]+(\.[0-9]{1,3})?$"#))
        guard case .array(let report)? = document["paths"]?["/v1/reports/{level}"]?["get"]?["parameters"] else { Issue.record("no report parameters"); return }
        guard case .string(let flag)? = report.first(where: { $0["name"] == .string("flag") })?["description"] else { Issue.record("no flag"); return }
        #expect(flag.contains("portfolio"))
        #expect(report.first { $0["name"] == .string("sort") }?["schema"]?["minLength"] == .number("1"))
    }

    @Test("a method a path does not serve is a JSON 405 with Allow; an unknown path stays a 404")
    func methodNotAllowed() async throws {
        try await APIHarness.run("api-405") { api in
            let client = api.client(api.read)
            for (method, path, allow) in [("TRACE", "/v1/flags", "GET"), ("DELETE", "/v1/debtors/D1/exposure", "GET"),
                                          ("POST", "/healthz", "GET"), ("GET", "/v1/documents", "POST"),
                                          ("PATCH", "/v1/approvals/C1/D1", "PUT"), ("TRACE", "/v1/debtors/D%201/credit-limit", "PUT")] {
                let response = try await client.send(method, path)
                #expect(response.status == 405, "\(method) \(path): \(response.body)")
                #expect(response.headers["allow"] == allow, "\(method) \(path)")
                #expect(response.headers["content-type"] == "application/json")
                #expect(response.errorCode == "method_not_allowed")
            }
            for (method, path) in [("TRACE", "/nowhere"), ("GET", "/v1/debtors/D1"), ("TRACE", "/v1/debtors/D1/exposure/more")] {
                let response = try await client.send(method, path)
                #expect(response.status == 404, "\(method) \(path): \(response.body)")
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test("empty client= and cursor=, flag on the portfolio level and money with more decimals than the currency are refused, as documented")
    func refusals() async throws {
        try await APIHarness.run("api-contract") { api in
            let client = api.client(api.admin)
            for path in ["/v1/debtors/D1/check?client=&amount=1.00", "/v1/reports/pair?cursor=", "/v1/decisions?cursor=",
                         "/v1/reports/portfolio?flag=over_limit", "/v1/reports/pair?flag=over_limit", "/v1/reports/debtor?sort=",
                         "/v1/debtors/D1/check?client=C1&amount=1.001"] {
                let response = try await client.get(path)
                #expect(response.status == 400, "\(path): \(response.body)")
                #expect(response.errorCode == "invalid_parameter", "\(path)")
            }
            let put = try await client.send("PUT", "/v1/debtors/D1/credit-limit", body: #"{"credit_limit": "1.001", "reason": "x"}"#)
            #expect(put.status == 422, "\(put.body)")
        }
    }
}
