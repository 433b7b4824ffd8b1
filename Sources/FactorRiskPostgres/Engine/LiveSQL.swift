import FactorRiskCore

/// The statements behind live answers (migration 0003's live tables).
///
/// A live state of (tenant, as-of) holds each pair's figures and the additive sums of every debtor,
/// group, country and of the tenant. It is built whole once, from the same pair query as the
/// nightly recalculation (`EngineSQL.pairFigures`); after that, only the pairs a writer changed
/// are recomputed, by the writer itself (`movePairs`), and the sums above them move by the
/// difference between their old and new rows. `live_changes` holds pairs left for a state that
/// nobody moved yet: the next writer, or a reader, applies them.
enum LiveSQL {
    /// The pair columns stored in `live_pairs` beside the ids.
    static let pairColumns = EngineSQL.pairColumns

    static let tables = ["live_states", "live_pairs", "live_debtors", "live_groups", "live_countries", "live_changes"]

    /// The tenant's settings (`TenantSettings.columns`), whether the live state of the date exists,
    /// whether writers left changes for it, and the date of the tenant's earliest snapshot (where
    /// `LiveDateRange` starts): what every live request reads first, in one round trip.
    static let settingsAndStatus = PGStatement(name: "live_settings_status", sql: """
        SELECT \(TenantSettings.columns),
               EXISTS (SELECT 1 FROM live_states WHERE tenant_id = $1 AND as_of = $2),
               EXISTS (SELECT 1 FROM live_changes WHERE tenant_id = $1 AND as_of = $2),
               (SELECT min(as_of) FROM snapshots WHERE tenant_id = $1 AND scenario = '')
        FROM tenants t LEFT JOIN policies p ON p.tenant_id = t.tenant_id
        WHERE t.tenant_id = $1
        """)

    static let status = """
        SELECT EXISTS (SELECT 1 FROM live_states WHERE tenant_id = $1 AND as_of = $2),
               EXISTS (SELECT 1 FROM live_changes WHERE tenant_id = $1 AND as_of = $2)
        """

    // MARK: Building a state whole

    /// Every pair of the tenant, into an analysed temporary table the other levels are summed from.
    /// CREATE TABLE AS takes no bind parameters: the caller renders `$1` and `$2` from typed values.
    static let buildPairs = "CREATE TEMPORARY TABLE live_build ON COMMIT DROP AS SELECT * FROM (\(EngineSQL.pairFigures(restricted: false))) p"

    static let storePairs = """
        INSERT INTO live_pairs (tenant_id, as_of, client_id, debtor_id, \(pairColumns))
        SELECT $1, $2, client_id, debtor_id, \(pairColumns) FROM live_build
        """

    /// Every debtor of the tenant with its sums (zeros when it has no pair), with its group and country.
    static let buildDebtors = """
        CREATE TEMPORARY TABLE live_build_debtors ON COMMIT DROP AS
        SELECT de.debtor_id, de.country, coalesce(de.group_ref, de.debtor_ref) AS group_ref,
               coalesce(x.gross, 0) AS gross, coalesce(x.eligible, 0) AS eligible, coalesce(x.guaranteed, 0) AS guaranteed,
               coalesce(x.covered, 0) AS covered, coalesce(x.risk_weighted, 0) AS risk_weighted, coalesce(x.clients, 0) AS clients
        FROM debtors de
        LEFT JOIN (
            SELECT debtor_id, sum(gross) AS gross, sum(eligible) AS eligible, sum(guaranteed) AS guaranteed, sum(covered) AS covered,
                   sum(risk_weighted) AS risk_weighted, count(*) FILTER (WHERE gross <> 0 OR approved > 0) AS clients
            FROM live_build GROUP BY debtor_id
        ) x ON x.debtor_id = de.debtor_id
        WHERE de.tenant_id = $1
        """

