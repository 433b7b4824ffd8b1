import FactorRiskCore

extension ReportColumn {
    /// The column as the snapshot and live tables name it (quoted: `limit` is a keyword).
    var sqlName: String { "\"\(info.flatName)\"" }

    /// The column in a SELECT list, `prefix` being the table's alias with its dot (or empty).
    func selectSQL(_ prefix: String = "") -> String { prefix + sqlName }

    /// Reads the figure from column `column` of `row` into `value`.
    func decode(_ row: PGRow, at column: Int, into value: inout Row) throws {
        switch field {
        case .text(let path): value[keyPath: path] = try row.decode(at: column)
        case .int64(let path): value[keyPath: path] = try row.decode(at: column)
        case .optionalInt64(let path): value[keyPath: path] = try row.decode(at: column)
        case .int(let path): value[keyPath: path] = try row.decode(at: column)
        case .boolean(let path): value[keyPath: path] = try row.decode(at: column)
        case .optionalDate(let path): value[keyPath: path] = try row.decode(at: column)
        case .mode(let path):
            let text: String = try row.decode(at: column)
            guard let mode = ClientMode(rawValue: text) else { throw PGError(.decoding, message: "unknown client mode \(text)") }
            value[keyPath: path] = mode
        case .flags(let path):
            value[keyPath: path] = try row.decode([String].self, at: column).compactMap(RiskFlag.init(rawValue:))
        }
    }
}

extension ReportRow {
    /// The columns of the row type, as a table names them, comma-separated (an INSERT's list).
    static var sqlColumns: String { columns.map(\.sqlName).joined(separator: ", ") }

    /// The columns of the row type in a SELECT list, each prefixed by `prefix` (`"lp."`, or empty).
    static func selectList(_ prefix: String = "") -> String { columns.map { $0.selectSQL(prefix) }.joined(separator: ", ") }

    /// A row decoded from the columns of `selectList`, which start at `offset` in `row`.
    static func decode(_ row: PGRow, from offset: Int = 0) throws -> Self {
        var value = blank
        for (index, column) in columns.enumerated() { try column.decode(row, at: offset + index, into: &value) }
        return value
    }
}
