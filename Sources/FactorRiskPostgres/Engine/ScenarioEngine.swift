import FactorRiskCore

/// What-if scenarios (RULEBOOK.md §9.4) in PostgreSQL: the nightly job's own statement
/// (`EngineSQL.recalculation`) run with the scenario as parameters, and the worst single defaults
/// ranked set-based.
public enum ScenarioEngine {
    /// Whether `name` can name a saved scenario: 1 to 64 ASCII letters, digits, `.`, `_` or `-`
    /// (the CHECK of `saved_scenarios`). Never '' (the baseline's variant), and never a name of
    /// the temporary variants a run writes (they start with `~`).
    public static func isSaveable(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: "-")
            }
    }

    /// Computes the baseline and `scenario` of `tenantID` as of `date` on the data as it is now, in
    /// the caller's tenant transaction, and returns the outcome with the scenario's report.
    ///
    /// Nothing is left behind unless `saveAs` names the scenario: then its snapshot is kept under
    /// that name beside the date's baseline (replacing one of the same name and date), which
    /// `report --scenario NAME` and `diff` read, and its definition in `saved_scenarios`.
    ///
    /// Both are computed by the engine into snapshot variants of their own, read back, and rolled
    /// back to a savepoint: the stored baseline (variant '') is never touched, and the rows of a
    /// run are gone whether it succeeds or fails. The baseline's variant is named after this
    /// session (`~base-<backend pid>`), a name no saved scenario can take, so that runs for the
    /// same tenant and date on other connections do not wait for one another.
    public static func run(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: Scenario, saveAs: String? = nil
    ) throws -> (outcome: ScenarioOutcome, report: RiskReport) {
        if let saveAs, !isSaveable(saveAs) {
            throw PGError(
                .query, message: "a scenario is saved under 1 to 64 letters, digits, '.', '_' or '-', not \"\(saveAs)\"", sqlState: "22023")
        }
        if let wrong = scenario.grades.first(where: { !(0...7).contains($0.value) }) {
            throw PGError(.query, message: "a country's grade is 0 to 7, not \(wrong.value) (\(wrong.key))", sqlState: "22023")
        }
        guard let settings = try TenantSettings.load(connection, tenantID: tenantID) else {
            throw PGError(.decoding, message: "tenant \(tenantID) is not visible in this transaction")
        }
        let session: Int64 = try connection.query("SELECT pg_backend_pid()").first!.decode(at: 0)
        let baseVariant = "~base-\(session)"
        // A saved scenario is written under its name at once: recalculate replaces the rows of that
        // name and date, and the savepoint restores them if anything fails.
        let scenarioVariant = saveAs ?? "~scenario-\(session)"
        try connection.execute("SAVEPOINT scenario_run")
        do {
            try ProductionEngine.recalculate(connection, tenantID: tenantID, asOf: date, variant: baseVariant)
            try ProductionEngine.recalculate(connection, tenantID: tenantID, asOf: date, scenario: scenario, variant: scenarioVariant)
            guard let baseline = try ProductionEngine.snapshot(connection, tenantID: tenantID, asOf: date, scenario: baseVariant),
                  let report = try ProductionEngine.snapshot(connection, tenantID: tenantID, asOf: date, scenario: scenarioVariant)
            else { throw PGError(.decoding, message: "the scenario's snapshots were not written") }
            let outcome = ScenarioOutcome(scenario: scenario, baseline: baseline, scenarioReport: report, ownFunds: settings.tenant.ownFunds)
            if let saveAs {
                // Kept: the scenario's rows under its name and its definition; the baseline computed for it goes.
                try ProductionEngine.delete(connection, tenantID: tenantID, asOf: date, variant: baseVariant)
                let grades = ProductionEngine.gradeParameters(scenario)
                try connection.query("""
                    INSERT INTO saved_scenarios (tenant_id, as_of, name, defaulted, grade_countries, grades, loss, loss_own_funds_bp)
                    VALUES ($1, $2, $3, $4, $5, $6::integer[], $7, $8)
                    """, [tenantID, date, saveAs, scenario.defaulted, grades.countries, grades.grades, outcome.loss, outcome.lossOwnFundsBP])
                try connection.execute("RELEASE SAVEPOINT scenario_run")
            } else {
                try connection.execute("ROLLBACK TO SAVEPOINT scenario_run")
                try connection.execute("RELEASE SAVEPOINT scenario_run")
            }
            return (outcome, report)
        } catch {
            // A failed statement leaves the transaction aborted: back to the savepoint, so the caller's
            // transaction goes on (or rolls back) as it was before the run.
            _ = try? connection.execute("ROLLBACK TO SAVEPOINT scenario_run")
            _ = try? connection.execute("RELEASE SAVEPOINT scenario_run")
            throw error
        }
    }
}
