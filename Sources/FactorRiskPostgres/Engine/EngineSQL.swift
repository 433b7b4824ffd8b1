import FactorRiskCore

/// The production engine's statement: RULEBOOK.md §4 and §6, set-based inside PostgreSQL.
///
/// One statement takes `$1` = tenant id and `$2` = as-of date and writes every level of the
/// snapshot. The pairs are computed once from the documents, in one grouped pass (the
/// classification of §4.1 splits into what is known per document — disputed, aged — and what is
/// known per pair — affiliate, embargo, approval), and kept in memory; clients, debtors, groups,
/// countries and the portfolio are summed from them, and each level is written by its own
/// data-modifying CTE. Only the portfolio's `missing_fx` reads the documents again, for those
/// without a rate. The reference engine in FactorRiskCore is the same rulebook in plain Swift;
/// tests hold the two to the same figures.
enum EngineSQL {
    /// Every snapshot table, deleted before a recalculation writes the date anew.
    static let tables = ["snapshots", "snapshot_pairs", "snapshot_clients", "snapshot_debtors", "snapshot_groups", "snapshot_countries"]

    /// The tenant's policy, base currency and home country: a CTE every query of the engine starts from.
    static let settings = """
        settings AS MATERIALIZED (
            SELECT p.*, t.base_currency, t.home_country, t.own_funds, cu.exponent AS base_exponent,
                   coalesce(p.confidential_min_revenue, 15000000 * 10::bigint ^ cu.exponent) AS min_revenue
            FROM tenants t
            JOIN currencies cu ON cu.currency = t.base_currency
            LEFT JOIN policies p ON p.tenant_id = t.tenant_id
            WHERE t.tenant_id = $1
        )
        """

    /// §2 fx(amount, cur, D): the currencies a document can be converted from on D, each with the
    /// factor that takes its minor units to base minor units (the latest rate on or before D, scaled
    /// by the difference of exponents), NULL for the base currency itself. A currency without a rate
    /// is absent: its documents are left out (`data_quality.missing_fx`).
    static let rates = """
        rates AS MATERIALIZED (
            SELECT cu.currency,
                   CASE WHEN cu.currency = s.base_currency THEN NULL
                        ELSE r.rate * 10::numeric ^ (s.base_exponent - cu.exponent) END AS factor
            FROM currencies cu
            CROSS JOIN settings s
            LEFT JOIN (
                SELECT DISTINCT ON (currency) currency, rate FROM fx_rates
                WHERE tenant_id = $1 AND as_of <= $2 ORDER BY currency, as_of DESC
            ) r ON r.currency = cu.currency
            WHERE cu.currency = s.base_currency OR r.rate IS NOT NULL
        )
        """

    /// A document's open amount in base minor units, for a row of `documents d` joined to `rates r`.
    static let converted = "CASE WHEN r.factor IS NULL THEN d.open_amount ELSE round(d.open_amount * r.factor)::bigint END"

    /// The columns of a pair stored beside its refs (snapshot) or ids (live): its figures as
    /// `RiskReport.PairRow` declares them, and how many documents took part.
    static let pairColumns = RiskReport.PairRow.columns.filter { !$0.info.isKey }.map(\.sqlName).joined(separator: ", ") + ", documents"

    /// §4.1–§4.3: the tenant's pairs, as the `pair_rows` relation every other level is summed from,
    /// and written to the snapshot.
    static let pairRows = """
        pair_rows AS MATERIALIZED (\(pairFigures(restricted: false))),
        stored_pairs AS (
            INSERT INTO snapshot_pairs (tenant_id, as_of, \(RiskReport.PairRow.sqlColumns), documents)
            SELECT $1, $2, \(RiskReport.PairRow.sqlColumns), documents FROM pair_rows ORDER BY client_ref, debtor_ref
        )
        """

