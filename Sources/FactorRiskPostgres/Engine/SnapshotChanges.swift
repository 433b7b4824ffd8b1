import FactorRiskCore

/// What changed between two stored snapshots of a tenant, worked out in PostgreSQL: the breaches
/// that are new, worsened or cleared (with how far over its limit each subject is), the limits in
/// force that changed, and the figures that moved most. The nightly job's closing summary and
/// `diff` read the same query; `SnapshotDiff` in the core is the same comparison in plain Swift,
/// and a test holds the two to the same answer. A snapshot is a date and a variant: the baseline
/// (''), or a saved what-if scenario (§9.4) that `diff` compares with a baseline.
enum SnapshotChanges {
    /// The codes of RULEBOOK.md §6 that are breaches.
    static let breachCodes = RiskFlag.allCases.filter { $0.level == .breach }.map(\.rawValue)

    /// `breaches`: every breach of the snapshots (`$2`, `$5`) (the later: date, variant) and
    /// (`$3`, `$6`) (the earlier, or a NULL date), with its excess (`SnapshotDiff.excess`);
    /// `changes`: those new in the later, cleared since the earlier or worse in the later than in
    /// the earlier, with the excess before and after. `$1` is the tenant, `$4` the breach codes.
    /// The CTEs every statement of this type starts from.
    static let breachChanges = """
        breaches AS MATERIALIZED (
            \(breachesOf("debtor", table: "snapshot_debtors", key: "debtor_ref",
                         excess: ["DEBTOR_LIMIT_BREACH": "s.guaranteed - s.credit_limit"]))
            UNION ALL
            \(breachesOf("group", table: "snapshot_groups", key: "group_ref", excess: ["LARGE_EXPOSURE_BREACH": "s.guaranteed - s.\"limit\""]))
            UNION ALL
            \(breachesOf("country", table: "snapshot_countries", key: "country",
                         excess: ["COUNTRY_LIMIT_BREACH": "s.guaranteed - s.\"limit\"", "EMBARGO_EXPOSURE": "s.gross"]))
            UNION ALL
            \(breachesOf("client", table: "snapshot_clients", key: "client_ref",
                         excess: ["OVER_ADVANCE": "-s.availability", "UNREMITTED_COLLECTIONS": "s.unremitted",
                                  "PAID_STILL_OPEN": "s.ineligible_paid"]))
        ),
        changes AS MATERIALIZED (
            SELECT CASE WHEN b.code IS NULL THEN 'new' WHEN n.code IS NULL THEN 'cleared' ELSE 'worsened' END AS change,
                   coalesce(n.level, b.level) AS level, coalesce(n.subject, b.subject) AS subject,
                   coalesce(n.code, b.code) AS code, b.excess AS before, n.excess AS after
            FROM (SELECT * FROM breaches WHERE as_of = $2 AND scenario = $5) n
            FULL JOIN (SELECT * FROM breaches WHERE as_of = $3 AND scenario = $6) b ON b.level = n.level AND b.subject = n.subject AND b.code = n.code
            WHERE n.code IS NULL OR b.code IS NULL OR n.excess > b.excess
        )
        """

    /// The breach flags of one level's rows in the two snapshots, each with its excess computed from
    /// the row that carries it (no join back from `snapshot_flags`: the rows a run has just written
    /// have no statistics yet, and a join planned on guesses took 0.8 s for a 500,000-document tenant).
    static func breachesOf(_ level: String, table: String, key: String, excess: [String: String]) -> String {
        let cases = excess.keys.sorted().map { "WHEN '\($0)' THEN \(excess[$0]!)" }.joined(separator: " ")
        return """
            SELECT s.as_of, s.scenario, '\(level)'::text AS level, s.\(key)::text AS subject, f.code, CASE f.code \(cases) END AS excess
            FROM \(table) s CROSS JOIN LATERAL unnest(s.flags) AS f (code)
            WHERE s.tenant_id = $1 AND (s.as_of, s.scenario) IN (($2, $5::text), ($3, $6::text)) AND f.code = ANY ($4::text[])
            """
    }

    /// The breaches of (`$2`, `$5`) counted by code (`count` rows), and those new since (`$3`, `$6`)
    /// and cleared since it, each counted whole (`new total`, `cleared total`) and listed up to `$7`
    /// rows in order of code, level and subject (`new`, `cleared`), as `kind, code, level, subject,
    /// count` rows: the nightly job's summary, of which only the counts and the listed rows come back.
    static let summary = """
        WITH \(breachChanges)
        SELECT 'count', code, NULL, NULL, count(*) FROM breaches WHERE as_of = $2 AND scenario = $5 GROUP BY code
        UNION ALL SELECT 'new total', '', NULL, NULL, count(*) FROM changes WHERE change = 'new'
        UNION ALL SELECT 'cleared total', '', NULL, NULL, count(*) FROM changes WHERE change = 'cleared'
        UNION ALL (SELECT 'new', code, level, subject, 1 FROM changes WHERE change = 'new'
                   ORDER BY code, level, subject COLLATE "C" LIMIT $7)
        UNION ALL (SELECT 'cleared', code, level, subject, 1 FROM changes WHERE change = 'cleared'
                   ORDER BY code, level, subject COLLATE "C" LIMIT $7)
        """

