import FactorRiskCore

/// How each level of a stored snapshot is read: its table, key, columns and row decoder, and the
/// paged, filtered and sorted reads the HTTP API serves (keyset paging, so page 1,000 costs what page 1 does).
/// Every read is of one variant of the date: the baseline ('') unless a saved scenario is named.
public struct SnapshotLevel: Sendable {
    let table: String
    /// The key columns, compared in byte order.
    let keys: [String]
    let columns: String
    /// The numeric columns a page may be sorted by (largest first), by their JSON name.
    public let sortable: [String]
    /// Whether the level's rows carry flags (every level but the pair).
    public let hasFlags: Bool
    let decode: @Sendable (PGRow, inout RiskReport) throws -> Void

    /// The row levels (every level but the portfolio).
    public static func of(_ level: ReportLevel) -> SnapshotLevel? {
        switch level {
        case .pair: pair
        case .client: client
        case .debtor: debtor
        case .group: group
        case .country: country
        case .portfolio: nil
        }
    }

    /// The level of rows of type `Row`, stored in `table`, read into `rows` of a report: its key,
    /// columns, sort fields and decoder all come from the row type's column declarations.
    static func of<Row: ReportRow>(_ table: String, _ rows: any WritableKeyPath<RiskReport, [Row]> & Sendable) -> SnapshotLevel {
        let columns = Row.columns
        return SnapshotLevel(
            table: table, keys: columns.filter(\.info.isKey).map(\.sqlName), columns: Row.selectList(),
            sortable: columns.filter(\.info.sortable).map(\.info.name), hasFlags: columns.contains { $0.info.kind == .flags },
            decode: { row, report in report[keyPath: rows].append(try Row.decode(row)) })
    }

    static let pair = of("snapshot_pairs", \.pairs)
    static let client = of("snapshot_clients", \.clients)
    static let debtor = of("snapshot_debtors", \.debtors)
    static let group = of("snapshot_groups", \.groups)
    static let country = of("snapshot_countries", \.countries)

    /// Every row of the level (of the baseline, or of the variant `scenario`), in key order, into `report`.
    public func readAll(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: String = "", into report: inout RiskReport
    ) throws {
        let order = keys.map { "\($0) COLLATE \"C\"" }.joined(separator: ", ")
        for row in try connection.query(
            "SELECT \(columns) FROM \(table) WHERE tenant_id = $1 AND as_of = $2 AND scenario = $3 ORDER BY \(order)",
            [tenantID, date, scenario]
        ).rows {
            try decode(row, &report)
        }
    }

    /// Where a page ends: the sort value (when sorted) and key of its last row, opaque to callers.
    public struct Cursor: Sendable, Equatable {
        var sortValue: Int64?
        var keys: [String]

        /// The cursor as URL-safe text (hex of its parts).
        public var text: String {
            let plain = ([sortValue.map { String($0) } ?? "-"] + keys).joined(separator: "\u{1F}")
            return plain.utf8.map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }.joined()
        }

        /// Parses a cursor given back by a caller; nil when it is not one of ours for this level.
        public init?(text: String, level: SnapshotLevel, sorted: Bool) {
            guard text.count % 2 == 0, text.count <= 2048 else { return nil }
            var bytes: [UInt8] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            guard let plain = String(validating: bytes, as: UTF8.self) else { return nil }
            let parts = plain.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == level.keys.count + 1 else { return nil }
            if sorted {
                guard let value = Int64(parts[0]) else { return nil }
                sortValue = value
            } else {
                guard parts[0] == "-" else { return nil }
                sortValue = nil
            }
            keys = Array(parts.dropFirst())
        }

