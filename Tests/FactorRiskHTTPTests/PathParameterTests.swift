import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// Issue 14, item 5: references that only travel escaped in a path.
@Suite("path parameters are percent-decoded on every route")
struct PathParameterTests {
    /// Debtors and a client whose references need escaping, imported into tenant "other" as a bundle.
    static let debtorRefs = ["D 1", "DÉ1", "D/1", "D?1", "D%1", "D 1/x"]
    static let clientRef = "C 1/x?%É"

    /// `ref` escaped as a path segment: everything but unreserved ASCII.
    static func escaped(_ ref: String) -> String {
        ref.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"))!
    }

    static func importRefs(_ api: APIHarness) async throws {
        let folder = TestCluster.temporaryFolder("path-refs")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Fixtures.write("tenant_ref,name,base_currency,home_country,own_funds\nother,Other Factor,EUR,FR,500000.00\n", "tenant.csv", in: folder)
        let debtors = debtorRefs.map { "\"\($0)\",Debtor \($0),FR,,1000.00\n" }.joined()
        try Fixtures.write("debtor_ref,name,country,group_ref,credit_limit\nX1,Other Debtor,FR,,1000.00\n" + debtors, "debtors.csv", in: folder)
        try Fixtures.write("""
            client_ref,name,country,mode,annual_revenue,financial_grade,holdback_bp,funding_limit,funded_balance,group_ref
            "\(clientRef)",Escaped Client,FR,notified,1000000.00,3,1000,50000.00,0.00,

            """, "clients.csv", in: folder)
        try await BundleImporter(pool: api.pool).importBundle(directory: folder, tenantRef: "other")
    }

    @Test("a debtor D 1, DÉ1, D/1, D?1, D%1 or D 1/x is found escaped by exposure, check, credit-limit, approvals and limits")
    func debtorRoutes() async throws {
        try await APIHarness.run("api-path-debtors") { api in
            try await Self.importRefs(api)
            let reader = api.client(api.otherRead)
            let writer = api.client(api.otherWrite)
            let client = Self.escaped(Self.clientRef)
            for ref in Self.debtorRefs {
                let debtor = Self.escaped(ref)
                let exposure = try await reader.get("/v1/debtors/\(debtor)/exposure")
                #expect(exposure.status == 200, "\(ref): \(exposure.body)")
                #expect(exposure.json["debtor"]?["debtor_ref"] == .string(ref), "\(ref): \(exposure.body)")
                // The query's client= is decoded by Hummingbird already; the path's debtor by us.
                let check = try await reader.get("/v1/debtors/\(debtor)/check?client=\(client)&amount=1.00")
                #expect(check.status == 200, "\(ref): \(check.body)")
                #expect(check.json["debtor_ref"] == .string(ref))
                #expect(check.json["client_ref"] == .string(Self.clientRef))
                let limit = try await writer.send("PUT", "/v1/debtors/\(debtor)/credit-limit", body: #"{"credit_limit": "900.00", "reason": "path test"}"#)
                #expect(limit.status == 200, "\(ref): \(limit.body)")
                #expect(limit.json["debtor_ref"] == .string(ref))
                let approval = try await writer.send("PUT", "/v1/approvals/\(client)/\(debtor)", body: #"{"approved": "500.00", "reason": "path test"}"#)
                #expect(approval.status == 200, "\(ref): \(approval.body)")
                #expect(approval.json["client_ref"] == .string(Self.clientRef))
                #expect(approval.json["debtor_ref"] == .string(ref))
                let limits = try await reader.get("/v1/debtors/\(debtor)/limits")
                #expect(limits.status == 200, "\(ref): \(limits.body)")
                #expect(limits.json["debtor_ref"] == .string(ref))
            }
            let availability = try await reader.get("/v1/clients/\(client)/availability")
            #expect(availability.status == 200, "\(availability.body)")
            #expect(availability.json["client"]?["client_ref"] == .string(Self.clientRef))
        }
    }

    @Test("escaped report levels and dates resolve; a malformed escape is a 400 and an unknown escaped ref a 404, never a 500")
    func reportsAndMalformed() async throws {
        try await APIHarness.run("api-path-reports") { api in
            let reader = api.client(api.read)
            let level = try await reader.get("/v1/reports/%64ebtor?as_of=2026-11-20")
            #expect(level.status == 200, "\(level.body)")
            #expect(level.json["rows"] == (try APIHarness.expected("debtor"))["rows"])
            let page = try await reader.get("/reports/2026%2D11%2D20")
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            for path in ["/v1/debtors/D%201%2Fx/exposure", "/v1/debtors/D%201%2Fx/check?client=C1&amount=1.00",
                         "/v1/clients/C%201%2Fx/availability"] {
                let missing = try await reader.get(path)
                #expect(missing.status == 404, "\(path): \(missing.body)")
                #expect(missing.errorCode == "not_found")
            }
            #expect((try await reader.get("/v1/debtors/D%201%2Fx/exposure")).json["error"]?["message"] == .string(#"debtor "D 1/x" does not exist"#))
            for path in ["/v1/debtors/D%zz/exposure", "/v1/debtors/D%4/exposure", "/v1/clients/C%FF/availability", "/v1/reports/%"] {
                let malformed = try await reader.get(path)
                #expect(malformed.status == 400, "\(path): \(malformed.body)")
                #expect(malformed.errorCode == "invalid_parameter")
            }
            let writer = api.client(api.write)
            let put = try await writer.send("PUT", "/v1/debtors/D%zz/credit-limit", body: #"{"credit_limit": "1.00", "reason": "x"}"#)
            #expect(put.status == 400, "\(put.body)")
        }
    }
}