    /// §4.1–§4.3: a SELECT of `client_id, debtor_id, client_ref, debtor_ref` and `pairColumns` for the
    /// tenant's pairs, or (`restricted`) for only the pairs `unnest($3::bigint[], $4::bigint[])` names
    /// as (client_id, debtor_id): the live answers recompute just the pairs that changed.
    static func pairFigures(restricted: Bool) -> String {
        let onlyChanged = restricted
            ? "AND (d.client_id, d.debtor_id) IN (SELECT client_id, debtor_id FROM changed)" : ""
        let approvalsOfChanged = restricted
            ? "AND (client_id, debtor_id) IN (SELECT client_id, debtor_id FROM changed)" : ""
        let changed = restricted
            ? "changed AS MATERIALIZED (SELECT * FROM unnest($3::bigint[], $4::bigint[]) AS c (client_id, debtor_id))," : ""
        return """
        WITH \(settings), \(rates), \(changed)
        -- §4: the documents that take part, each with o = fx(open_amount, currency) and its class,
        -- computed once (OFFSET 0 keeps the planner from copying them into every sum): 0 a credit
        -- note; invoices 1 disputed and aged, 2 disputed and not aged, 3 aged and not disputed,
        -- 4 the rest (§4.1 rules 1 and 2).
        sums AS (
            SELECT x.client_id, x.debtor_id,
                   coalesce(sum(x.o) FILTER (WHERE x.class = 0), 0)::bigint AS credit_notes,
                   coalesce(sum(x.o) FILTER (WHERE x.class = 1), 0)::bigint AS disputed_aged,
                   coalesce(sum(x.o) FILTER (WHERE x.class = 2), 0)::bigint AS disputed_fresh,
                   coalesce(sum(x.o) FILTER (WHERE x.class = 3), 0)::bigint AS aged,
                   coalesce(sum(x.o) FILTER (WHERE x.class = 4), 0)::bigint AS rest,
                   count(*) AS documents
            FROM (
                SELECT d.client_id, d.debtor_id, \(converted) AS o,
                       CASE WHEN d.kind = 'credit_note' THEN 0
                            WHEN $2::date - d.issue_date > s.max_days_from_invoice OR $2::date - d.due_date > s.max_days_past_due
                            THEN CASE WHEN d.disputed THEN 1 ELSE 3 END
                            ELSE CASE WHEN d.disputed THEN 2 ELSE 4 END END AS class
                FROM documents d
                CROSS JOIN settings s
                JOIN rates r ON r.currency = d.currency
                WHERE d.tenant_id = $1 AND d.issue_date <= $2 AND d.open_amount <> 0 \(onlyChanged)
                OFFSET 0
            ) x
            GROUP BY x.client_id, x.debtor_id
        ),
        -- §4.3: a pair has a row when a document takes part or its approval is above 0.
        keyed AS (
            SELECT coalesce(x.client_id, a.client_id) AS client_id, coalesce(x.debtor_id, a.debtor_id) AS debtor_id,
                   coalesce(a.approved, 0) AS approved, coalesce(x.credit_notes, 0) AS credit_notes,
                   coalesce(x.disputed_aged + x.disputed_fresh + x.aged + x.rest, 0) AS invoices,
                   coalesce(x.disputed_aged + x.disputed_fresh, 0) AS disputed, coalesce(x.aged, 0) AS aged,
                   coalesce(x.rest, 0) AS rest, coalesce(x.disputed_aged + x.aged, 0) AS old,
                   coalesce(x.documents, 0) AS documents
            FROM sums x
            FULL JOIN (SELECT client_id, debtor_id, approved FROM approvals WHERE tenant_id = $1 \(approvalsOfChanged)) a
                ON a.client_id = x.client_id AND a.debtor_id = x.debtor_id
            WHERE x.client_id IS NOT NULL OR a.approved > 0
        ),
        -- §4.1 rules 3 to 6, which depend on the pair alone, and §4.2 cross-ageing: each figure is
        -- computed once from the one before it, every step fenced by OFFSET 0 like the documents.
        classified AS (
            SELECT k.*, cl.client_ref, de.debtor_ref,
                   CASE WHEN de.group_ref IS NOT NULL AND de.group_ref = cl.group_ref THEN 'affiliate'
                        WHEN coalesce(co.embargoed, false) THEN 'embargo'
                        WHEN k.approved = 0 THEN 'unapproved'
                        ELSE 'eligible' END AS reason,
                   k.old::numeric * 10000 > s.cross_age_bp::numeric * k.invoices AS cross_aged,
                   CASE WHEN de.country = s.home_country THEN s.cover_domestic_bp ELSE s.cover_foreign_bp END AS cover_bp,
                   CASE cl.mode WHEN 'notified' THEN s.weight_notified_bp WHEN 'delegated' THEN s.weight_delegated_bp
                        ELSE s.weight_confidential_bp END AS weight_bp
            FROM (SELECT * FROM keyed OFFSET 0) k
            CROSS JOIN settings s
            JOIN clients cl ON cl.tenant_id = $1 AND cl.client_id = k.client_id
            JOIN debtors de ON de.tenant_id = $1 AND de.debtor_id = k.debtor_id
            LEFT JOIN countries co ON co.tenant_id = $1 AND co.country = de.country
            OFFSET 0
        ),
        eligible AS (
            SELECT c.*, greatest(0, CASE WHEN c.reason = 'eligible' AND NOT c.cross_aged THEN c.rest ELSE 0 END - c.credit_notes) AS eligible
            FROM classified c OFFSET 0
        ),
        guaranteed AS (SELECT e.*, least(e.eligible, e.approved) AS guaranteed FROM eligible e OFFSET 0),
        covered AS (SELECT g.*, div(g.guaranteed::numeric * g.cover_bp, 10000)::bigint AS covered FROM guaranteed g OFFSET 0)
        SELECT v.client_id, v.debtor_id, v.client_ref, v.debtor_ref, v.approved, v.invoices - v.credit_notes AS gross,
               v.credit_notes, v.disputed AS ineligible_disputed, v.aged AS ineligible_aged,
               CASE WHEN v.reason = 'affiliate' THEN v.rest ELSE 0 END AS ineligible_affiliate,
               CASE WHEN v.reason = 'embargo' THEN v.rest ELSE 0 END AS ineligible_embargo,
               CASE WHEN v.reason = 'unapproved' THEN v.rest ELSE 0 END AS ineligible_unapproved,
               CASE WHEN v.reason = 'eligible' AND v.cross_aged THEN v.rest ELSE 0 END AS ineligible_cross_aged,
               v.eligible, v.guaranteed, v.eligible - v.guaranteed AS over_approval, v.cover_bp, v.covered,
               div(v.covered::numeric * v.weight_bp, 10000)::bigint AS risk_weighted, v.cross_aged, v.documents
        FROM covered v
        """
    }