        init(sortValue: Int64?, keys: [String]) {
            self.sortValue = sortValue
            self.keys = keys
        }
    }

    /// The SELECT of the level's rows carrying `flag`, sorted by `sort` (largest first, then key)
    /// or by key, after `cursor`; its columns are the decoder's, then the sort value (when sorted)
    /// and the key. Appends its parameters to `parameters` (which hold the tenant, the date and the variant).
    private func select(
        flag: RiskFlag?, sort: String?, after cursor: Cursor?, parameters: inout [(any PGBindable)?]
    ) -> String {
        precondition(sort == nil || sortable.contains(sort!), "sort field checked by the caller")
        var conditions = ["tenant_id = $1", "as_of = $2", "scenario = $3"]
        if let flag, hasFlags {
            parameters.append(flag.rawValue)
            conditions.append("$\(parameters.count) = ANY (flags)")
        }
        // Nulls (a ratio over zero) sort last, as the smallest value.
        let sortExpression = sort.map { "coalesce(\"\($0)\", -9223372036854775808)" }
        let keyRow = "ROW(" + keys.map { "\($0) COLLATE \"C\"" }.joined(separator: ", ") + ")"
        if let cursor {
            let keyPlaceholders = cursor.keys.map { key -> String in
                parameters.append(key)
                return "$\(parameters.count)"
            }
            let afterKey = "\(keyRow) > ROW(\(keyPlaceholders.joined(separator: ", ")))"
            if let sortExpression, let value = cursor.sortValue {
                parameters.append(value)
                let placeholder = "$\(parameters.count)"
                conditions.append("(\(sortExpression) < \(placeholder) OR (\(sortExpression) = \(placeholder) AND \(afterKey)))")
            } else {
                conditions.append(afterKey)
            }
        }
        let order = (sortExpression.map { ["\($0) DESC"] } ?? []) + keys.map { "\($0) COLLATE \"C\"" }
        let extra = sortExpression.map { ", \($0)" } ?? ""
        return """
            SELECT \(columns)\(extra), \(keys.joined(separator: ", ")) FROM \(table)
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", "))
            """
    }

    /// One page of the baseline's rows: only those carrying `flag`, sorted by `sort` (largest first,
    /// then key) or by key, after `cursor`; with the cursor of the next page when there is one.
    public func page(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, flag: RiskFlag?, sort: String?, limit: Int,
        after cursor: Cursor?, into report: inout RiskReport
    ) throws -> Cursor? {
        var parameters: [(any PGBindable)?] = [tenantID, date, ""]
        let sql = select(flag: flag, sort: sort, after: cursor, parameters: &parameters)
        let result = try connection.query(sql + " LIMIT \(limit + 1)", parameters)
        var next: Cursor?
        for (index, row) in result.rows.enumerated() {
            if index == limit {
                break
            }
            try decode(row, &report)
            if index == limit - 1, result.rowCount > limit {
                let keyStart = result.columnCount - keys.count
                next = Cursor(
                    sortValue: sort == nil ? nil : try row.decode(Int64.self, at: keyStart - 1),
                    keys: try (keyStart..<result.columnCount).map { try row.decode(String.self, at: $0) })
            }
        }
        return next
    }

    /// Every row carrying `flag`, sorted by `sort` or by key, at most `limit`, handed to `body`
    /// `batchSize` rows at a time (each batch in a copy of `header`), through a server-side cursor:
    /// one consistent read whose memory does not grow with the level. Runs inside the caller's
    /// transaction. Reads the baseline, or the variant `scenario`.
    public func stream(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: String = "", flag: RiskFlag?, sort: String?,
        limit: Int?, batchSize: Int = 1000, header: RiskReport, _ body: (RiskReport) throws -> Void
    ) throws {
        precondition(batchSize > 0)
        var parameters: [(any PGBindable)?] = [tenantID, date, scenario]
        let sql = select(flag: flag, sort: sort, after: nil, parameters: &parameters) + (limit.map { " LIMIT \($0)" } ?? "")
        try connection.query("DECLARE snapshot_level_rows NO SCROLL CURSOR FOR \(sql)", parameters)
        while true {
            let result = try connection.query("FETCH FORWARD \(batchSize) FROM snapshot_level_rows")
            if result.rowCount == 0 { break }
            var batch = header
            for row in result.rows { try decode(row, &batch) }
            try body(batch)
            if result.rowCount < batchSize { break }
        }
        try connection.execute("CLOSE snapshot_level_rows")
    }
}