    static let storeLevels = [
        """
        INSERT INTO live_debtors (tenant_id, as_of, debtor_id, group_ref, country, gross, eligible, guaranteed, covered, risk_weighted,
                                  clients)
        SELECT $1, $2, debtor_id, group_ref, country, gross, eligible, guaranteed, covered, risk_weighted, clients FROM live_build_debtors
        """,
        """
        INSERT INTO live_groups (tenant_id, as_of, group_ref, debtors, guaranteed, covered)
        SELECT $1, $2, group_ref, count(*), sum(guaranteed), sum(covered) FROM live_build_debtors GROUP BY group_ref
        """,
        """
        INSERT INTO live_countries (tenant_id, as_of, country, debtors, gross, guaranteed, covered)
        SELECT $1, $2, country, count(*), sum(gross), sum(guaranteed), sum(covered) FROM live_build_debtors GROUP BY country
        """,
        """
        INSERT INTO live_states (tenant_id, as_of, gross, eligible, guaranteed, covered, risk_weighted, documents)
        SELECT $1, $2, coalesce(sum(gross), 0), coalesce(sum(eligible), 0), coalesce(sum(guaranteed), 0), coalesce(sum(covered), 0),
               coalesce(sum(risk_weighted), 0), coalesce(sum(documents), 0)
        FROM live_build
        """,
    ]

    /// How many live states a tenant keeps: a build beyond them drops the least recently used.
    static let keptStates = 3

    /// The dates of the tenant's states beyond the `$2` most recently used, which are dropped.
    static let evicted = """
        SELECT as_of FROM live_states WHERE tenant_id = $1
        ORDER BY used_at DESC, as_of DESC OFFSET $2
        """

    /// Marks a state used, for the eviction of the least recently used. At most once a minute per
    /// state, so that reads leave few row versions behind (and rarely wait for a refresher's row lock).
    static let touch = PGStatement(name: "live_touch", sql: """
        UPDATE live_states SET used_at = now()
        WHERE tenant_id = $1 AND as_of = $2 AND used_at < now() - interval '1 minute'
        """)

    // MARK: Refreshing the pairs that changed

    static let lockState = "SELECT 1 FROM live_states WHERE tenant_id = $1 AND as_of = $2 FOR UPDATE"

    static let takeChanges = "DELETE FROM live_changes WHERE tenant_id = $1 AND as_of = $2 RETURNING client_id, debtor_id"

    /// A writer's: every state of the tenant, locked in date order (as every writer takes them).
    static let lockStates = "SELECT as_of FROM live_states WHERE tenant_id = $1 ORDER BY as_of FOR UPDATE"

    /// A writer's: the changes other writers left for any state, which it applies with its own.
    static let takeAllChanges = "DELETE FROM live_changes WHERE tenant_id = $1 RETURNING as_of, client_id, debtor_id"

