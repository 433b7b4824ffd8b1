import FactorRiskCore
import FactorRiskHTTP
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

@Suite("the OpenAPI document")
struct OpenAPITests {
    @Test("every route of the server is in the document with its method, and every documented operation is a route")
    func routesMatchTheDocument() throws {
        let pool = PGPool(.init(conninfo: "host=/nonexistent", maxConnections: 1))
        let router = APIServer.router(pool: pool, configuration: .init())
        var served = Set<String>()
        for route in router.routes {
            var path = route.path.description
            if !path.hasPrefix("/") { path = "/" + path }
            // Parameters are written {name} in both.
            served.insert("\(route.method.rawValue.lowercased()) \(path)")
        }
        let text = try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.packageRoot)/Sources/FactorRiskHTTP/openapi.json"))
        let document = try JSONValue.parse(Array(text))
        #expect(document["openapi"] == .string("3.1.0"))
        guard case .object(let paths)? = document["paths"] else { Issue.record("no paths"); return }
        var documented = Set<String>()
        for (path, item) in paths {
            guard case .object(let operations) = item else { continue }
            for (method, _) in operations where ["get", "put", "post", "delete", "patch"].contains(method) {
                documented.insert("\(method) \(path)")
            }
        }
        #expect(served.count >= 13)
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }
}
