import FactorRiskCore

extension ScenarioEngine {
    /// The worst single defaults of §9.4, at most `limit`, ranked set-based: equal to
    /// `WorstDefault.oneAtATime` on the same data without running the engine once per group.
    ///
    /// Runs in the caller's tenant transaction. The baseline is recalculated inside a savepoint
    /// (the data as it is now, not a snapshot stored earlier), `WorstSQL.ranking` reads it with
    /// what a default would change, and the savepoint is rolled back: nothing is stored, and a
    /// snapshot stored for that date before is left as it was.
    public static func worst(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, limit: Int) throws -> [WorstDefault] {
        try connection.execute("SAVEPOINT worst_defaults")
        let rows: PGResult
        do {
            try ProductionEngine.recalculate(connection, tenantID: tenantID, asOf: date)
            rows = try connection.query(WorstSQL.ranking, [tenantID, date, max(0, limit)])
        } catch {
            if connection.isHealthy { _ = try? connection.execute("ROLLBACK TO SAVEPOINT worst_defaults") }
            throw error
        }
        try connection.execute("ROLLBACK TO SAVEPOINT worst_defaults")
        try connection.execute("RELEASE SAVEPOINT worst_defaults")
        return try rows.rows.map { row in
            let levels: [String] = try row.decode("levels")
            let subjects: [String] = try row.decode("subjects")
            let codes: [String] = try row.decode("codes")
            let breaches = try zip(levels, zip(subjects, codes)).map { level, rest in
                guard let code = RiskFlag(rawValue: rest.1) else { throw PGError(.decoding, message: "unknown flag \(rest.1)") }
                return ScenarioOutcome.Breach(level: level, subject: rest.0, code: code)
            }
            return WorstDefault(
                groupRef: try row.decode("group_ref"), loss: try row.decode("loss"), lossOwnFundsBP: try row.decode("loss_own_funds_bp"),
                newBreaches: breaches)
        }
    }
}