    /// Moves a state by the pairs `$3`, `$4` name (client ids, debtor ids), in one statement and
    /// without temporary tables: their rows as stored (`old`) are replaced by their rows from the
    /// documents and approvals as they are now (`new`, an upsert; a pair that no longer has a row is
    /// deleted, `gone`), and the debtors, groups, countries and the state move by the difference
    /// (`delta`: the old rows counted negatively, the new ones positively). Every sub-statement sees
    /// the rows as they were before the statement, so `old` is read before anything is written.
    /// Prepared: planning it costs more than running it for the few pairs of a write.
    static let movePairs = PGStatement(name: "live_move_pairs", sql: """
        WITH old AS (
            SELECT debtor_id, approved, gross, eligible, guaranteed, covered, risk_weighted, documents FROM live_pairs
            WHERE tenant_id = $1 AND as_of = $2 AND (client_id, debtor_id) IN (SELECT * FROM unnest($3::bigint[], $4::bigint[]))
        ), new AS (
            INSERT INTO live_pairs (tenant_id, as_of, client_id, debtor_id, \(pairColumns))
            SELECT $1, $2, client_id, debtor_id, \(pairColumns) FROM (\(EngineSQL.pairFigures(restricted: true))) p
            ON CONFLICT (tenant_id, as_of, client_id, debtor_id) DO UPDATE SET
                \(pairColumns.split(separator: ", ").map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            RETURNING client_id, debtor_id, approved, gross, eligible, guaranteed, covered, risk_weighted, documents
        ), gone AS (
            DELETE FROM live_pairs
            WHERE tenant_id = $1 AND as_of = $2 AND (client_id, debtor_id) IN (SELECT * FROM unnest($3::bigint[], $4::bigint[]))
              AND (client_id, debtor_id) NOT IN (SELECT client_id, debtor_id FROM new)
        ), delta AS (
            SELECT debtor_id, -gross AS gross, -eligible AS eligible, -guaranteed AS guaranteed, -covered AS covered,
                   -risk_weighted AS risk_weighted, -(gross <> 0 OR approved > 0)::int AS clients, -documents AS documents
            FROM old
            UNION ALL
            SELECT debtor_id, gross, eligible, guaranteed, covered, risk_weighted, (gross <> 0 OR approved > 0)::int, documents FROM new
        ), debtor_delta AS (
            SELECT x.debtor_id, de.country, coalesce(de.group_ref, de.debtor_ref) AS group_ref, sum(x.gross) AS gross,
                   sum(x.eligible) AS eligible, sum(x.guaranteed) AS guaranteed, sum(x.covered) AS covered,
                   sum(x.risk_weighted) AS risk_weighted, sum(x.clients) AS clients
            FROM delta x JOIN debtors de ON de.tenant_id = $1 AND de.debtor_id = x.debtor_id
            GROUP BY x.debtor_id, de.country, coalesce(de.group_ref, de.debtor_ref)
        ), debtors_moved AS (
            UPDATE live_debtors l SET gross = l.gross + x.gross, eligible = l.eligible + x.eligible, guaranteed = l.guaranteed + x.guaranteed,
                   covered = l.covered + x.covered, risk_weighted = l.risk_weighted + x.risk_weighted, clients = l.clients + x.clients
            FROM debtor_delta x
            WHERE l.tenant_id = $1 AND l.as_of = $2 AND l.debtor_id = x.debtor_id
        ), groups_moved AS (
            UPDATE live_groups l SET guaranteed = l.guaranteed + x.guaranteed, covered = l.covered + x.covered
            FROM (SELECT group_ref, sum(guaranteed) AS guaranteed, sum(covered) AS covered FROM debtor_delta GROUP BY group_ref) x
            WHERE l.tenant_id = $1 AND l.as_of = $2 AND l.group_ref = x.group_ref
        ), countries_moved AS (
            UPDATE live_countries l SET gross = l.gross + x.gross, guaranteed = l.guaranteed + x.guaranteed, covered = l.covered + x.covered
            FROM (SELECT country, sum(gross) AS gross, sum(guaranteed) AS guaranteed, sum(covered) AS covered
                  FROM debtor_delta GROUP BY country) x
            WHERE l.tenant_id = $1 AND l.as_of = $2 AND l.country = x.country
        )
        UPDATE live_states l SET gross = l.gross + x.gross, eligible = l.eligible + x.eligible, guaranteed = l.guaranteed + x.guaranteed,
               covered = l.covered + x.covered, risk_weighted = l.risk_weighted + x.risk_weighted,
               documents = l.documents + x.documents, refreshed_at = now()
        FROM (SELECT coalesce(sum(gross), 0) AS gross, coalesce(sum(eligible), 0) AS eligible, coalesce(sum(guaranteed), 0) AS guaranteed,
                     coalesce(sum(covered), 0) AS covered, coalesce(sum(risk_weighted), 0) AS risk_weighted,
                     coalesce(sum(documents), 0) AS documents
              FROM delta) x
        WHERE l.tenant_id = $1 AND l.as_of = $2
        """)

    // MARK: Reading

    /// The pair columns read back, last in each row (`cl` the pair's client, `de` its debtor, `lp` its live row).
    static let pairSelectList = RiskReport.PairRow.columns.map {
        $0.selectSQL(!$0.info.isKey ? "lp." : $0.info.name == "client_ref" ? "cl." : "de.")
    }.joined(separator: ", ")

