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
        let document = try JSONValue.parse(OpenAPIDocument.served)
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

    @Test("every $ref of the served document names a schema it defines")
    func referencesResolve() throws {
        let document = try JSONValue.parse(OpenAPIDocument.served)
        guard case .object(let schemas)? = document["components"]?["schemas"] else { Issue.record("no schemas"); return }
        let defined = Set(schemas.map { "#/components/schemas/\($0.0)" })
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                for (key, member) in members {
                    if key == "$ref", case .string(let target) = member, target.hasPrefix("#/components/schemas/") { references.append(target) }
                    collect(member)
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(document)
        #expect(references.count > 50)
        #expect(Set(references).subtracting(defined).isEmpty, "dangling: \(Set(references).subtracting(defined).sorted())")
    }

    /// The names of an object's members, in order.
    static func keys(_ value: JSONValue?) -> [String] {
        guard case .object(let members)? = value else { return [] }
        return members.map(\.0)
    }

    @Test("each report row schema lists, in order and all required, exactly the fields of the limits example's JSON rows (the latest rulebook version's)")
    func rowSchemasMatchTheReports() throws {
        let document = try JSONValue.parse(OpenAPIDocument.served)
        for (name, level) in OpenAPIDocument.rowSchemas {
            let schema = document["components"]?["schemas"]?[name]
            let properties = Self.keys(schema?["properties"])
            let text = try Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.limitsExample)/expected/\(level.rawValue).json"))
            let report = try JSONValue.parse(Array(text))
            let row: JSONValue?
            if level == .portfolio {
                row = report["portfolio"]
            } else if case .array(let rows)? = report["rows"] {
                row = rows.first
            } else {
                row = nil
            }
            #expect(!properties.isEmpty)
            #expect(properties == Self.keys(row), "\(name)")
            #expect(schema?["required"] == .array(properties.map { .string($0) }), "\(name)")
            if case .object(let members)? = row, let ineligible = members.first(where: { $0.0 == "ineligible" })?.1 {
                #expect(Self.keys(document["components"]?["schemas"]?["Ineligible"]?["properties"]) == Self.keys(ineligible))
            }
        }
    }

    @Test("a figure's schema follows its kind: money is the Money string, a ratio over zero may be null, a tier is a letter")
    func figureSchemas() throws {
        let document = try JSONValue.parse(OpenAPIDocument.served)
        let schemas = document["components"]?["schemas"]
        #expect(schemas?["DebtorRow"]?["properties"]?["headroom"]?["$ref"] == .string("#/components/schemas/Money"))
        #expect(schemas?["DebtorRow"]?["properties"]?["utilization_bp"]?["type"] == .array([.string("integer"), .string("null")]))
        #expect(schemas?["PairRow"]?["properties"]?["cover_bp"]?["type"] == .string("integer"))
        #expect(schemas?["ClientRow"]?["properties"]?["tier"]?["enum"] == .array(["A", "B", "C", "D"].map { .string($0) }))
        #expect(schemas?["CountryRow"]?["properties"]?["grade"]?["maximum"] == .number("7"))
        #expect(schemas?["PortfolioRow"]?["properties"]?["flags_count"]?["type"] == .string("object"))
        #expect(schemas?["ClientRow"]?["properties"]?["ineligible"]?["$ref"] == .string("#/components/schemas/Ineligible"))
    }

    @Test("every flag code and data-quality list of the two worked examples' reports is in the document")
    func flagCodesAndDataQuality() throws {
        let document = try JSONValue.parse(OpenAPIDocument.served)
        let schemas = document["components"]?["schemas"]
        guard case .array(let codes)? = schemas?["FlagCode"]?["enum"] else { Issue.record("no FlagCode enum"); return }
        var seen = Set<String>()
        for example in ["worked", "cash"] {
            for level in ReportLevel.allCases where level != .portfolio {
                let path = "\(Fixtures.packageRoot)/Tests/Fixtures/\(example)/expected/\(level.rawValue).json"
                guard case .array(let rows)? = try JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: path))))["rows"] else { continue }
                for row in rows {
                    if case .array(let flags)? = row["flags"] { for case .string(let flag) in flags { seen.insert(flag) } }
                }
            }
        }
        // The cash example raises the flags of rulebook v2 (DEBTOR_SLOW_PAYER, UNREMITTED_COLLECTIONS, PAID_STILL_OPEN …).
        #expect(seen.contains("UNREMITTED_COLLECTIONS") && seen.contains("DEBTOR_SLOW_PAYER"))
        #expect(seen.subtracting(codes.compactMap { if case .string(let code) = $0 { code } else { nil } }).isEmpty)
        let cash = try JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath:
            "\(Fixtures.packageRoot)/Tests/Fixtures/cash/expected/portfolio.json"))))
        let dataQuality = schemas?["PortfolioRow"]?["properties"]?["data_quality"]
        #expect(Self.keys(dataQuality?["properties"]) == Self.keys(cash["portfolio"]?["data_quality"]))
        #expect(dataQuality?["required"] == .array(Self.keys(dataQuality?["properties"]).map { .string($0) }))
    }
}