    /// §4.4: clients, their pairs summed, the funding waterfall, the client flags of §6 and the tier
    /// of §4.10, written to the snapshot.
    static let clients = """
        client_sums AS (
            SELECT client_ref, sum(gross)::bigint AS gross, sum(credit_notes)::bigint AS credit_notes, sum(eligible)::bigint AS eligible,
                   sum(over_approval)::bigint AS over_approval, sum(guaranteed)::bigint AS guaranteed, sum(covered)::bigint AS covered,
                   sum(risk_weighted)::bigint AS risk_weighted, sum(ineligible_disputed)::bigint AS disputed,
                   sum(ineligible_aged)::bigint AS aged, sum(ineligible_affiliate)::bigint AS affiliate,
                   sum(ineligible_embargo)::bigint AS embargo, sum(ineligible_unapproved)::bigint AS unapproved,
                   sum(ineligible_cross_aged)::bigint AS cross_aged_sum,
                   bool_or(cross_aged) AS any_cross_aged
            FROM pair_rows GROUP BY client_ref
        ),
        capped AS (
            SELECT cl.client_ref, cl.mode, cl.annual_revenue, cl.financial_grade, cl.holdback_bp, cl.funding_limit,
                   cl.funded_balance,
                   coalesce(x.gross, 0) AS gross, coalesce(x.credit_notes, 0) AS credit_notes, coalesce(x.eligible, 0) AS eligible,
                   coalesce(x.over_approval, 0) AS over_approval, coalesce(x.guaranteed, 0) AS guaranteed,
                   coalesce(x.covered, 0) AS covered, coalesce(x.risk_weighted, 0) AS risk_weighted,
                   coalesce(x.disputed, 0) AS disputed, coalesce(x.aged, 0) AS aged, coalesce(x.affiliate, 0) AS affiliate,
                   coalesce(x.embargo, 0) AS embargo, coalesce(x.unapproved, 0) AS unapproved,
                   coalesce(x.cross_aged_sum, 0) AS cross_aged_sum, coalesce(x.any_cross_aged, false) AS any_cross_aged,
                   div(coalesce(x.eligible, 0)::numeric * (CASE cl.mode WHEN 'notified' THEN s.concentration_cap_notified_bp
                         WHEN 'delegated' THEN s.concentration_cap_delegated_bp ELSE s.concentration_cap_confidential_bp END),
                         10000)::bigint AS cap,
                   cl.mode = 'confidential' AND cl.annual_revenue < s.min_revenue AS below_revenue,
                   cl.mode = 'confidential' AND cl.financial_grade > s.confidential_max_grade AS weak_financials
            FROM clients cl CROSS JOIN settings s LEFT JOIN client_sums x ON x.client_ref = cl.client_ref
            WHERE cl.tenant_id = $1
        ),
        excess AS (
            SELECT p.client_ref, sum(greatest(0, p.guaranteed - c.cap))::bigint AS excess
            FROM pair_rows p JOIN capped c ON c.client_ref = p.client_ref GROUP BY p.client_ref
        ),
        stored_clients AS (
            INSERT INTO snapshot_clients (tenant_id, as_of, \(RiskReport.ClientRow.sqlColumns))
            SELECT $1, $2, \(RiskReport.ClientRow.sqlColumns) FROM (
            SELECT c.client_ref, c.mode, c.gross, c.credit_notes, c.eligible, c.over_approval, c.guaranteed, c.covered,
                   c.risk_weighted, c.disputed AS ineligible_disputed, c.aged AS ineligible_aged, c.affiliate AS ineligible_affiliate,
                   c.embargo AS ineligible_embargo, c.unapproved AS ineligible_unapproved, c.cross_aged_sum AS ineligible_cross_aged,
                   c.cap AS concentration_cap, w.excess AS concentration_excess, w.fundable, w.holdback, w.capacity AS funding_capacity,
                   c.funded_balance, w.capacity - c.funded_balance AS availability,
                   least(4, CASE WHEN c.financial_grade <= 3 THEN 1 WHEN c.financial_grade <= 6 THEN 2
                                 WHEN c.financial_grade <= 8 THEN 3 ELSE 4 END
                            + (c.mode = 'confidential')::int + (c.below_revenue OR c.weak_financials)::int
                            + (w.capacity - c.funded_balance < 0)::int) AS tier,
                   array_remove(ARRAY[
                       CASE WHEN c.mode = 'confidential' THEN 'CONFIDENTIAL_MODE' END,
                       CASE WHEN c.mode = 'delegated' THEN 'DELEGATED_COLLECTION' END,
                       CASE WHEN c.below_revenue THEN 'CONFIDENTIAL_BELOW_REVENUE' END,
                       CASE WHEN c.weak_financials THEN 'CONFIDENTIAL_WEAK_FINANCIALS' END,
                       CASE WHEN w.excess > 0 THEN 'CONCENTRATION_EXCESS' END,
                       CASE WHEN c.any_cross_aged THEN 'CROSS_AGED' END,
                       CASE WHEN w.capacity - c.funded_balance < 0 THEN 'OVER_ADVANCE' END], NULL) AS flags
            FROM capped c
            LEFT JOIN excess x ON x.client_ref = c.client_ref
            CROSS JOIN LATERAL (SELECT coalesce(x.excess, 0) AS excess, c.guaranteed - coalesce(x.excess, 0) AS fundable) f
            CROSS JOIN LATERAL (SELECT div(f.fundable::numeric * c.holdback_bp, 10000)::bigint AS holdback) h
            CROSS JOIN LATERAL (
                SELECT f.excess, f.fundable, h.holdback, least(f.fundable - h.holdback, c.funding_limit) AS capacity
            ) w
            ) r
            ORDER BY client_ref
        )
        """

