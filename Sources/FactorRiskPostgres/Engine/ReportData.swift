import FactorRiskCore

/// What the HTML report needs besides a snapshot: the tenant's name, the concentration of every
/// stored snapshot up to the date, and the ageing of the ledger on the date. The report of a saved
/// what-if scenario (§9.4) shows the baselines before its date and the scenario on it, and its
/// ledger without the documents of the defaulted groups' debtors.
public enum ReportData {
    /// The ledger's open invoices by days past due on D, in base minor units: the documents that
    /// take part in the computation (issued by D, open, with a rate, and not of a debtor of the
    /// groups `$3` names as defaulted), converted as §2 converts them.
    static let ageing = """
        WITH \(EngineSQL.settings), \(EngineSQL.rates)
        SELECT bucket, coalesce(sum(o), 0)::bigint, count(*)
        FROM (
            SELECT CASE WHEN $2::date - d.due_date <= 0 THEN 0 WHEN $2::date - d.due_date <= 30 THEN 1
                        WHEN $2::date - d.due_date <= 60 THEN 2 WHEN $2::date - d.due_date <= 90 THEN 3 ELSE 4 END AS bucket,
                   \(EngineSQL.converted) AS o
            FROM documents d
            JOIN rates r ON r.currency = d.currency
            WHERE d.tenant_id = $1 AND d.issue_date <= $2 AND d.open_amount <> 0 AND d.kind = 'invoice'
              AND d.debtor_id NOT IN (
                  SELECT debtor_id FROM debtors WHERE tenant_id = $1 AND coalesce(group_ref, debtor_ref) = ANY ($3::text[]))
        ) x
        GROUP BY bucket
        """

    /// The stored snapshots of a report's history: the baselines before the date, and the variant
    /// `$3` on it (`$1` the tenant, `$2` the date).
    static let historyFilter = "tenant_id = $1 AND ((as_of < $2 AND scenario = '') OR (as_of = $2 AND scenario = $3))"

    /// Everything the HTML report of (`tenantID`, `date`) shows, of the baseline or of the saved
    /// scenario `scenario`; nil without that snapshot. Runs in the caller's tenant transaction.
    public static func htmlInput(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, scenario: String = ""
    ) throws -> HTMLReportInput? {
        guard let report = try ProductionEngine.snapshot(connection, tenantID: tenantID, asOf: date, scenario: scenario),
              let head = try connection.query("""
                  SELECT t.name, to_char(s.computed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
                         coalesce((SELECT v.defaulted FROM saved_scenarios v WHERE v.tenant_id = $1 AND v.as_of = $2 AND v.name = $3), '{}')
                  FROM tenants t JOIN snapshots s ON s.tenant_id = t.tenant_id
                  WHERE t.tenant_id = $1 AND s.as_of = $2 AND s.scenario = $3
                  """, [tenantID, date, scenario]).first
        else { return nil }
        let history = try connection.query("""
            SELECT as_of, hhi_ppm, top10_share_bp, guaranteed FROM snapshots WHERE \(historyFilter) ORDER BY as_of
            """, [tenantID, date, scenario]).rows.map { row in
            HTMLReportInput.ConcentrationPoint(
                asOf: try row.decode(at: 0), hhiPPM: try row.decode(at: 1), top10ShareBP: try row.decode(at: 2), guaranteed: try row.decode(at: 3))
        }
        var buckets = HTMLReportInput.AgeingBucket.labels.map { HTMLReportInput.AgeingBucket(label: $0, open: 0, invoices: 0) }
        let defaulted: [String] = try head.decode(at: 2)
        for row in try connection.query(ageing, [tenantID, date, defaulted]).rows {
            let index: Int = try row.decode(at: 0)
            buckets[index].open = try row.decode(at: 1)
            buckets[index].invoices = try row.decode(at: 2)
        }
        let warning = try TenantSettings.load(connection, tenantID: tenantID)?.policy.utilizationWarnBP ?? Policy().utilizationWarnBP
        return HTMLReportInput(tenantName: try head.decode(at: 0), report: report, history: history, ageing: buckets,
                               computedAt: try head.decode(at: 1), utilizationWarnBP: warning,
                               worstDefaults: try ScenarioEngine.worst(connection, tenantID: tenantID, asOf: date, limit: 10))
    }
}
