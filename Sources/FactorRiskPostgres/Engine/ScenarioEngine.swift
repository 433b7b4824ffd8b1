import FactorRiskCore

/// What-if scenarios (RULEBOOK.md §9.4) in PostgreSQL: the nightly job's own statement
/// (`EngineSQL.recalculation`) run with the scenario as parameters, and the worst single defaults
/// ranked set-based.
public enum ScenarioEngine {
    /// Computes the baseline and `scenario` of `tenantID` as of `date` on the data as it is now, in
    /// the caller's tenant transaction, and returns the outcome with the scenario's report.
    ///
    /// Nothing is left behind unless `saveAs` names the scenario: then its snapshot is kept under
    /// that name beside the date's baseline (replacing one of the same name and date), which
    /// `report --scenario NAME` and `diff` read, and its definition in `saved_scenarios`.
    public static func run(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: Scenario, saveAs: String? = nil
    ) throws -> (outcome: ScenarioOutcome, report: RiskReport) {
        throw PGError(.decoding, message: "what-if scenarios are not computed yet")
    }
}