    /// §4.5: every debtor of the tenant with the sums of its pairs and approvals, its group (its own
    /// reference when it has none) and its country: the `debtor_rows` relation groups and countries
    /// are summed from.
    static let debtorRows = """
        debtor_rows AS MATERIALIZED (
            SELECT de.debtor_ref, de.country, coalesce(de.group_ref, de.debtor_ref) AS group_ref, de.credit_limit,
                   coalesce(x.gross, 0) AS gross, coalesce(x.eligible, 0) AS eligible, coalesce(x.guaranteed, 0) AS guaranteed,
                   coalesce(x.covered, 0) AS covered, coalesce(x.risk_weighted, 0) AS risk_weighted,
                   coalesce(a.total, 0) AS approved_total, coalesce(x.clients, 0) AS clients
            FROM debtors de
            LEFT JOIN (
                SELECT debtor_ref, sum(gross)::bigint AS gross, sum(eligible)::bigint AS eligible, sum(guaranteed)::bigint AS guaranteed,
                       sum(covered)::bigint AS covered, sum(risk_weighted)::bigint AS risk_weighted,
                       count(*) FILTER (WHERE gross <> 0 OR approved > 0) AS clients
                FROM pair_rows GROUP BY debtor_ref
            ) x ON x.debtor_ref = de.debtor_ref
            LEFT JOIN (
                SELECT debtor_id, sum(approved)::bigint AS total FROM approvals WHERE tenant_id = $1 GROUP BY debtor_id
            ) a ON a.debtor_id = de.debtor_id
            WHERE de.tenant_id = $1
        )
        """

