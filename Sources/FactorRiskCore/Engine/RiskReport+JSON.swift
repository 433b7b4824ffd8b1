/// The levels a report is shown at (FORMATS.md `--by`).
public enum ReportLevel: String, Sendable, CaseIterable {
    case portfolio, client, debtor, group, country, pair
}

extension RiskReport {
    /// The report of one level as FORMATS.md defines its JSON: the same objects the HTTP API returns.
    public func json(_ level: ReportLevel) -> JSONText {
        var members: [(String, JSONText)] = [
            ("tenant", .string(tenantRef)), ("as_of", .string(asOf.description)), ("currency", .string(currency.code)),
        ]
        switch level {
        case .portfolio: members.append(("portfolio", portfolioJSON()))
        case .pair: members.append(("rows", .array(pairs.map { json($0) })))
        case .client: members.append(("rows", .array(clients.map { json($0) })))
        case .debtor: members.append(("rows", .array(debtors.map { json($0) })))
        case .group: members.append(("rows", .array(groups.map { json($0) })))
        case .country: members.append(("rows", .array(countries.map { json($0) })))
        }
        return .object(members)
    }

    /// A row as FORMATS.md's JSON object, money with the base currency's minor digits.
    public func json<Row: ReportRow>(_ row: Row) -> JSONText { row.json(exponent: currency.exponent) }

    /// The portfolio's figures, then its flag counts by code and its data-quality lists.
    private func portfolioJSON() -> JSONText {
        let row = portfolio
        guard case .object(var members) = json(row) else { return json(row) }
        let counts = row.flagsCount.keys.sorted { $0.rawValue < $1.rawValue }.map { ($0.rawValue, JSONText.integer(Int64(row.flagsCount[$0]!))) }
        members.append(("flags_count", .object(counts)))
        members.append(("data_quality", .object([
            ("missing_fx", .array(row.missingFX.map { .string($0) })),
            ("missing_fx_collections", .array(row.missingFXCollections.map { .string($0) })),
            ("missing_fx_remittances", .array(row.missingFXRemittances.map { .string($0) })),
        ])))
        return .object(members)
    }
}
