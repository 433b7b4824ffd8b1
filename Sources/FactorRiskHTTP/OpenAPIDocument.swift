import FactorRiskCore

/// The OpenAPI document served at `/openapi.json`: `openapi.json` as written, with the schemas of
/// the report rows generated from the column declarations (`ReportRow.columns`), so that the
/// document says exactly what the reports carry, figure for figure.
///
/// `openapi.json` keeps, for each row schema, its description and any property that is not a
/// declared column (the portfolio's `flags_count` and `data_quality`); the declared columns come
/// first, in their order, and are all required. A group of columns (`ineligible`) becomes a schema
/// of its own, named after it (`Ineligible`). The flag codes (`FlagCode`) come from `RiskFlag`.
public enum OpenAPIDocument {
    /// The row schema of each report level, by its name in `components.schemas`.
    public static let rowSchemas: [(name: String, level: ReportLevel)] = [
        ("PairRow", .pair), ("ClientRow", .client), ("DebtorRow", .debtor), ("GroupRow", .group), ("CountryRow", .country),
        ("PortfolioRow", .portfolio),
    ]

    /// The document as served, rendered once.
    public static let served: [UInt8] = render(PackageResources.openapi_json)

    /// `written` (the bytes of openapi.json) with the generated report schemas in place.
    static func render(_ written: [UInt8]) -> [UInt8] {
        guard case .object(var document) = text(try! JSONValue.parse(written)) else { preconditionFailure("openapi.json is an object") }
        update(&document, "components") { components in
            update(&components, "schemas") { schemas in
                for (name, level) in rowSchemas {
                    update(&schemas, name) { schema in fill(&schema, level.columns) }
                }
                update(&schemas, "FlagCode") { schema in
                    schema.removeAll { $0.0 == "description" || $0.0 == "enum" }
                    schema.append(("description", .string(flagCodesDescription)))
                    schema.append(("enum", .array(RiskFlag.allCases.map { .string($0.rawValue) })))
                }
                for (group, summary) in ReportColumnInfo.groupSummaries.sorted(by: { $0.key < $1.key }) {
                    let columns = ReportLevel.pair.columns.filter { $0.group == group }
                    schemas.append((schemaName(group), .object([
                        ("type", .string("object")), ("description", .string(summary)),
                        ("required", .array(columns.map { .string($0.name) })),
                        ("properties", .object(columns.map { ($0.name, property($0)) })),
                    ])))
                }
            }
        }
        return JSONText.object(document).renderedUTF8(indent: 2)
    }

    /// What each flag code means, by the level it is raised on, from `RiskFlag`.
    static var flagCodesDescription: String {
        let levels = ["debtor", "group", "country", "client"].map { subject in
            subject.prefix(1).uppercased() + subject.dropFirst() + ": "
                + RiskFlag.allCases.filter { $0.subject == subject }.map { "\($0.rawValue) (\($0.level.rawValue); \($0.summary))" }
                    .joined(separator: ", ") + "."
        }
        return "Code of a flag raised on a debtor, group, country or client. " + levels.joined(separator: " ")
    }

    /// The schema of one figure, as its kind says.
    static func property(_ column: ReportColumnInfo) -> JSONText {
        var members: [(String, JSONText)] = []
        func type(_ name: String) {
            members.append(("type", column.nullable ? .array([.string(name), .string("null")]) : .string(name)))
        }
        func reference(_ schema: String) { members.append(("$ref", .string("#/components/schemas/\(schema)"))) }
        switch column.kind {
        case .reference: type("string")
        case .country: reference("CountryCode")
        case .mode, .tier: type("string")
        case .money where column.nullable:
            // A limit that may not be set (`pending_limit`): an amount, or null.
            members.append(("anyOf", .array([
                .object([("$ref", .string("#/components/schemas/Money"))]), .object([("type", .string("null"))]),
            ])))
        case .money: reference("Money")
        case .basisPoints, .ppm, .count, .grade, .days: type("integer")
        case .date: type("string")
        case .boolean: type("boolean")
        case .flags: type("array")
        }
        if !column.summary.isEmpty { members.append(("description", .string(column.summary))) }
        switch column.kind {
        case .mode: members.append(("enum", .array(ClientMode.allCases.map { .string($0.rawValue) })))
        case .tier: members.append(("enum", .array(["A", "B", "C", "D"].map { .string($0) })))
        case .date: members.append(("format", .string("date")))
        case .flags: members.append(("items", .object([("$ref", .string("#/components/schemas/FlagCode"))])))
        case .count, .grade: members.append(("minimum", .integer(0)))
        case .basisPoints where !column.nullable: members.append(("minimum", .integer(0)))
        default: break
        }
        if column.kind == .grade { members.append(("maximum", .integer(7))) }
        return .object(members)
    }

    /// The name of a group's schema: `ineligible` → `Ineligible`.
    static func schemaName(_ group: String) -> String { group.prefix(1).uppercased() + group.dropFirst() }

    /// A row schema with the columns' properties first (a group as a reference to its schema),
    /// then the properties written in the file; every one of them required.
    private static func fill(_ schema: inout [(String, JSONText)], _ columns: [ReportColumnInfo]) {
        var properties: [(String, JSONText)] = []
        for column in columns {
            guard let group = column.group else {
                properties.append((column.name, property(column)))
                continue
            }
            if properties.last?.0 != group {
                properties.append((group, .object([("$ref", .string("#/components/schemas/\(schemaName(group))"))])))
            }
        }
        if case .object(let written)? = schema.first(where: { $0.0 == "properties" })?.1 { properties += written }
        schema.removeAll { $0.0 == "properties" || $0.0 == "required" }
        schema.append(("required", .array(properties.map { .string($0.0) })))
        schema.append(("properties", .object(properties)))
    }

    /// Changes the object member `key` of `members` in place (adding an empty object when absent).
    private static func update(_ members: inout [(String, JSONText)], _ key: String, _ body: (inout [(String, JSONText)]) -> Void) {
        let index = members.firstIndex { $0.0 == key } ?? {
            members.append((key, .object([])))
            return members.count - 1
        }()
        guard case .object(var inner) = members[index].1 else { preconditionFailure("\(key) is an object") }
        body(&inner)
        members[index].1 = .object(inner)
    }

    /// A parsed value as text to render again (the document's numbers are all integers).
    private static func text(_ value: JSONValue) -> JSONText {
        switch value {
        case .string(let string): .string(string)
        case .number(let number): .integer(Int64(number)!)
        case .bool(let bool): .bool(bool)
        case .null: .null
        case .array(let items): .array(items.map(text))
        case .object(let members): .object(members.map { ($0.0, text($0.1)) })
        }
    }
}
