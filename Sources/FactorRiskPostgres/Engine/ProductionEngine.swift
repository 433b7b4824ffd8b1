import FactorRiskCore

/// The rulebook computed set-based inside PostgreSQL, for a whole tenant, into snapshot tables.
///
/// No document crosses into Swift: `EngineSQL.recalculation` aggregates them where they lie.
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
        // Grouping a tenant's documents by pair in memory (a hash) rather than by an external sort,
        // and keeping its pairs there for the levels summed from them (beyond 64 MB, in a temporary
        // file). Both settings last until the transaction ends.
        try connection.execute("SET LOCAL work_mem = '64MB'")
        // The statement is long and its plan costly, so PostgreSQL would compile it to machine code
        // first: measured, that took longer (0.1 to 0.2 s a tenant) than the compiled code saved.
        try connection.execute("SET LOCAL jit = off")
        try connection.query(EngineSQL.recalculation, [tenantID, date])
    }

    /// The stored snapshot of `tenantID` as of `date`, or nil when none was computed.
    public static func snapshot(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws -> RiskReport? {
        guard var report = try header(connection, tenantID: tenantID, asOf: date) else { return nil }
        var portfolio = report.portfolio
        for level in [SnapshotLevel.pair, .client, .debtor, .group, .country] {
            try level.readAll(connection, tenantID: tenantID, asOf: date, into: &report)
        }

        for flag in report.clients.flatMap(\.flags) + report.debtors.flatMap(\.flags) + report.groups.flatMap(\.flags)
            + report.countries.flatMap(\.flags)
        {
            portfolio.flagsCount[flag, default: 0] += 1
        }
        report.portfolio = portfolio
        return report
    }

    /// A stored snapshot's tenant, currency and portfolio row, without its levels' rows (and so
    /// without `flags_count`: see `flagCounts`); nil when none was computed for that date.
    public static func header(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws -> RiskReport? {
        guard let header = try connection.query("""
            SELECT t.tenant_ref, t.base_currency, s.gross, s.eligible, s.guaranteed, s.covered, s.risk_weighted, s.hhi_ppm,
                   s.top10_share_bp, s.clients, s.debtors, s.documents, array_to_json(s.missing_fx)::text
            FROM snapshots s JOIN tenants t ON t.tenant_id = s.tenant_id
            WHERE s.tenant_id = $1 AND s.as_of = $2
            """, [tenantID, date]).first
        else { return nil }
        guard let currency = Currency.iso(try header.decode(String.self, at: 1)) else { return nil }
        var report = RiskReport(tenantRef: try header.decode(at: 0), asOf: date, currency: currency)
        report.portfolio.gross = try header.decode(at: 2)
        report.portfolio.eligible = try header.decode(at: 3)
        report.portfolio.guaranteed = try header.decode(at: 4)
        report.portfolio.covered = try header.decode(at: 5)
        report.portfolio.riskWeighted = try header.decode(at: 6)
        report.portfolio.hhiPPM = try header.decode(at: 7)
        report.portfolio.top10ShareBP = try header.decode(at: 8)
        report.portfolio.clients = try header.decode(at: 9)
        report.portfolio.debtors = try header.decode(at: 10)
        report.portfolio.documents = try header.decode(at: 11)
        report.portfolio.missingFX = Self.textArray(try header.decode(String.self, at: 12))
        return report
    }

    /// How many subjects of a stored snapshot carry each flag, counted inside PostgreSQL.
    public static func flagCounts(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws -> [RiskFlag: Int] {
        let levels = ["snapshot_clients", "snapshot_debtors", "snapshot_groups", "snapshot_countries"].map {
            "SELECT unnest(flags) AS flag FROM \($0) WHERE tenant_id = $1 AND as_of = $2"
        }
        var counts: [RiskFlag: Int] = [:]
        for row in try connection.query(
            "SELECT flag, count(*) FROM (\(levels.joined(separator: " UNION ALL "))) f GROUP BY flag", [tenantID, date]
        ).rows {
            if let flag = RiskFlag(rawValue: try row.decode(at: 0)) { counts[flag] = try row.decode(at: 1) }
        }
        return counts
    }

    /// The flags of a stored snapshot, subject by subject: debtors, groups, countries, then clients
    /// (the order of RULEBOOK.md §6), each in byte order of its reference.
    public static func flags(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate
    ) throws -> [(subject: String, ref: String, flag: RiskFlag)] {
        var flags: [(subject: String, ref: String, flag: RiskFlag)] = []
        for (subject, table, key) in [("debtor", "snapshot_debtors", "debtor_ref"), ("group", "snapshot_groups", "group_ref"),
                                      ("country", "snapshot_countries", "country"), ("client", "snapshot_clients", "client_ref")] {
            for row in try connection.query("""
                SELECT \(key)::text, array_to_json(flags)::text FROM \(table)
                WHERE tenant_id = $1 AND as_of = $2 AND cardinality(flags) > 0 ORDER BY \(key) COLLATE "C"
                """, [tenantID, date]).rows {
                let ref: String = try row.decode(at: 0)
                for code in Self.textArray(try row.decode(String.self, at: 1)) {
                    if let flag = RiskFlag(rawValue: code) { flags.append((subject, ref, flag)) }
                }
            }
        }
        return flags
    }

    /// The latest date the tenant has a snapshot of.
    public static func latestSnapshotDate(_ connection: PGConnection, tenantID: Int64) throws -> CalendarDate? {
        try connection.query("SELECT max(as_of) FROM snapshots WHERE tenant_id = $1", [tenantID]).first?.decode(CalendarDate?.self, at: 0)
    }

    /// A pair row from `client_ref, debtor_ref` and the columns of `EngineSQL.pairColumns` but `documents`.
    static func pairRow(_ row: PGRow, from offset: Int = 0) throws -> RiskReport.PairRow {
        var pair = RiskReport.PairRow(clientRef: try row.decode(at: offset + 0), debtorRef: try row.decode(at: offset + 1))
        pair.approved = try row.decode(at: offset + 2)
        pair.gross = try row.decode(at: offset + 3)
        pair.creditNotes = try row.decode(at: offset + 4)
        for (index, reason) in InvoiceClass.reasons.enumerated() { pair.ineligible[reason] = try row.decode(at: offset + 5 + index) }
        pair.eligible = try row.decode(at: offset + 11)
        pair.guaranteed = try row.decode(at: offset + 12)
        pair.overApproval = try row.decode(at: offset + 13)
        pair.coverBP = try row.decode(at: offset + 14)
        pair.covered = try row.decode(at: offset + 15)
        pair.riskWeighted = try row.decode(at: offset + 16)
        pair.crossAged = try row.decode(at: offset + 17)
        return pair
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