    /// A debtor's sums (with §8.4's days past due, from its live pairs' `owed_days`), its credit limit
    /// in force and next pending change (§9.1, §9.2) and its credit insurance (§9.3), with the sums of
    /// its group, its country and the tenant, its country's risk, and its pairs: one row per pair
    /// (one row with null pair columns when it has none).
    static let debtorExposure = PGStatement(name: "live_debtor_exposure", sql: """
        SELECT de.debtor_ref, de.country, de.group_ref, coalesce(li.new_limit, de.credit_limit) AS credit_limit,
               lpend.new_limit AS pending_limit, lpend.effective_on AS pending_on,
               ins.insurer, ins.insured_limit, ins.cover_bp AS insurance_cover_bp, ins.valid_from AS insurance_valid_from,
               ins.valid_to AS insurance_valid_to,
               ld.gross, ld.eligible, ld.guaranteed, ld.covered, ld.risk_weighted, ld.clients,
               -- Every pair whose approval in force is above 0 has a live row.
               (SELECT coalesce(sum(p.approved), 0)::bigint FROM live_pairs p WHERE p.tenant_id = $1 AND p.as_of = $2
                   AND p.debtor_id = de.debtor_id) AS approved_total,
               (SELECT CASE WHEN coalesce(sum(p.gross + p.credit_notes), 0) = 0 THEN NULL
                            ELSE div(sum(p.owed_days), sum(p.gross + p.credit_notes))::bigint END
                FROM live_pairs p WHERE p.tenant_id = $1 AND p.as_of = $2 AND p.debtor_id = de.debtor_id) AS past_due_days,
               lg.debtors AS group_debtors, lg.guaranteed AS group_guaranteed, lg.covered AS group_covered,
               -- §9.3: the group's net loss, from its debtors' covered and their insurance.
               (SELECT coalesce(sum(x.covered - div(CASE WHEN i.valid_from <= $2 AND (i.valid_to IS NULL OR $2 <= i.valid_to)
                                                         THEN least(x.covered, i.insured_limit) ELSE 0 END::numeric
                                                    * coalesce(i.cover_bp, 0), 10000)), 0)::bigint
                FROM live_debtors x LEFT JOIN insurance i ON i.tenant_id = $1 AND i.debtor_id = x.debtor_id
                WHERE x.tenant_id = $1 AND x.as_of = $2 AND x.group_ref = ld.group_ref) AS group_net_loss,
               lc.debtors AS country_debtors, lc.gross AS country_gross, lc.guaranteed AS country_guaranteed,
               lc.covered AS country_covered, co.grade, co.embargoed, co.explicit_limit, st.guaranteed AS tenant_guaranteed,
               \(pairSelectList)
        FROM debtors de
        JOIN live_states st ON st.tenant_id = $1 AND st.as_of = $2
        JOIN live_debtors ld ON ld.tenant_id = $1 AND ld.as_of = $2 AND ld.debtor_id = de.debtor_id
        JOIN live_groups lg ON lg.tenant_id = $1 AND lg.as_of = $2 AND lg.group_ref = ld.group_ref
        JOIN live_countries lc ON lc.tenant_id = $1 AND lc.as_of = $2 AND lc.country = ld.country
        LEFT JOIN countries co ON co.tenant_id = $1 AND co.country = ld.country
        -- §9.1 and §9.2: the debtor's credit limit in force on the date and its next pending change.
        LEFT JOIN LATERAL (
            SELECT l.new_limit FROM limit_changes l
            WHERE l.tenant_id = $1 AND l.debtor_id = de.debtor_id AND l.client_id IS NULL AND l.effective_on <= $2
            ORDER BY l.effective_on DESC, l.announced_on DESC, l.change_ref COLLATE "C" DESC LIMIT 1
        ) li ON true
        LEFT JOIN LATERAL (
            SELECT l.new_limit, l.effective_on FROM limit_changes l
            WHERE l.tenant_id = $1 AND l.debtor_id = de.debtor_id AND l.client_id IS NULL AND l.announced_on <= $2
              AND l.effective_on > $2
            ORDER BY l.effective_on, l.announced_on DESC, l.change_ref COLLATE "C" DESC LIMIT 1
        ) lpend ON true
        LEFT JOIN insurance ins ON ins.tenant_id = $1 AND ins.debtor_id = de.debtor_id
        LEFT JOIN live_pairs lp ON lp.tenant_id = $1 AND lp.as_of = $2 AND lp.debtor_id = de.debtor_id
        LEFT JOIN clients cl ON cl.tenant_id = $1 AND cl.client_id = lp.client_id
        WHERE de.tenant_id = $1 AND de.debtor_ref = $3
        ORDER BY cl.client_ref COLLATE "C"
        """)

    /// §8 of one client (`$3`, its client_id): the sums `ClientActivity` holds, by the recalculation's SQL.
    static let clientActivity = PGStatement(name: "live_client_activity", sql: EngineSQL.clientActivity)

    /// A client's attributes and its pairs: one row per pair (one with null pair columns when it has none).
    static let clientPairs = PGStatement(name: "live_client_pairs", sql: """
        SELECT cl.client_id, cl.client_ref, cl.country, cl.mode, cl.annual_revenue, cl.financial_grade, cl.holdback_bp,
               cl.funding_limit, cl.funded_balance, cl.group_ref,
               \(pairSelectList)
        FROM clients cl
        LEFT JOIN live_pairs lp ON lp.tenant_id = $1 AND lp.as_of = $2 AND lp.client_id = cl.client_id
        LEFT JOIN debtors de ON de.tenant_id = $1 AND de.debtor_id = lp.debtor_id
        WHERE cl.tenant_id = $1 AND cl.client_ref = $3
        ORDER BY de.debtor_ref COLLATE "C"
        """)
}