    /// §4.6: the groups summed from `debtor_rows`, with their flags of §6.
    static let groupRows = """
        group_rows AS MATERIALIZED (
            SELECT d.group_ref, d.debtors, d.guaranteed, d.covered,
                   CASE WHEN s.own_funds = 0 THEN NULL ELSE div(d.guaranteed::numeric * 10000, s.own_funds)::bigint END AS own_funds_bp,
                   l.limit,
                   array_remove(ARRAY[
                       CASE WHEN d.guaranteed > 0 AND d.guaranteed::numeric * 10000 >= s.large_exposure_report_bp::numeric * s.own_funds
                                 AND d.guaranteed <= l.limit THEN 'LARGE_EXPOSURE' END,
                       CASE WHEN d.guaranteed > l.limit THEN 'LARGE_EXPOSURE_BREACH' END], NULL) AS flags
            FROM (
                SELECT group_ref, count(*) AS debtors, sum(guaranteed)::bigint AS guaranteed, sum(covered)::bigint AS covered
                FROM debtor_rows GROUP BY group_ref
            ) d
            CROSS JOIN settings s
            CROSS JOIN LATERAL (SELECT div(s.own_funds::numeric * s.large_exposure_limit_bp, 10000)::bigint AS "limit") l
        )
        """

    /// §4.7: the countries where a debtor of `debtor_rows` is, with their flags of §6 (and P, the
    /// tenant's total guaranteed, that their limits are shares of).
    static let countryRows = """
        portfolio_guaranteed AS MATERIALIZED (SELECT coalesce(sum(guaranteed), 0)::bigint AS p FROM debtor_rows),
        country_rows AS MATERIALIZED (
            SELECT d.country, d.gross, d.guaranteed, d.covered, d.debtors, r.grade, r.embargoed, l.limit,
                   CASE WHEN t.p = 0 THEN NULL ELSE div(d.guaranteed::numeric * 10000, t.p)::bigint END AS share_bp,
                   u.utilization AS utilization_bp, l.limit - d.guaranteed AS headroom,
                   array_remove(ARRAY[
                       CASE WHEN u.utilization >= s.utilization_warn_bp AND d.guaranteed <= l.limit THEN 'COUNTRY_LIMIT_WARN' END,
                       CASE WHEN d.guaranteed > l.limit THEN 'COUNTRY_LIMIT_BREACH' END,
                       CASE WHEN r.embargoed AND d.gross > 0 THEN 'EMBARGO_EXPOSURE' END], NULL) AS flags
            FROM (
                SELECT country, sum(gross)::bigint AS gross, sum(guaranteed)::bigint AS guaranteed, sum(covered)::bigint AS covered,
                       count(*) AS debtors
                FROM debtor_rows GROUP BY country
            ) d
            CROSS JOIN settings s
            CROSS JOIN portfolio_guaranteed t
            LEFT JOIN countries co ON co.tenant_id = $1 AND co.country = d.country
            CROSS JOIN LATERAL (SELECT coalesce(co.grade, s.default_country_grade) AS grade, coalesce(co.embargoed, false) AS embargoed) r
            CROSS JOIN LATERAL (
                SELECT CASE WHEN r.embargoed THEN 0 WHEN co.explicit_limit IS NOT NULL THEN co.explicit_limit
                            ELSE div(t.p::numeric * s.country_cap_bp[r.grade + 1], 10000)::bigint END AS "limit"
            ) l
            CROSS JOIN LATERAL (
                SELECT CASE WHEN l.limit = 0 THEN NULL ELSE div(d.guaranteed::numeric * 10000, l.limit)::bigint END AS utilization
            ) u
        )
        """

