import FactorRiskCore

/// The rulebook computed set-based inside PostgreSQL, for a whole tenant, into snapshot tables.
///
/// No document crosses into Swift: the statements of `EngineSQL` aggregate them where they lie.
public enum ProductionEngine {
    /// Computes the snapshot of `tenantID` as of `date`, replacing any stored for that date.
    ///
    /// Runs inside the caller's transaction, which must be scoped to the tenant
    /// (`tenantTransaction`): the old snapshot disappears only if the new one commits.
    public static func recalculate(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws {
        // A tenant without a policy row uses the defaults, which are the row's column defaults.
        try connection.query("INSERT INTO policies (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING", [tenantID])
        for table in EngineSQL.tables {
            try connection.query("DELETE FROM \(table) WHERE tenant_id = $1 AND as_of = $2", [tenantID, date])
        }
        let parameters: [(any PGBindable)?] = [tenantID, date]
        // CREATE TABLE AS takes no bind parameters: both are rendered from typed values (an integer, a validated date).
        func rendered(_ statement: String) -> String {
            statement.replacingOccurrences(of: "$1", with: String(tenantID)).replacingOccurrences(of: "$2", with: "'\(date)'::date")
        }
        try connection.query(EngineSQL.pairs, parameters)
        try connection.query(EngineSQL.clients, parameters)
        // Each intermediate level goes into a temporary table, analysed before the next statement joins it:
        // rows written in this transaction have no statistics, and the planner's guesses for them
        // once turned a join into a nested loop over every debtor for every group.
        for (statement, table) in [(EngineSQL.debtors, "engine_debtors"), (EngineSQL.groups, "engine_groups"),
                                   (EngineSQL.countries, "engine_countries")] {
            try connection.execute(rendered(statement))
            try connection.execute("ANALYZE \(table)")
        }
        for statement in EngineSQL.storeGroupsAndCountries + [EngineSQL.storeDebtors] {
            try connection.execute(statement)
        }
        try connection.query(EngineSQL.portfolio, parameters)
        try connection.execute("DROP TABLE engine_debtors, engine_groups, engine_countries")
    }

    /// The stored snapshot of `tenantID` as of `date`, or nil when none was computed.
    public static func snapshot(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws -> RiskReport? {
        let parameters: [(any PGBindable)?] = [tenantID, date]
        guard let header = try connection.query("""
            SELECT t.tenant_ref, t.base_currency, s.gross, s.eligible, s.guaranteed, s.covered, s.risk_weighted, s.hhi_ppm,
                   s.top10_share_bp, s.clients, s.debtors, s.documents, array_to_json(s.missing_fx)::text
            FROM snapshots s JOIN tenants t ON t.tenant_id = s.tenant_id
            WHERE s.tenant_id = $1 AND s.as_of = $2
            """, parameters).first
        else { return nil }
        guard let currency = Currency.iso(try header.decode(String.self, at: 1)) else { return nil }
        var report = RiskReport(tenantRef: try header.decode(at: 0), asOf: date, currency: currency)
        var portfolio = RiskReport.PortfolioRow()
        portfolio.gross = try header.decode(at: 2)
        portfolio.eligible = try header.decode(at: 3)
        portfolio.guaranteed = try header.decode(at: 4)
        portfolio.covered = try header.decode(at: 5)
        portfolio.riskWeighted = try header.decode(at: 6)
        portfolio.hhiPPM = try header.decode(at: 7)
        portfolio.top10ShareBP = try header.decode(at: 8)
        portfolio.clients = try header.decode(at: 9)
        portfolio.debtors = try header.decode(at: 10)
        portfolio.documents = try header.decode(at: 11)
        portfolio.missingFX = Self.textArray(try header.decode(String.self, at: 12))

        func ineligible(_ row: PGRow, from column: Int) throws -> RiskReport.Ineligible {
            var sums = RiskReport.Ineligible()
            for (offset, reason) in InvoiceClass.reasons.enumerated() { sums[reason] = try row.decode(at: column + offset) }
            return sums
        }
        func flags(_ row: PGRow, at column: Int) throws -> [RiskFlag] {
            Self.textArray(try row.decode(String.self, at: column)).compactMap(RiskFlag.init(rawValue:))
        }

        report.pairs = try connection.query("""
            SELECT client_ref, debtor_ref, approved, gross, credit_notes, ineligible_disputed, ineligible_aged, ineligible_affiliate,
                   ineligible_embargo, ineligible_unapproved, ineligible_cross_aged, eligible, guaranteed, over_approval, cover_bp,
                   covered, risk_weighted, cross_aged
            FROM snapshot_pairs WHERE tenant_id = $1 AND as_of = $2 ORDER BY client_ref COLLATE "C", debtor_ref COLLATE "C"
            """, parameters).rows.map { row in
            var pair = RiskReport.PairRow(clientRef: try row.decode(at: 0), debtorRef: try row.decode(at: 1))
            pair.approved = try row.decode(at: 2)
            pair.gross = try row.decode(at: 3)
            pair.creditNotes = try row.decode(at: 4)
            pair.ineligible = try ineligible(row, from: 5)
            pair.eligible = try row.decode(at: 11)
            pair.guaranteed = try row.decode(at: 12)
            pair.overApproval = try row.decode(at: 13)
            pair.coverBP = try row.decode(at: 14)
            pair.covered = try row.decode(at: 15)
            pair.riskWeighted = try row.decode(at: 16)
            pair.crossAged = try row.decode(at: 17)
            return pair
        }

        report.clients = try connection.query("""
            SELECT client_ref, mode, gross, credit_notes, eligible, over_approval, guaranteed, covered, risk_weighted,
                   ineligible_disputed, ineligible_aged, ineligible_affiliate, ineligible_embargo, ineligible_unapproved,
                   ineligible_cross_aged, concentration_cap, concentration_excess, fundable, holdback, funding_capacity,
                   funded_balance, availability, tier, array_to_json(flags)::text
            FROM snapshot_clients WHERE tenant_id = $1 AND as_of = $2 ORDER BY client_ref COLLATE "C"
            """, parameters).rows.map { row in
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
            return client
        }

        report.debtors = try connection.query("""
            SELECT debtor_ref, country, group_ref, credit_limit, gross, eligible, guaranteed, covered, risk_weighted,
                   approved_total, clients, utilization_bp, headroom, available_limit, array_to_json(flags)::text
            FROM snapshot_debtors WHERE tenant_id = $1 AND as_of = $2 ORDER BY debtor_ref COLLATE "C"
            """, parameters).rows.map { row in
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
            return debtor
        }

        report.groups = try connection.query("""
            SELECT group_ref, debtors, guaranteed, covered, own_funds_bp, "limit", array_to_json(flags)::text
            FROM snapshot_groups WHERE tenant_id = $1 AND as_of = $2 ORDER BY group_ref COLLATE "C"
            """, parameters).rows.map { row in
            var group = RiskReport.GroupRow(groupRef: try row.decode(at: 0))
            group.debtors = try row.decode(at: 1)
            group.guaranteed = try row.decode(at: 2)
            group.covered = try row.decode(at: 3)
            group.ownFundsBP = try row.decode(at: 4)
            group.limit = try row.decode(at: 5)
            group.flags = try flags(row, at: 6)
            return group
        }

        report.countries = try connection.query("""
            SELECT country, gross, guaranteed, covered, debtors, grade, embargoed, "limit", share_bp, utilization_bp, headroom,
                   array_to_json(flags)::text
            FROM snapshot_countries WHERE tenant_id = $1 AND as_of = $2 ORDER BY country COLLATE "C"
            """, parameters).rows.map { row in
            var country = RiskReport.CountryRow(
                country: try row.decode(at: 0), grade: try row.decode(at: 5), embargoed: try row.decode(at: 6))
            country.gross = try row.decode(at: 1)
            country.guaranteed = try row.decode(at: 2)
            country.covered = try row.decode(at: 3)
            country.debtors = try row.decode(at: 4)
            country.limit = try row.decode(at: 7)
            country.shareBP = try row.decode(at: 8)
            country.utilizationBP = try row.decode(at: 9)
            country.headroom = try row.decode(at: 10)
            country.flags = try flags(row, at: 11)
            return country
        }

        for flag in report.clients.flatMap(\.flags) + report.debtors.flatMap(\.flags) + report.groups.flatMap(\.flags)
            + report.countries.flatMap(\.flags)
        {
            portfolio.flagsCount[flag, default: 0] += 1
        }
        report.portfolio = portfolio
        return report
    }

    /// The strings of a JSON array of strings, as `array_to_json(text[])` writes it.
    static func textArray(_ json: String) -> [String] {
        var values: [String] = []
        var current = ""
        var inString = false
        var escaped = false
        for character in json {
            if inString {
                if escaped {
                    current.append(character == "n" ? "\n" : character == "t" ? "\t" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    values.append(current)
                    current = ""
                    inString = false
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inString = true
            }
        }
        return values
    }
}