    /// Every changed breach, new first, then worsened, then cleared, each by level, subject and code.
    static let breachList = """
        WITH \(breachChanges)
        SELECT change, level, subject, code, before, after FROM changes
        ORDER BY array_position(ARRAY['new', 'worsened', 'cleared'], change), level, subject COLLATE "C", code
        """

    /// The `$4` largest moves (by size, then reference) of a figure present in both snapshots,
    /// from (`$3`, `$6`) to (`$2`, `$5`).
    static func moves(table: String, key: String, field: String) -> String {
        """
        SELECT n.\(key)::text, o.\(field), n.\(field) FROM \(table) n
        JOIN \(table) o ON o.tenant_id = $1 AND o.as_of = $3 AND o.scenario = $6 AND o.\(key) = n.\(key)
        WHERE n.tenant_id = $1 AND n.as_of = $2 AND n.scenario = $5 AND o.\(field) <> n.\(field)
        ORDER BY abs(n.\(field)::numeric - o.\(field)) DESC, n.\(key) COLLATE "C" LIMIT $4
        """
    }

    /// The credit limits (`client_ref` NULL) and approvals of the snapshot (`$2`, `$4`) that differ
    /// from those of (`$3`, `$5`), as `client_ref, debtor_ref, before, after`: debtors first, then
    /// pairs, by reference in byte order (`SnapshotDiff.limits`).
    static let limitChanges = """
        SELECT client_ref, debtor_ref, before, after FROM (
            SELECT NULL::text AS client_ref, n.debtor_ref, o.credit_limit AS before, n.credit_limit AS after
            FROM snapshot_debtors n
            JOIN snapshot_debtors o ON o.tenant_id = $1 AND o.as_of = $3 AND o.scenario = $5 AND o.debtor_ref = n.debtor_ref
            WHERE n.tenant_id = $1 AND n.as_of = $2 AND n.scenario = $4 AND o.credit_limit <> n.credit_limit
            UNION ALL
            SELECT n.client_ref, n.debtor_ref, o.approved, n.approved
            FROM snapshot_pairs n
            JOIN snapshot_pairs o ON o.tenant_id = $1 AND o.as_of = $3 AND o.scenario = $5 AND o.client_ref = n.client_ref
                                 AND o.debtor_ref = n.debtor_ref
            WHERE n.tenant_id = $1 AND n.as_of = $2 AND n.scenario = $4 AND o.approved <> n.approved
        ) changed
        ORDER BY client_ref IS NOT NULL, client_ref COLLATE "C", debtor_ref COLLATE "C"
        """

    /// The figures `diff` follows: (subject, snapshot table, key column, figure).
    static let followed = [
        ("debtor", "snapshot_debtors", "debtor_ref", "available_limit"),
        ("client", "snapshot_clients", "client_ref", "availability"),
        ("country", "snapshot_countries", "country", "limit"),
    ]

    /// What changed from the baseline of `from` to the snapshot of `to` (its baseline, or the saved
    /// scenario `scenario` of that date), keeping the `top` largest moves of each figure followed;
    /// nil when either snapshot is missing. Runs in the caller's tenant transaction.
    static func diff(
        _ connection: PGConnection, tenantID: Int64, from: CalendarDate, to: CalendarDate, scenario: String = "", top: Int
    ) throws -> SnapshotDiff? {
        guard try ProductionEngine.header(connection, tenantID: tenantID, asOf: from) != nil,
              let header = try ProductionEngine.header(connection, tenantID: tenantID, asOf: to, scenario: scenario)
        else { return nil }
        let breaches = try connection.query(breachList, [tenantID, to, from, breachCodes, scenario, ""]).rows.compactMap { row in
            try RiskFlag(rawValue: row.decode(at: 3)).map { flag in
                SnapshotDiff.BreachChange(
                    change: SnapshotDiff.BreachChange.Change(rawValue: try row.decode(at: 0))!, subject: try row.decode(at: 1),
                    ref: try row.decode(at: 2), flag: flag, before: try row.decode(at: 4), after: try row.decode(at: 5))
            }
        }
        let limits = try connection.query(limitChanges, [tenantID, to, from, scenario, ""]).rows.map { row in
            SnapshotDiff.ChangedLimit(clientRef: try row.decode(at: 0), debtorRef: try row.decode(at: 1),
                                      before: try row.decode(at: 2), after: try row.decode(at: 3))
        }
        var movements: [SnapshotDiff.Movement] = []
        for (subject, table, key, field) in followed {
            let sql = moves(table: table, key: "\"\(key)\"", field: "\"\(field)\"")
            for row in try connection.query(sql, [tenantID, to, from, Int64(top), scenario, ""]).rows {
                movements.append(SnapshotDiff.Movement(
                    subject: subject, ref: try row.decode(at: 0), field: field, before: try row.decode(at: 1), after: try row.decode(at: 2)))
            }
        }
        return SnapshotDiff(
            tenantRef: header.tenantRef, currency: header.currency, from: from, to: to, breaches: breaches, limits: limits,
            movements: movements)
    }
}