    /// §4.5 and §4.8: the debtors' rows, with the debtor flags of §6 and what each can still take,
    /// which needs its group and its country; then the groups and the countries: each level
    /// written to the snapshot.
    static let debtors = """
        stored_debtors AS (
            INSERT INTO snapshot_debtors (tenant_id, as_of, \(RiskReport.DebtorRow.sqlColumns))
            SELECT $1, $2, \(RiskReport.DebtorRow.sqlColumns) FROM (
            SELECT d.debtor_ref, d.country, d.group_ref, d.credit_limit, d.gross, d.eligible, d.guaranteed, d.covered,
                   d.risk_weighted, d.approved_total, d.clients, u.utilization AS utilization_bp, d.credit_limit - d.guaranteed AS headroom,
                   greatest(0, least(d.credit_limit - d.guaranteed, c.headroom, g.limit - g.guaranteed)) AS available_limit,
                   array_remove(ARRAY[
                       CASE WHEN u.utilization >= s.utilization_warn_bp AND d.guaranteed <= d.credit_limit THEN 'DEBTOR_LIMIT_WARN' END,
                       CASE WHEN d.guaranteed > d.credit_limit THEN 'DEBTOR_LIMIT_BREACH' END,
                       CASE WHEN d.approved_total > d.credit_limit THEN 'DEBTOR_OVER_ALLOCATED' END], NULL) AS flags
            FROM debtor_rows d
            JOIN group_rows g ON g.group_ref = d.group_ref
            JOIN country_rows c ON c.country = d.country
            CROSS JOIN settings s
            CROSS JOIN LATERAL (
                SELECT CASE WHEN d.credit_limit = 0 THEN NULL ELSE div(d.guaranteed::numeric * 10000, d.credit_limit)::bigint END AS utilization
            ) u
            ) r
            ORDER BY debtor_ref
        ),
        stored_groups AS (
            INSERT INTO snapshot_groups (tenant_id, as_of, \(RiskReport.GroupRow.sqlColumns))
            SELECT $1, $2, \(RiskReport.GroupRow.sqlColumns) FROM group_rows ORDER BY group_ref
        ),
        stored_countries AS (
            INSERT INTO snapshot_countries (tenant_id, as_of, \(RiskReport.CountryRow.sqlColumns))
            SELECT $1, $2, \(RiskReport.CountryRow.sqlColumns) FROM country_rows ORDER BY country
        )
        """

    /// §4.9: the portfolio, from the pairs and the debtors, and the documents left out for want of a rate.
    static let portfolio = """
        totals AS (
            SELECT coalesce(sum(gross), 0) AS gross, coalesce(sum(eligible), 0) AS eligible, coalesce(sum(guaranteed), 0) AS guaranteed,
                   coalesce(sum(covered), 0) AS covered, coalesce(sum(risk_weighted), 0) AS risk_weighted,
                   coalesce(sum(documents), 0) AS documents
            FROM pair_rows
        ),
        concentration AS (
            SELECT coalesce(sum(covered::numeric * covered), 0) AS squares, coalesce(sum(covered), 0) AS total, count(*) AS debtors
            FROM debtor_rows
        ),
        top10 AS (
            SELECT coalesce(sum(covered), 0) AS covered FROM (SELECT covered FROM debtor_rows ORDER BY covered DESC LIMIT 10) t
        ),
        missing AS (
            SELECT coalesce(array_agg(d.doc_ref ORDER BY d.doc_ref COLLATE "C"), '{}') AS refs
            FROM documents d LEFT JOIN rates r ON r.currency = d.currency
            WHERE d.tenant_id = $1 AND d.issue_date <= $2 AND d.open_amount <> 0 AND r.currency IS NULL
        )
        INSERT INTO snapshots (tenant_id, as_of, \(RiskReport.PortfolioRow.sqlColumns), missing_fx)
        SELECT $1, $2, \(RiskReport.PortfolioRow.sqlColumns), missing_fx FROM (
        SELECT t.gross, t.eligible, t.guaranteed, t.covered, t.risk_weighted,
               CASE WHEN c.total = 0 THEN NULL ELSE div(c.squares * 1000000, c.total::numeric * c.total) END AS hhi_ppm,
               CASE WHEN c.total = 0 THEN NULL ELSE div(top10.covered * 10000, c.total) END AS top10_share_bp,
               (SELECT count(*) FROM clients WHERE tenant_id = $1) AS clients, c.debtors, t.documents, m.refs AS missing_fx
        FROM totals t, concentration c, top10, missing m
        ) r
        """

    /// The recalculation of a tenant as of a date: every level computed and written in one
    /// statement (each `stored_…` CTE runs once, whether or not anything reads it).
    static let recalculation = """
        WITH \(settings), \(rates), \(pairRows), \(clients), \(debtorRows), \(groupRows), \(countryRows), \(debtors), \(portfolio)
        """
}
