import FactorRiskCore

extension ScenarioEngine {
    /// The worst single defaults of §9.4, at most `limit`, ranked set-based: equal to
    /// `WorstDefault.oneAtATime` on the same data without running the engine once per group.
    ///
    /// Runs in the caller's tenant transaction, on the data as it is now (not a snapshot stored
    /// earlier), in one statement (`WorstSQL.ranking`) that stores nothing. It runs in a savepoint,
    /// rolled back after, with the recalculation's settings for the statement and its policy row
    /// (a tenant without one has the defaults, the row's column defaults).
    public static func worst(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, limit: Int) throws -> [WorstDefault] {
        try connection.execute("SAVEPOINT worst_defaults")
        let rows: PGResult
        do {
            try connection.query("INSERT INTO policies (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING", [tenantID])
            try connection.execute("SET LOCAL work_mem = '64MB'")
            try connection.execute("SET LOCAL jit = off")
            // `$4` and `$5` are the engine's country grades (its country rows read them): none, the baseline's.
            let grades = ProductionEngine.gradeParameters(Scenario())
            rows = try connection.query(WorstSQL.ranking, [tenantID, date, max(0, limit), grades.countries, grades.grades])
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
