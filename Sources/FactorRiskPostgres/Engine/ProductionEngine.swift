import FactorRiskCore

/// The rulebook computed set-based inside PostgreSQL, for a whole tenant, into snapshot tables.
///
/// No document crosses into Swift: `EngineSQL.recalculation` aggregates them where they lie.
///
/// A date's snapshot has variants: the baseline (`scenario` ''), which the nightly job writes and
/// every reader reads by default, and what-if scenarios (§9.4) written beside it under a name
/// (`ScenarioEngine`). Each read below takes the variant it reads.
public enum ProductionEngine {
    /// Computes the snapshot of `tenantID` as of `date`, replacing any stored for that date.
    ///
    /// Runs inside the caller's transaction, which must be scoped to the tenant
    /// (`tenantTransaction`): the old snapshot disappears only if the new one commits.
    /// Under a `scenario` (§9.4) the figures are the scenario's, written as the snapshot `variant`
    /// of the date (the nightly job: no scenario, the baseline ''); other variants are left alone.
    /// With `parallel` the pass over the documents is a statement of its own, which PostgreSQL may
    /// split between processes; without, one statement does it all, on one core: tenants
    /// recalculated side by side already keep every core busy.
    public static func recalculate(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: Scenario = Scenario(), variant: String = "",
        parallel: Bool = true
    ) throws {
        // A tenant without a policy row uses the defaults, which are the row's column defaults.
        try connection.query("INSERT INTO policies (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING", [tenantID])
        try delete(connection, tenantID: tenantID, asOf: date, variant: variant)
        // Grouping a tenant's documents by pair in memory (a hash) rather than by an external sort,
        // and keeping its pairs there for the levels summed from them (beyond 64 MB, in a temporary
        // file). Both settings last until the transaction ends.
        try connection.execute("SET LOCAL work_mem = '64MB'")
        // The statement is long and its plan costly, so PostgreSQL would compile it to machine code
        // first: measured, that took longer (0.1 to 0.2 s a tenant) than the compiled code saved.
        try connection.execute("SET LOCAL jit = off")
        let grades = gradeParameters(scenario)
        let parameters: [(any PGBindable)?] = [tenantID, date, scenario.defaulted, grades.countries, grades.grades, variant]
        guard parallel else {
            try connection.query(EngineSQL.recalculation(passed: false), parameters)
            return
        }
        // The pass over the documents first, into a temporary table (a statement that may use
        // several processes), with statistics for the plan of the statement that reads it; the
        // table is gone at the end of the run.
        try connection.query(EngineSQL.documentPass, [tenantID, date, scenario.defaulted])
        try connection.execute("ANALYZE \(EngineSQL.documentSumsTable)")
        try connection.query(EngineSQL.recalculation(passed: true), parameters)
        try connection.execute("DROP TABLE \(EngineSQL.documentSumsTable)")
    }

    /// Deletes every level of the snapshot variant `variant` of `date`.
    static func delete(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, variant: String) throws {
        for table in EngineSQL.tables {
            try connection.query("DELETE FROM \(table) WHERE tenant_id = $1 AND as_of = $2 AND scenario = $3", [tenantID, date, variant])
        }
    }

    /// A scenario's new grades as two parameters in step: the countries in byte order, and their grades.
    static func gradeParameters(_ scenario: Scenario) -> (countries: [String], grades: PGBigintArray) {
        let countries = scenario.grades.keys.sorted(by: byteOrder)
        return (countries, PGBigintArray(countries.map { Int64(scenario.grades[$0]!) }))
    }

    /// The stored snapshot of `tenantID` as of `date` (its baseline, or the variant `scenario`), or
    /// nil when none was computed.
    public static func snapshot(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: String = ""
    ) throws -> RiskReport? {
        guard var report = try header(connection, tenantID: tenantID, asOf: date, scenario: scenario) else { return nil }
        for level in [SnapshotLevel.pair, .client, .debtor, .group, .country] {
            try level.readAll(connection, tenantID: tenantID, asOf: date, scenario: scenario, into: &report)
        }
        report.portfolio.flagsCount = try flagCounts(connection, tenantID: tenantID, asOf: date, scenario: scenario)
        return report
    }

    /// A stored snapshot's tenant, currency and portfolio row, without its levels' rows (and so
    /// without `flags_count`: see `flagCounts`); nil when none was computed for that date (and variant).
    public static func header(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: String = ""
    ) throws -> RiskReport? {
        guard let header = try connection.query("""
            SELECT t.tenant_ref, t.base_currency, s.missing_fx, s.missing_fx_collections, s.missing_fx_remittances,
                   \(RiskReport.PortfolioRow.selectList("s."))
            FROM snapshots s JOIN tenants t ON t.tenant_id = s.tenant_id
            WHERE s.tenant_id = $1 AND s.as_of = $2 AND s.scenario = $3
            """, [tenantID, date, scenario]).first
        else { return nil }
        guard let currency = Currency.iso(try header.decode(String.self, at: 1)) else { return nil }
        var report = RiskReport(tenantRef: try header.decode(at: 0), asOf: date, currency: currency)
        report.portfolio = try RiskReport.PortfolioRow.decode(header, from: 5)
        report.portfolio.missingFX = try header.decode(at: 2)
        report.portfolio.missingFXCollections = try header.decode(at: 3)
        report.portfolio.missingFXRemittances = try header.decode(at: 4)
        return report
    }

    /// How many subjects of a stored snapshot (its baseline, or the variant `scenario`) carry each
    /// flag, counted inside PostgreSQL.
    public static func flagCounts(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: String = ""
    ) throws -> [RiskFlag: Int] {
        var counts: [RiskFlag: Int] = [:]
        for row in try connection.query(
            "SELECT code, count(*) FROM snapshot_flags WHERE tenant_id = $1 AND as_of = $2 AND scenario = $3 GROUP BY code",
            [tenantID, date, scenario]
        ).rows {
            if let flag = RiskFlag(rawValue: try row.decode(at: 0)) { counts[flag] = try row.decode(at: 1) }
        }
        return counts
    }

    /// The flags of a stored snapshot's baseline, subject by subject: debtors, groups, countries, then clients
    /// (the order of RULEBOOK.md §6), each in byte order of its reference.
    public static func flags(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate
    ) throws -> [(subject: String, ref: String, flag: RiskFlag)] {
        var flags: [(subject: String, ref: String, flag: RiskFlag)] = []
        for row in try connection.query("""
            SELECT level, subject, code FROM snapshot_flags WHERE tenant_id = $1 AND as_of = $2 AND scenario = ''
            ORDER BY array_position(ARRAY['debtor', 'group', 'country', 'client'], level), subject COLLATE "C", position
            """, [tenantID, date]).rows {
            if let flag = RiskFlag(rawValue: try row.decode(at: 2)) { flags.append((try row.decode(at: 0), try row.decode(at: 1), flag)) }
        }
        return flags
    }

    /// The latest date the tenant has a snapshot (a baseline) of.
    public static func latestSnapshotDate(_ connection: PGConnection, tenantID: Int64) throws -> CalendarDate? {
        try connection.query("SELECT max(as_of) FROM snapshots WHERE tenant_id = $1 AND scenario = ''", [tenantID])
            .first?.decode(CalendarDate?.self, at: 0)
    }
}
