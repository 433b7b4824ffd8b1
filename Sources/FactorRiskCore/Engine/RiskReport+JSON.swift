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
        case .pair: members.append(("rows", .array(pairs.map(json))))
        case .client: members.append(("rows", .array(clients.map(json))))
        case .debtor: members.append(("rows", .array(debtors.map(json))))
        case .group: members.append(("rows", .array(groups.map(json))))
        case .country: members.append(("rows", .array(countries.map(json))))
        }
        return .object(members)
    }

    /// Money as FORMATS.md writes it: a string with exactly the base currency's minor digits.
    private func money(_ minor: Int64) -> JSONText { .string(Money.format(minor, exponent: currency.exponent)) }

    private func flags(_ flags: [RiskFlag]) -> JSONText { .array(flags.map { .string($0.rawValue) }) }

    private func json(_ ineligible: Ineligible) -> JSONText {
        .object(InvoiceClass.reasons.map { ($0.rawValue, money(ineligible[$0])) })
    }

    public func json(_ row: PairRow) -> JSONText {
        .object([
            ("client_ref", .string(row.clientRef)), ("debtor_ref", .string(row.debtorRef)), ("approved", money(row.approved)),
            ("gross", money(row.gross)), ("credit_notes", money(row.creditNotes)), ("ineligible", json(row.ineligible)),
            ("eligible", money(row.eligible)), ("guaranteed", money(row.guaranteed)), ("over_approval", money(row.overApproval)),
            ("cover_bp", .integer(row.coverBP)), ("covered", money(row.covered)), ("risk_weighted", money(row.riskWeighted)),
            ("cross_aged", .bool(row.crossAged)),
        ])
    }

    public func json(_ row: ClientRow) -> JSONText {
        .object([
            ("client_ref", .string(row.clientRef)), ("mode", .string(row.mode.rawValue)), ("gross", money(row.gross)),
            ("credit_notes", money(row.creditNotes)), ("eligible", money(row.eligible)), ("over_approval", money(row.overApproval)),
            ("guaranteed", money(row.guaranteed)), ("covered", money(row.covered)), ("risk_weighted", money(row.riskWeighted)),
            ("ineligible", json(row.ineligible)), ("concentration_cap", money(row.concentrationCap)),
            ("concentration_excess", money(row.concentrationExcess)), ("fundable", money(row.fundable)),
            ("holdback", money(row.holdback)), ("funding_capacity", money(row.fundingCapacity)),
            ("funded_balance", money(row.fundedBalance)), ("availability", money(row.availability)),
            ("tier", .string(row.tierLetter)), ("flags", flags(row.flags)),
        ])
    }

    public func json(_ row: DebtorRow) -> JSONText {
        .object([
            ("debtor_ref", .string(row.debtorRef)), ("country", .string(row.country)), ("group_ref", .string(row.groupRef)),
            ("credit_limit", money(row.creditLimit)), ("gross", money(row.gross)), ("eligible", money(row.eligible)),
            ("guaranteed", money(row.guaranteed)), ("covered", money(row.covered)), ("risk_weighted", money(row.riskWeighted)),
            ("approved_total", money(row.approvedTotal)), ("clients", .integer(Int64(row.clients))),
            ("utilization_bp", .integer(row.utilizationBP)), ("headroom", money(row.headroom)),
            ("available_limit", money(row.availableLimit)), ("flags", flags(row.flags)),
        ])
    }

    public func json(_ row: GroupRow) -> JSONText {
        .object([
            ("group_ref", .string(row.groupRef)), ("debtors", .integer(Int64(row.debtors))), ("guaranteed", money(row.guaranteed)),
            ("covered", money(row.covered)), ("own_funds_bp", .integer(row.ownFundsBP)), ("limit", money(row.limit)),
            ("flags", flags(row.flags)),
        ])
    }

    public func json(_ row: CountryRow) -> JSONText {
        .object([
            ("country", .string(row.country)), ("gross", money(row.gross)), ("guaranteed", money(row.guaranteed)),
            ("covered", money(row.covered)), ("debtors", .integer(Int64(row.debtors))), ("grade", .integer(Int64(row.grade))),
            ("embargoed", .bool(row.embargoed)), ("limit", money(row.limit)), ("share_bp", .integer(row.shareBP)),
            ("utilization_bp", .integer(row.utilizationBP)), ("headroom", money(row.headroom)), ("flags", flags(row.flags)),
        ])
    }

    private func portfolioJSON() -> JSONText {
        let row = portfolio
        let counts = row.flagsCount.keys.sorted { $0.rawValue < $1.rawValue }.map { ($0.rawValue, JSONText.integer(Int64(row.flagsCount[$0]!))) }
        return .object([
            ("gross", money(row.gross)), ("eligible", money(row.eligible)), ("guaranteed", money(row.guaranteed)),
            ("covered", money(row.covered)), ("risk_weighted", money(row.riskWeighted)), ("hhi_ppm", .integer(row.hhiPPM)),
            ("top10_share_bp", .integer(row.top10ShareBP)), ("clients", .integer(Int64(row.clients))),
            ("debtors", .integer(Int64(row.debtors))), ("documents", .integer(Int64(row.documents))),
            ("flags_count", .object(counts)),
            ("data_quality", .object([("missing_fx", .array(row.missingFX.map { .string($0) }))])),
        ])
    }
}
