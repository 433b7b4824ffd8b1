import FactorRiskCore

/// A report level's JSON turned into flat rows, for CSV (every field, FORMATS.md's columns with
/// `ineligible` flattened and flags joined by `|`) and for a terminal table (the key figures,
/// aligned, money with thousands separators).
struct ReportTable {
    let json: JSONText
    let level: ReportLevel
    let currency: Currency

    /// The columns a terminal table shows, per level: enough to read, narrow enough to fit.
    static let tableColumns: [ReportLevel: [String]] = [
        .pair: ["client_ref", "debtor_ref", "approved", "eligible", "guaranteed", "covered", "cross_aged"],
        .client: ["client_ref", "mode", "eligible", "guaranteed", "concentration_excess", "availability", "tier", "flags"],
        .debtor: ["debtor_ref", "country", "credit_limit", "guaranteed", "utilization_bp", "headroom", "available_limit", "flags"],
        .group: ["group_ref", "debtors", "guaranteed", "own_funds_bp", "limit", "flags"],
        .country: ["country", "grade", "guaranteed", "limit", "utilization_bp", "headroom", "flags"],
    ]

    /// (column, value as text) for every row, flattened.
    private var rows: [[(String, String)]] {
        guard case .object(let members) = json else { return [] }
        if level == .portfolio, let portfolio = members.first(where: { $0.0 == "portfolio" })?.1 {
            return [Self.flatten(portfolio)]
        }
        guard case .array(let rows)? = members.first(where: { $0.0 == "rows" })?.1 else { return [] }
        return rows.map { Self.flatten($0) }
    }

    private static func flatten(_ value: JSONText, prefix: String = "") -> [(String, String)] {
        guard case .object(let members) = value else { return [] }
        var cells: [(String, String)] = []
        for (key, member) in members {
            let name = prefix.isEmpty ? key : "\(prefix)_\(key)"
            switch member {
            case .object: cells += flatten(member, prefix: name)
            case .array(let items): cells.append((name, items.map(text).joined(separator: "|")))
            default: cells.append((name, text(member)))
            }
        }
        return cells
    }

    private static func text(_ value: JSONText) -> String {
        switch value {
        case .string(let text): text
        case .integer(let n): String(n)
        case .bool(let b): b ? "true" : "false"
        case .null: ""
        case .array, .object: value.rendered(indent: 0)
        }
    }

    /// The rows as CSV, after a header line of the column names unless `header` is false.
    func csv(header: Bool = true) -> String {
        let rows = self.rows
        guard let first = rows.first else { return "" }
        var text = header ? CSVEncoding.line(first.map(\.0)) : ""
        for row in rows { text += CSVEncoding.line(row.map(\.1)) }
        return text
    }

    func table() -> String {
        let rows = self.rows
        if level == .portfolio {
            guard let row = rows.first else { return "" }
            let width = row.map(\.0.count).max() ?? 0
            return row.map { "\($0.0.padding(toLength: width, withPad: " ", startingAt: 0))  \(grouped($0.0, $0.1))" }
                .joined(separator: "\n")
        }
        let columns = Self.tableColumns[level] ?? []
        let body = rows.map { row in
            columns.map { column in grouped(column, row.first { $0.0 == column }?.1 ?? "") }
        }
        let numeric = Set(columns.indices.filter { kind(columns[$0]).map { $0.isNumeric && $0 != .tier } ?? false })
        return TextTable(header: columns, rows: body, rightAligned: numeric).render() + "\n(\(rows.count) row\(rows.count == 1 ? "" : "s"))"
    }

    /// The kind of a flattened column of the level, as its declaration says (nil for the
    /// portfolio's flag counts and data-quality lists).
    private func kind(_ column: String) -> FigureKind? {
        level.columns.first { $0.flatName == column }?.kind
    }

    /// Money with thousands separators; basis points as a percentage with two decimals.
    private func grouped(_ column: String, _ value: String) -> String {
        switch kind(column) {
        case .basisPoints:
            guard let number = Int64(value) else { return value }
            return Money.format(number, exponent: 2) + " %"
        case .money:
            guard let minor = try? Money.parse(value, exponent: currency.exponent) else { return value }
            return Money.format(minor, exponent: currency.exponent, grouping: true)
        default:
            return value
        }
    }
}
