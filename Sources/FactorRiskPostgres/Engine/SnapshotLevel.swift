import FactorRiskCore

/// How each level of a stored snapshot is read: its table, key, columns and row decoder, and the
/// paged, filtered and sorted reads the HTTP API serves (keyset paging, so page 1,000 costs what page 1 does).
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

    static func ineligible(_ row: PGRow, from column: Int) throws -> RiskReport.Ineligible {
        var sums = RiskReport.Ineligible()
        for (offset, reason) in InvoiceClass.reasons.enumerated() { sums[reason] = try row.decode(at: column + offset) }
        return sums
    }

    static func flags(_ row: PGRow, at column: Int) throws -> [RiskFlag] {
        ProductionEngine.textArray(try row.decode(String.self, at: column)).compactMap(RiskFlag.init(rawValue:))
    }

    static let pair = SnapshotLevel(
        table: "snapshot_pairs", keys: ["client_ref", "debtor_ref"],
        columns: """
            client_ref, debtor_ref, approved, gross, credit_notes, ineligible_disputed, ineligible_aged, ineligible_affiliate,
            ineligible_embargo, ineligible_unapproved, ineligible_cross_aged, eligible, guaranteed, over_approval, cover_bp,
            covered, risk_weighted, cross_aged
            """,
        sortable: ["approved", "gross", "credit_notes", "eligible", "guaranteed", "over_approval", "covered", "risk_weighted"],
        hasFlags: false,
        decode: { row, report in report.pairs.append(try ProductionEngine.pairRow(row)) })

    static let client = SnapshotLevel(
        table: "snapshot_clients", keys: ["client_ref"],
        columns: """
            client_ref, mode, gross, credit_notes, eligible, over_approval, guaranteed, covered, risk_weighted,
            ineligible_disputed, ineligible_aged, ineligible_affiliate, ineligible_embargo, ineligible_unapproved,
            ineligible_cross_aged, concentration_cap, concentration_excess, fundable, holdback, funding_capacity,
            funded_balance, availability, tier, array_to_json(flags)::text
            """,
        sortable: ["gross", "credit_notes", "eligible", "over_approval", "guaranteed", "covered", "risk_weighted", "concentration_cap",
                   "concentration_excess", "fundable", "holdback", "funding_capacity", "funded_balance", "availability", "tier"],
        hasFlags: true,
        decode: { row, report in
            var client = RiskReport.ClientRow(clientRef: try row.decode(at: 0), mode: ClientMode(rawValue: try row.decode(at: 1)) ?? .notified)
            client.gross = try row.decode(at: 2)
            client.creditNotes = try row.decode(at: 3)
            client.eligible = try row.decode(at: 4)
            client.overApproval = try row.decode(at: 5)
            client.guaranteed = try row.decode(at: 6)
            client.covered = try row.decode(at: 7)
            client.riskWeighted = try row.decode(at: 8)
            client.ineligible = try ineligible(row, from: 9)
            client.concentrationCap = try row.decode(at: 15)
            client.concentrationExcess = try row.decode(at: 16)
            client.fundable = try row.decode(at: 17)
            client.holdback = try row.decode(at: 18)
            client.fundingCapacity = try row.decode(at: 19)
            client.fundedBalance = try row.decode(at: 20)
            client.availability = try row.decode(at: 21)
            client.tier = try row.decode(at: 22)
            client.flags = try flags(row, at: 23)
            report.clients.append(client)
        })

    static let debtor = SnapshotLevel(
        table: "snapshot_debtors", keys: ["debtor_ref"],
        columns: """
            debtor_ref, country, group_ref, credit_limit, gross, eligible, guaranteed, covered, risk_weighted,
            approved_total, clients, utilization_bp, headroom, available_limit, array_to_json(flags)::text
            """,
        sortable: ["credit_limit", "gross", "eligible", "guaranteed", "covered", "risk_weighted", "approved_total", "clients",
                   "utilization_bp", "headroom", "available_limit"],
        hasFlags: true,
        decode: { row, report in
            var debtor = RiskReport.DebtorRow(
                debtorRef: try row.decode(at: 0), country: try row.decode(at: 1), groupRef: try row.decode(at: 2),
                creditLimit: try row.decode(at: 3))
            debtor.gross = try row.decode(at: 4)
            debtor.eligible = try row.decode(at: 5)
            debtor.guaranteed = try row.decode(at: 6)
            debtor.covered = try row.decode(at: 7)
            debtor.riskWeighted = try row.decode(at: 8)
            debtor.approvedTotal = try row.decode(at: 9)
            debtor.clients = try row.decode(at: 10)
            debtor.utilizationBP = try row.decode(at: 11)
            debtor.headroom = try row.decode(at: 12)
            debtor.availableLimit = try row.decode(at: 13)
            debtor.flags = try flags(row, at: 14)
            report.debtors.append(debtor)
        })

    static let group = SnapshotLevel(
        table: "snapshot_groups", keys: ["group_ref"],
        columns: "group_ref, debtors, guaranteed, covered, own_funds_bp, \"limit\", array_to_json(flags)::text",
        sortable: ["debtors", "guaranteed", "covered", "own_funds_bp", "limit"],
        hasFlags: true,
        decode: { row, report in
            var group = RiskReport.GroupRow(groupRef: try row.decode(at: 0))
            group.debtors = try row.decode(at: 1)
            group.guaranteed = try row.decode(at: 2)
            group.covered = try row.decode(at: 3)
            group.ownFundsBP = try row.decode(at: 4)
            group.limit = try row.decode(at: 5)
            group.flags = try flags(row, at: 6)
            report.groups.append(group)
        })

    static let country = SnapshotLevel(
        table: "snapshot_countries", keys: ["country"],
        columns: """
            country, gross, guaranteed, covered, debtors, grade, embargoed, "limit", share_bp, utilization_bp, headroom,
            array_to_json(flags)::text
            """,
        sortable: ["gross", "guaranteed", "covered", "debtors", "grade", "limit", "share_bp", "utilization_bp", "headroom"],
        hasFlags: true,
        decode: { row, report in
            var country = RiskReport.CountryRow(country: try row.decode(at: 0), grade: try row.decode(at: 5), embargoed: try row.decode(at: 6))
            country.gross = try row.decode(at: 1)
            country.guaranteed = try row.decode(at: 2)
            country.covered = try row.decode(at: 3)
            country.debtors = try row.decode(at: 4)
            country.limit = try row.decode(at: 7)
            country.shareBP = try row.decode(at: 8)
            country.utilizationBP = try row.decode(at: 9)
            country.headroom = try row.decode(at: 10)
            country.flags = try flags(row, at: 11)
            report.countries.append(country)
        })

    /// Every row of the level, in key order, into `report`.
    public func readAll(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, into report: inout RiskReport) throws {
        let order = keys.map { "\($0) COLLATE \"C\"" }.joined(separator: ", ")
        for row in try connection.query(
            "SELECT \(columns) FROM \(table) WHERE tenant_id = $1 AND as_of = $2 ORDER BY \(order)", [tenantID, date]
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
    /// and the key. Appends its parameters to `parameters` (which hold the tenant and the date).
    private func select(
        flag: RiskFlag?, sort: String?, after cursor: Cursor?, parameters: inout [(any PGBindable)?]
    ) -> String {
        precondition(sort == nil || sortable.contains(sort!), "sort field checked by the caller")
        var conditions = ["tenant_id = $1", "as_of = $2"]
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

    /// One page of rows: only those carrying `flag`, sorted by `sort` (largest first, then key) or
    /// by key, after `cursor`; with the cursor of the next page when there is one.
    public func page(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, flag: RiskFlag?, sort: String?, limit: Int,
        after cursor: Cursor?, into report: inout RiskReport
    ) throws -> Cursor? {
        var parameters: [(any PGBindable)?] = [tenantID, date]
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
    /// transaction.
    public func stream(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, flag: RiskFlag?, sort: String?, limit: Int?,
        batchSize: Int = 1000, header: RiskReport, _ body: (RiskReport) throws -> Void
    ) throws {
        precondition(batchSize > 0)
        var parameters: [(any PGBindable)?] = [tenantID, date]
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
