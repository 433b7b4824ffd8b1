import FactorRiskCore

/// The production engine's statement: RULEBOOK.md §4, §6, §8 and §9, set-based inside PostgreSQL.
///
/// One statement takes `$1` = tenant id and `$2` = as-of date (and a what-if scenario of §9.4 as
/// `$3`–`$6`, see `recalculation`) and writes every level of the snapshot. The documents issued by
/// D are read once, open or closed, in one pass grouped in memory per pair (`documentSums`): the
/// classification of §4.1 splits into what is known per document — paid, disputed, undeposited,
/// aged, from its own columns, its event dates among them (migration 0012) — and what is known per pair —
/// affiliate, embargo, approval —, and the same pass gives §8's dilution window, new debtors,
/// round invoices, weighted days past due and `missing_fx`. The pairs are kept in memory; clients,
/// debtors, groups, countries and the portfolio are summed from them (clients with their cash,
/// from collections and remittances), and each level is written by its own data-modifying CTE.
/// The pairs where two documents have the same amount come from the pair index, read in order;
/// only their invoices are read again, by pair, for duplicate suspects (§8.3). One more read of
/// the documents remains: those of the collections (their client and currency, §8.2). The limits in force and pending (§9.1, §9.2)
/// come from `limit_changes`, one DISTINCT ON per kind of limit, and credit insurance (§9.3) is
/// joined to the debtors. A what-if scenario (§9.4) is the same statement with other parameters.
/// The reference engine in FactorRiskCore is the same rulebook in plain Swift; tests hold the two
/// to the same figures.
enum EngineSQL {
    /// Every snapshot table, whose rows of the date and variant a recalculation deletes before it writes them anew.
    static let tables = ["snapshots", "snapshot_pairs", "snapshot_clients", "snapshot_debtors", "snapshot_group_totals", "snapshot_countries"]

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

    /// `fx(amount)` of §2 for an amount column of a row joined to `currency_terms t` (a rated currency).
    static func fx(_ amount: String) -> String { "CASE WHEN t.factor IS NULL THEN \(amount) ELSE round(\(amount) * t.factor)::bigint END" }

    /// The columns of a pair stored beside its refs (snapshot) or ids (live): its figures as
    /// `RiskReport.PairRow` declares them, how many documents took part, and `owed_days` (§8.4:
    /// the sum of `o × max(0, D − due_date)` over its invoices that take part), from which a
    /// debtor's or a client's `past_due_days` is summed.
    static let pairColumns = RiskReport.PairRow.columns.filter { !$0.info.isKey }.map(\.sqlName).joined(separator: ", ")
        + ", documents, owed_days"

    /// Which documents the pair queries read: the tenant's (a live state built whole), the tenant's
    /// but those of the debtors of the groups `$3::text[]` names (the recalculation, under the
    /// defaults of a what-if scenario, §9.4: none for the nightly job), the pairs
    /// `unnest($3::bigint[], $4::bigint[])` names as (client_id, debtor_id) (the live refresh of
    /// the pairs that changed), or those of the client `$3` (a live client answer).
    enum Scope {
        case tenant, scenario, changedPairs, client

        /// The CTE naming the scope's pairs or debtors, when it has one: the changed pairs, or the
        /// debtors of the defaulted groups (a debtor without a group is its own, §4.6).
        var named: String {
            switch self {
            case .tenant, .client: ""
            case .scenario:
                """
                defaulted AS MATERIALIZED (
                    SELECT debtor_id FROM debtors WHERE tenant_id = $1 AND coalesce(group_ref, debtor_ref) = ANY ($3::text[])
                ),
                """
            case .changedPairs: "changed AS MATERIALIZED (SELECT * FROM unnest($3::bigint[], $4::bigint[]) AS c (client_id, debtor_id)),"
            }
        }

        /// A condition on the rows of a table aliased `alias` that carry client_id and debtor_id.
        /// Under a scenario it holds for every row when no group defaults: PostgreSQL plans the
        /// statement with the parameters' values and drops the test, so the nightly job pays nothing for it.
        func pairs(_ alias: String) -> String {
            switch self {
            case .tenant: ""
            case .scenario: "AND (cardinality($3::text[]) = 0 OR \(alias).debtor_id NOT IN (SELECT debtor_id FROM defaulted))"
            case .changedPairs: "AND (\(alias).client_id, \(alias).debtor_id) IN (SELECT client_id, debtor_id FROM changed)"
            case .client: "AND \(alias).client_id = $3"
            }
        }
    }

    /// §2, §4.1 and §8: per pair (client_id, debtor_id), what one read of its documents issued on
    /// or before D gives, open or closed, with a rate or not:
    /// - `currency_terms`: each currency's factor (null for the base currency), whether it has a rate
    ///   on D, and its round modulus (§8.3: `round_unit` whole units in minor units);
    /// - `document_sums`: the sums of §4.1–§4.3 over the documents that take part (each invoice
    ///   under the first reason of rules 1 to 4 that holds, `old` by the age test whatever its
    ///   reason), `owed_days` (§8.4), the pair's first invoice (§8.3 new debtor), the dilution
    ///   window's full amounts (§8.1), round invoices (§8.3) and how many documents are left out
    ///   for want of a rate (`missing_fx`, §4, listed by `missing` only when there are some).
    ///   Every aggregate has a fixed size and none is DISTINCT, so PostgreSQL groups the documents
    ///   in a hash table, and can split the work between processes (partial aggregation): a count
    ///   of distinct amounts or a list of refs here made it sort every document of the tenant
    ///   first (0.4 to 0.5 s of 500,000 documents). Which pairs repeat an amount is
    ///   `repeated_pairs`' business.
    static func documentSums(_ scope: Scope) -> String {
        "\(currencyTerms),\ndocument_sums AS MATERIALIZED (\(documentSumsSelect(scope)))"
    }

    /// Each currency's factor (null for the base currency), whether it has a rate on D, and its
    /// round modulus (§8.3: `round_unit` whole units in minor units).
    static let currencyTerms = """
        currency_terms AS MATERIALIZED (
            SELECT cu.currency, r.factor, r.currency IS NOT NULL AS rated,
                   (s.round_unit * 10::numeric ^ cu.exponent)::bigint AS round_modulus
            FROM currencies cu CROSS JOIN settings s LEFT JOIN rates r ON r.currency = cu.currency
        )
        """

    /// The SELECT of `document_sums`, for a scope. Each document's figures are computed once, in a
    /// subquery PostgreSQL must not merge into the aggregate (it would compute them again for each
    /// aggregate that reads them: 2.5 s instead of 1.4 s on 500,000 documents). `OFFSET 0` keeps
    /// it apart, but also keeps the scan from being split between processes; for the document
    /// pass that may be (`parallel`), a column no one reads, `clock_timestamp()`, keeps it apart
    /// instead (a subquery whose select list calls a volatile function is never merged, and that
    /// one may run in parallel processes).
    static func documentSumsSelect(_ scope: Scope, parallel: Bool = false) -> String {
        """
            SELECT x.client_id, x.debtor_id,
                   coalesce(sum(x.o) FILTER (WHERE x.part AND x.class = 0), 0)::bigint AS credit_notes,
                   coalesce(sum(x.o) FILTER (WHERE x.part AND x.class = 1), 0)::bigint AS paid,
                   coalesce(sum(x.o) FILTER (WHERE x.part AND x.class = 2), 0)::bigint AS disputed,
                   coalesce(sum(x.o) FILTER (WHERE x.part AND x.class = 3), 0)::bigint AS undeposited,
                   coalesce(sum(x.o) FILTER (WHERE x.part AND x.class = 4), 0)::bigint AS aged,
                   coalesce(sum(x.o) FILTER (WHERE x.part AND x.class = 5), 0)::bigint AS rest,
                   coalesce(sum(x.o) FILTER (WHERE x.part AND x.class > 0 AND x.old), 0)::bigint AS old,
                   coalesce(sum(x.o::numeric * ($2::date - x.due_date)) FILTER (WHERE x.part AND x.class > 0 AND x.due_date < $2), 0)
                       AS owed_days,
                   count(*) FILTER (WHERE x.part) AS documents,
                   min(x.issue_date) FILTER (WHERE x.class > 0) AS first_invoice,
                   coalesce(sum(x.a) FILTER (WHERE x.class > 0), 0)::bigint AS invoiced_window,
                   coalesce(sum(x.a) FILTER (WHERE x.class = 0), 0)::bigint AS credited_window,
                   count(*) FILTER (WHERE x.class > 0 AND x.round IS NOT NULL) AS round_invoices,
                   count(*) FILTER (WHERE x.class > 0 AND x.round) AS round_amount_invoices,
                   -- §4: how many have no rate and are open or in the dilution window (listed by `missing`).
                   count(*) FILTER (WHERE NOT x.rated AND (x.open OR x.in_window)) AS missing_fx
            FROM (
                SELECT \(parallel ? "clock_timestamp() AS apart, " : "")d.client_id, d.debtor_id, d.issue_date, d.due_date, t.rated,
                       d.open_amount <> 0 AS open,
                       d.issue_date > $2::date - s.dilution_window_days AS in_window, t.rated AND d.open_amount <> 0 AS part,
                       CASE WHEN t.rated THEN \(fx("d.open_amount")) END AS o,
                       -- §8.1: the full amount of a document of the dilution window with a rate.
                       CASE WHEN t.rated AND d.issue_date > $2::date - s.dilution_window_days THEN \(fx("d.amount")) END AS a,
                       -- §8.3: in the round window, whether the amount is round (null outside it).
                       CASE WHEN d.issue_date > $2::date - s.round_window_days THEN d.amount % t.round_modulus = 0 END AS round,
                       $2::date - d.issue_date > s.max_days_from_invoice OR $2::date - d.due_date > s.max_days_past_due AS old,
                       CASE WHEN d.kind = 'credit_note' THEN 0
                            -- Rules 1 to 3 from the document's event dates: paid by D − remittance_days
                            -- (and by D), refused by D, deposited by D while rule 3 is on.
                            WHEN d.paid_on <= $2 AND d.paid_on <= $2::date - s.remittance_days THEN 1
                            WHEN d.disputed OR d.refused_on <= $2 THEN 2
                            WHEN s.deposit_days IS NOT NULL AND NOT coalesce(d.deposited_on <= $2, false)
                                 AND $2::date - d.issue_date > s.deposit_days THEN 3
                            WHEN $2::date - d.issue_date > s.max_days_from_invoice OR $2::date - d.due_date > s.max_days_past_due THEN 4
                            ELSE 5 END AS class
                FROM documents d
                CROSS JOIN settings s
                JOIN currency_terms t ON t.currency = d.currency
                WHERE d.tenant_id = $1 AND d.issue_date <= $2 \(scope.pairs("d"))
                \(parallel ? "" : "OFFSET 0")
            ) x
            GROUP BY x.client_id, x.debtor_id
        """
    }

    /// The temporary table the recalculation's pass over the documents is written to, which the
    /// recalculation statement reads as `document_sums`.
    static let documentSumsTable = "recalc_document_sums"

    /// The recalculation's pass over the documents (`document_sums` of the scenario scope, `$1`
    /// tenant, `$2` date, `$3` defaulted groups) as a statement of its own, into `documentSumsTable`.
    /// A statement that writes (the recalculation, with its data-modifying CTEs) never runs in
    /// parallel; this one creates a table from a query, which PostgreSQL may split between
    /// processes: each scans part of the documents and groups it (partial aggregation), and the
    /// groups are combined. Its CTEs are inlined (NOT MATERIALIZED) because the scan of a
    /// materialized CTE is not allowed in those processes. A large tenant alone uses every core
    /// this way; `recalc --all` runs tenants side by side, each in one statement.
    static let documentPass = """
        CREATE TEMPORARY TABLE \(documentSumsTable) AS
        WITH \(settings), \(rates), \(Scope.scenario.named) \(currencyTerms)
        """.replacing(" AS MATERIALIZED (", with: " AS NOT MATERIALIZED (")
        + "\n\(documentSumsSelect(.scenario, parallel: true))"

    /// §8.3 duplicate suspects per client: its open invoices issued ≤ D with a twin (same debtor,
    /// currency and amount, another doc_ref, issued ≤ D at most `duplicate_days` before or after).
    /// Only a pair where two documents have the same amount can hold one: `repeated_pairs` (any
    /// kind, any date, any currency: more pairs than can hold a suspect, never fewer) reads the
    /// pair index (tenant_id, debtor_id, client_id, amount) in its order, pair by pair, with no
    /// sort. Those pairs' invoices are read again by the same index, and the nearest twin of each
    /// is a neighbour in the order of issue within its (currency, amount). Measured on 500,000
    /// documents where few pairs repeat an amount: 0.01 s for the second read, against 0.65 to 1 s
    /// for grouping every invoice by pair, currency and amount. A book where most pairs repeat
    /// amounts reads most invoices again, by index.
    static func duplicates(_ scope: Scope) -> String {
        """
        repeated_pairs AS MATERIALIZED (
            SELECT d.client_id, d.debtor_id
            FROM documents d
            WHERE d.tenant_id = $1 \(scope.pairs("d"))
            GROUP BY d.debtor_id, d.client_id
            HAVING count(DISTINCT d.amount) < count(*)
        ),
        duplicate_counts AS (
            SELECT w.client_id, count(*) AS duplicate_suspects
            FROM (
                SELECT i.client_id, i.open, i.issue_date, lag(i.issue_date) OVER same AS previous, lead(i.issue_date) OVER same AS next
                FROM repeated_pairs p
                CROSS JOIN LATERAL (
                    SELECT d.client_id, d.debtor_id, d.currency, d.amount, d.issue_date, d.open_amount > 0 AS open
                    FROM documents d
                    WHERE d.tenant_id = $1 AND d.debtor_id = p.debtor_id AND d.client_id = p.client_id
                      AND d.kind = 'invoice' AND d.issue_date <= $2
                    OFFSET 0
                ) i
                WINDOW same AS (PARTITION BY i.client_id, i.debtor_id, i.currency, i.amount ORDER BY i.issue_date)
            ) w
            CROSS JOIN settings s
            WHERE w.open AND (w.issue_date - w.previous <= s.duplicate_days OR w.next - w.issue_date <= s.duplicate_days)
            GROUP BY w.client_id
        )
        """
    }

    /// §4.1–§4.3 and §8.3, from `document_sums`: the CTEs up to `pair_figures`, whose SELECT list
    /// is `client_id, debtor_id, client_ref, debtor_ref`, then `pairColumns`.
    static func pairCTEs(_ scope: Scope) -> String {
        """
        -- §9.1: each pair's approval in force on D: its latest change effective by D (and so
        -- announced by then), else the value of approvals.csv.
        approvals_in_force AS MATERIALIZED (
            SELECT coalesce(a.client_id, c.client_id) AS client_id, coalesce(a.debtor_id, c.debtor_id) AS debtor_id,
                   coalesce(c.new_limit, a.approved) AS approved
            FROM (SELECT client_id, debtor_id, approved FROM approvals a WHERE tenant_id = $1 \(scope.pairs("a"))) a
            FULL JOIN (
                SELECT DISTINCT ON (l.client_id, l.debtor_id) l.client_id, l.debtor_id, l.new_limit
                FROM limit_changes l
                WHERE l.tenant_id = $1 AND l.client_id IS NOT NULL AND l.effective_on <= $2 \(scope.pairs("l"))
                ORDER BY l.client_id, l.debtor_id, l.effective_on DESC, l.announced_on DESC, l.change_ref COLLATE "C" DESC
            ) c ON c.client_id = a.client_id AND c.debtor_id = a.debtor_id
        ),
        -- §9.2: each pair's next pending change: the earliest effective after D among those
        -- announced by D, ties to the latest announced, then the greatest change_ref.
        approvals_pending AS MATERIALIZED (
            SELECT DISTINCT ON (l.client_id, l.debtor_id) l.client_id, l.debtor_id, l.new_limit AS pending_approved,
                   l.effective_on AS pending_on
            FROM limit_changes l
            WHERE l.tenant_id = $1 AND l.client_id IS NOT NULL AND l.announced_on <= $2 AND l.effective_on > $2 \(scope.pairs("l"))
            ORDER BY l.client_id, l.debtor_id, l.effective_on, l.announced_on DESC, l.change_ref COLLATE "C" DESC
        ),
        -- §4.3: a pair has a row when a document takes part or its approval is above 0.
        keyed AS (
            SELECT coalesce(x.client_id, a.client_id) AS client_id, coalesce(x.debtor_id, a.debtor_id) AS debtor_id,
                   coalesce(a.approved, 0) AS approved, coalesce(x.credit_notes, 0) AS credit_notes,
                   coalesce(x.paid + x.disputed + x.undeposited + x.aged + x.rest, 0) AS invoices,
                   coalesce(x.paid, 0) AS paid, coalesce(x.disputed, 0) AS disputed, coalesce(x.undeposited, 0) AS undeposited,
                   coalesce(x.aged, 0) AS aged, coalesce(x.rest, 0) AS rest, coalesce(x.old, 0) AS old,
                   coalesce(x.documents, 0) AS documents, coalesce(x.owed_days, 0) AS owed_days, x.first_invoice
            FROM document_sums x
            FULL JOIN approvals_in_force a ON a.client_id = x.client_id AND a.debtor_id = x.debtor_id
            WHERE x.documents > 0 OR a.approved > 0
        ),
        -- §4.1 rules 5 to 8, which depend on the pair alone, §4.2 cross-ageing and §8.3's new
        -- debtor: each figure is computed once from the one before it, every step fenced by OFFSET 0.
        classified AS (
            SELECT k.*, cl.client_ref, de.debtor_ref,
                   CASE WHEN de.group_ref IS NOT NULL AND de.group_ref = cl.group_ref THEN 'affiliate'
                        WHEN coalesce(co.embargoed, false) THEN 'embargo'
                        WHEN k.approved = 0 THEN 'unapproved'
                        ELSE 'eligible' END AS reason,
                   k.old::numeric * 10000 > s.cross_age_bp::numeric * k.invoices AS cross_aged,
                   coalesce($2::date - k.first_invoice < s.new_debtor_days, false) AS new_debtor,
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
        covered AS (SELECT g.*, div(g.guaranteed::numeric * g.cover_bp, 10000)::bigint AS covered FROM guaranteed g OFFSET 0),
        pair_figures AS (
            SELECT v.client_id, v.debtor_id, v.client_ref, v.debtor_ref, v.approved, v.invoices - v.credit_notes AS gross,
                   v.credit_notes, v.paid AS ineligible_paid, v.disputed AS ineligible_disputed,
                   v.undeposited AS ineligible_undeposited, v.aged AS ineligible_aged,
                   CASE WHEN v.reason = 'affiliate' THEN v.rest ELSE 0 END AS ineligible_affiliate,
                   CASE WHEN v.reason = 'embargo' THEN v.rest ELSE 0 END AS ineligible_embargo,
                   CASE WHEN v.reason = 'unapproved' THEN v.rest ELSE 0 END AS ineligible_unapproved,
                   CASE WHEN v.reason = 'eligible' AND v.cross_aged THEN v.rest ELSE 0 END AS ineligible_cross_aged,
                   v.eligible, v.guaranteed, v.eligible - v.guaranteed AS over_approval, v.cover_bp, v.covered,
                   div(v.covered::numeric * v.weight_bp, 10000)::bigint AS risk_weighted, v.cross_aged, v.new_debtor,
                   p.pending_approved, p.pending_on,
                   CASE WHEN p.pending_on IS NULL THEN v.guaranteed ELSE least(v.eligible, p.pending_approved) END AS projected_guaranteed,
                   v.documents, v.owed_days
            FROM covered v
            LEFT JOIN approvals_pending p ON p.client_id = v.client_id AND p.debtor_id = v.debtor_id
        )
        """
    }

    /// §4.1–§4.3: the tenant's pairs (§9.4: without the documents and approvals of the defaulted
    /// groups' debtors), as the `pair_rows` relation every other level is summed from, and written
    /// to the snapshot. The pass over the documents is a CTE of the statement, or (`passed`) the
    /// table `documentPass` wrote.
    static func pairRows(passed: Bool) -> String {
        """
        \(Scope.scenario.named)
        \(passed ? "\(currencyTerms),\ndocument_sums AS MATERIALIZED (SELECT * FROM \(documentSumsTable))" : documentSums(.scenario)),
        \(pairCTEs(.scenario)),
        pair_rows AS MATERIALIZED (SELECT * FROM pair_figures),
        stored_pairs AS (
            INSERT INTO snapshot_pairs (tenant_id, as_of, scenario, \(RiskReport.PairRow.sqlColumns), documents)
            SELECT $1, $2, $6::text, \(RiskReport.PairRow.sqlColumns), documents FROM pair_rows ORDER BY client_ref, debtor_ref
        )
        """
    }

    /// §4.1–§4.3: a SELECT of `client_id, debtor_id, client_ref, debtor_ref` and `pairColumns` for the
    /// tenant's pairs, or (`restricted`) for only the pairs `unnest($3::bigint[], $4::bigint[])` names
    /// as (client_id, debtor_id): the live answers recompute just the pairs that changed.
    static func pairFigures(restricted: Bool) -> String {
        let scope: Scope = restricted ? .changedPairs : .tenant
        return """
        WITH \(settings), \(rates), \(scope.named)
        \(documentSums(scope)),
        \(pairCTEs(scope))
        SELECT * FROM pair_figures
        """
    }

    /// §8.2: the converted collections dated ≤ D (the client's and currency of their document) and
    /// remittances received ≤ D, each with whether its currency has a rate on D; then per client
    /// what was collected, collected by D − remittance_days, remitted, and the date of the oldest
    /// collection remittances do not cover (they pay the oldest first: the first running sum, in
    /// order of (collected_on, collection_ref), above what was remitted).
    static func cash(_ scope: Scope) -> String {
        """
        client_collections AS MATERIALIZED (
            SELECT d.client_id, c.collection_ref, c.collected_on, t.rated, CASE WHEN t.rated THEN \(fx("c.amount")) END AS amount
            FROM collections c
            JOIN documents d ON d.tenant_id = $1 AND d.doc_ref = c.doc_ref
            JOIN currency_terms t ON t.currency = d.currency
            WHERE c.tenant_id = $1 AND c.collected_on <= $2 \(scope.pairs("d"))
        ),
        client_remittances AS MATERIALIZED (
            SELECT m.client_id, m.remittance_ref, t.rated, CASE WHEN t.rated THEN \(fx("m.amount")) END AS amount
            FROM remittances m
            JOIN currency_terms t ON t.currency = m.currency
            WHERE m.tenant_id = $1 AND m.received_on <= $2 \(scope == .client ? "AND m.client_id = $3" : "")
        ),
        collection_sums AS (
            SELECT c.client_id, sum(c.amount)::bigint AS collected,
                   coalesce(sum(c.amount) FILTER (WHERE c.collected_on <= $2::date - s.remittance_days), 0)::bigint AS collected_due
            FROM client_collections c CROSS JOIN settings s WHERE c.rated GROUP BY c.client_id
        ),
        remittance_sums AS (SELECT client_id, sum(amount)::bigint AS remitted FROM client_remittances WHERE rated GROUP BY client_id),
        client_cash AS (
            SELECT coalesce(c.client_id, r.client_id) AS client_id, coalesce(c.collected, 0) AS collected,
                   coalesce(c.collected_due, 0) AS collected_due, coalesce(r.remitted, 0) AS remitted, u.since AS unremitted_since
            FROM collection_sums c
            FULL JOIN remittance_sums r ON r.client_id = c.client_id
            LEFT JOIN (
                SELECT w.client_id, min(w.collected_on) AS since
                FROM (
                    SELECT c.client_id, c.collected_on,
                           sum(c.amount) OVER (PARTITION BY c.client_id ORDER BY c.collected_on, c.collection_ref COLLATE "C"
                                               ROWS UNBOUNDED PRECEDING) AS running
                    FROM client_collections c WHERE c.rated
                ) w
                LEFT JOIN remittance_sums r ON r.client_id = w.client_id
                WHERE w.running > coalesce(r.remitted, 0)
                GROUP BY w.client_id
            ) u ON u.client_id = coalesce(c.client_id, r.client_id)
        )
        """
    }

    /// §8: what `LevelRules.client` needs of one client (`$3`, its client_id) besides its pairs, as
    /// the recalculation computes it: one row of `ClientActivity`'s sums (live client answers).
    static let clientActivity = """
        WITH \(settings), \(rates),
        \(documentSums(.client)),
        \(duplicates(.client)),
        \(cash(.client))
        SELECT coalesce(sum(x.invoiced_window), 0)::bigint AS invoiced_window,
               coalesce(sum(x.credited_window), 0)::bigint AS credited_window,
               coalesce((SELECT duplicate_suspects FROM duplicate_counts), 0)::bigint AS duplicate_suspects,
               coalesce(sum(x.round_invoices), 0)::bigint AS round_invoices,
               coalesce(sum(x.round_amount_invoices), 0)::bigint AS round_amount_invoices,
               CASE WHEN coalesce(sum(x.paid + x.disputed + x.undeposited + x.aged + x.rest), 0) = 0 THEN NULL
                    ELSE div(sum(x.owed_days), sum(x.paid + x.disputed + x.undeposited + x.aged + x.rest))::bigint END AS past_due_days,
               coalesce((SELECT collected FROM client_cash), 0) AS collected,
               coalesce((SELECT collected_due FROM client_cash), 0) AS collected_due,
               coalesce((SELECT remitted FROM client_cash), 0) AS remitted,
               $2::date - (SELECT unremitted_since FROM client_cash) AS unremitted_days
        FROM document_sums x
        """

    /// §4.4 and §8: clients, their pairs summed, their activity (dilution window, cash, ledger
    /// patterns, payment behaviour), the funding waterfall with its dilution reserve, the client
    /// flags of §6 and the tier of §4.10, written to the snapshot.
    static let clients = """
        \(cash(.tenant)),
        \(duplicates(.scenario)),
        client_sums AS (
            SELECT client_ref, sum(gross)::bigint AS gross, sum(credit_notes)::bigint AS credit_notes, sum(eligible)::bigint AS eligible,
                   sum(over_approval)::bigint AS over_approval, sum(guaranteed)::bigint AS guaranteed, sum(covered)::bigint AS covered,
                   sum(risk_weighted)::bigint AS risk_weighted, sum(ineligible_paid)::bigint AS paid,
                   sum(ineligible_disputed)::bigint AS disputed, sum(ineligible_undeposited)::bigint AS undeposited,
                   sum(ineligible_aged)::bigint AS aged, sum(ineligible_affiliate)::bigint AS affiliate,
                   sum(ineligible_embargo)::bigint AS embargo, sum(ineligible_unapproved)::bigint AS unapproved,
                   sum(ineligible_cross_aged)::bigint AS cross_aged_sum,
                   bool_or(cross_aged) AS any_cross_aged,
                   coalesce(sum(eligible) FILTER (WHERE new_debtor), 0)::bigint AS new_debtor_eligible,
                   sum(greatest(0, guaranteed - projected_guaranteed))::bigint AS approval_cut
            FROM pair_rows GROUP BY client_ref
        ),
        -- §8.1, §8.3 and §8.4 from every pair's documents (those of pairs without a row too).
        client_activity AS (
            SELECT client_id, sum(invoiced_window)::bigint AS invoiced_window, sum(credited_window)::bigint AS credited_window,
                   sum(round_invoices)::bigint AS round_invoices,
                   sum(round_amount_invoices)::bigint AS round_amount_invoices,
                   sum(owed_days) AS owed_days, sum(paid + disputed + undeposited + aged + rest) AS owed
            FROM document_sums GROUP BY client_id
        ),
        capped AS (
            SELECT cl.client_id, cl.client_ref, cl.mode, cl.annual_revenue, cl.financial_grade, cl.holdback_bp, cl.funding_limit,
                   cl.funded_balance,
                   coalesce(x.gross, 0) AS gross, coalesce(x.credit_notes, 0) AS credit_notes, coalesce(x.eligible, 0) AS eligible,
                   coalesce(x.over_approval, 0) AS over_approval, coalesce(x.guaranteed, 0) AS guaranteed,
                   coalesce(x.covered, 0) AS covered, coalesce(x.risk_weighted, 0) AS risk_weighted, coalesce(x.paid, 0) AS paid,
                   coalesce(x.disputed, 0) AS disputed, coalesce(x.undeposited, 0) AS undeposited, coalesce(x.aged, 0) AS aged,
                   coalesce(x.affiliate, 0) AS affiliate, coalesce(x.embargo, 0) AS embargo, coalesce(x.unapproved, 0) AS unapproved,
                   coalesce(x.cross_aged_sum, 0) AS cross_aged_sum, coalesce(x.any_cross_aged, false) AS any_cross_aged,
                   coalesce(x.new_debtor_eligible, 0) AS new_debtor_eligible, coalesce(x.approval_cut, 0) AS approval_cut,
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
        client_rows AS MATERIALIZED (
            SELECT c.client_ref, c.mode, c.gross, c.credit_notes, c.eligible, c.over_approval, c.guaranteed, c.covered,
                   c.risk_weighted, c.paid AS ineligible_paid, c.disputed AS ineligible_disputed,
                   c.undeposited AS ineligible_undeposited, c.aged AS ineligible_aged, c.affiliate AS ineligible_affiliate,
                   c.embargo AS ineligible_embargo, c.unapproved AS ineligible_unapproved, c.cross_aged_sum AS ineligible_cross_aged,
                   c.cap AS concentration_cap, w.excess AS concentration_excess, w.fundable, v.dilution_bp, w.reserve AS dilution_reserve,
                   w.holdback, w.capacity AS funding_capacity, c.funded_balance, w.capacity - c.funded_balance AS availability,
                   coalesce(m.collected, 0) AS collected, coalesce(m.remitted, 0) AS remitted, v.unremitted,
                   $2::date - m.unremitted_since AS unremitted_days,
                   coalesce(dc.duplicate_suspects, 0) AS duplicate_suspects, coalesce(a.round_invoices, 0) AS round_invoices,
                   CASE WHEN coalesce(a.round_invoices, 0) = 0 THEN NULL
                        ELSE div(a.round_amount_invoices::numeric * 10000, a.round_invoices)::bigint END AS round_share_bp,
                   c.new_debtor_eligible,
                   CASE WHEN coalesce(a.owed, 0) = 0 THEN NULL ELSE div(a.owed_days, a.owed)::bigint END AS past_due_days,
                   c.approval_cut,
                   least(4, CASE WHEN c.financial_grade <= 3 THEN 1 WHEN c.financial_grade <= 6 THEN 2
                                 WHEN c.financial_grade <= 8 THEN 3 ELSE 4 END
                            + (c.mode = 'confidential')::int + (c.below_revenue OR c.weak_financials)::int
                            + (w.capacity - c.funded_balance < 0)::int + (v.unremitted > 0 OR c.paid > 0)::int) AS tier,
                   array_remove(ARRAY[
                       CASE WHEN c.mode = 'confidential' THEN 'CONFIDENTIAL_MODE' END,
                       CASE WHEN c.mode = 'delegated' THEN 'DELEGATED_COLLECTION' END,
                       CASE WHEN c.below_revenue THEN 'CONFIDENTIAL_BELOW_REVENUE' END,
                       CASE WHEN c.weak_financials THEN 'CONFIDENTIAL_WEAK_FINANCIALS' END,
                       CASE WHEN w.excess > 0 THEN 'CONCENTRATION_EXCESS' END,
                       CASE WHEN c.any_cross_aged THEN 'CROSS_AGED' END,
                       CASE WHEN w.capacity - c.funded_balance < 0 THEN 'OVER_ADVANCE' END,
                       CASE WHEN v.dilution_bp >= s.dilution_warn_bp THEN 'DILUTION_HIGH' END,
                       CASE WHEN v.unremitted > 0 THEN 'UNREMITTED_COLLECTIONS' END,
                       CASE WHEN c.paid > 0 THEN 'PAID_STILL_OPEN' END,
                       CASE WHEN dc.duplicate_suspects > 0 THEN 'DUPLICATE_SUSPECT' END,
                       CASE WHEN a.round_invoices > 0 AND a.round_invoices >= s.round_min_invoices
                                 AND a.round_amount_invoices::numeric * 10000 >= s.round_warn_bp::numeric * a.round_invoices
                            THEN 'ROUND_AMOUNTS' END,
                       CASE WHEN c.eligible > 0 AND c.new_debtor_eligible::numeric * 10000 > s.new_debtor_warn_bp::numeric * c.eligible
                            THEN 'NEW_DEBTOR_CONCENTRATION' END,
                       CASE WHEN c.approval_cut > 0 THEN 'APPROVAL_CUT_PENDING' END], NULL) AS flags
            FROM capped c
            CROSS JOIN settings s
            LEFT JOIN excess x ON x.client_ref = c.client_ref
            LEFT JOIN client_activity a ON a.client_id = c.client_id
            LEFT JOIN duplicate_counts dc ON dc.client_id = c.client_id
            LEFT JOIN client_cash m ON m.client_id = c.client_id
            CROSS JOIN LATERAL (
                SELECT CASE WHEN coalesce(a.invoiced_window, 0) = 0 THEN NULL
                            ELSE div(a.credited_window::numeric * 10000, a.invoiced_window)::bigint END AS dilution_bp,
                       greatest(0, coalesce(m.collected_due, 0) - coalesce(m.remitted, 0)) AS unremitted
            ) v
            CROSS JOIN LATERAL (SELECT coalesce(x.excess, 0) AS excess, c.guaranteed - coalesce(x.excess, 0) AS fundable) f
            CROSS JOIN LATERAL (
                SELECT CASE WHEN v.dilution_bp IS NULL OR v.dilution_bp <= s.dilution_allowance_bp THEN 0
                            ELSE div(f.fundable::numeric * least(10000, v.dilution_bp - s.dilution_allowance_bp), 10000)::bigint
                       END AS reserve
            ) r
            CROSS JOIN LATERAL (SELECT div((f.fundable - r.reserve)::numeric * c.holdback_bp, 10000)::bigint AS holdback) h
            CROSS JOIN LATERAL (
                SELECT f.excess, f.fundable, r.reserve, h.holdback, least(f.fundable - r.reserve - h.holdback, c.funding_limit) AS capacity
            ) w
        ),
        stored_clients AS (
            INSERT INTO snapshot_clients (tenant_id, as_of, scenario, \(RiskReport.ClientRow.sqlColumns))
            SELECT $1, $2, $6::text, \(RiskReport.ClientRow.sqlColumns) FROM client_rows ORDER BY client_ref
        )
        """

    /// §4.5: every debtor of the tenant with the sums of its pairs and approvals, its group (its own
    /// reference when it has none) and its country: the `debtor_rows` relation groups and countries
    /// are summed from.
    static let debtorRows = """
        \(debtorLimits),
        debtor_rows AS MATERIALIZED (
            SELECT d.*, n.insured, div(n.insured::numeric * d.insurance_cover_bp, 10000)::bigint AS recoverable,
                   d.covered - div(n.insured::numeric * d.insurance_cover_bp, 10000)::bigint AS net_loss
            FROM (
            SELECT de.debtor_ref, de.country, coalesce(de.group_ref, de.debtor_ref) AS group_ref,
                   coalesce(li.new_limit, de.credit_limit) AS credit_limit, lp.pending_limit, lp.pending_on,
                   coalesce(x.gross, 0) AS gross, coalesce(x.eligible, 0) AS eligible, coalesce(x.guaranteed, 0) AS guaranteed,
                   coalesce(x.covered, 0) AS covered, coalesce(x.risk_weighted, 0) AS risk_weighted,
                   coalesce(x.approved_total, 0) AS approved_total, coalesce(x.clients, 0) AS clients,
                   CASE WHEN coalesce(x.owed, 0) = 0 THEN NULL ELSE div(x.owed_days, x.owed)::bigint END AS past_due_days,
                   i.insured_limit, coalesce(i.cover_bp, 0) AS insurance_cover_bp, i.valid_to AS insurance_valid_to,
                   i.valid_from <= $2 AND (i.valid_to IS NULL OR $2 <= i.valid_to) AS insured_on_date
            FROM debtors de
            -- Every pair whose approval in force is above 0 has a row: the debtor's approved_total is
            -- the sum of its pairs' approvals.
            LEFT JOIN (
                SELECT debtor_ref, sum(gross)::bigint AS gross, sum(eligible)::bigint AS eligible, sum(guaranteed)::bigint AS guaranteed,
                       sum(covered)::bigint AS covered, sum(risk_weighted)::bigint AS risk_weighted,
                       count(*) FILTER (WHERE gross <> 0 OR approved > 0) AS clients, sum(approved)::bigint AS approved_total,
                       sum(owed_days) AS owed_days, sum(gross + credit_notes) AS owed
                FROM pair_rows GROUP BY debtor_ref
            ) x ON x.debtor_ref = de.debtor_ref
            LEFT JOIN debtor_limits_in_force li ON li.debtor_id = de.debtor_id
            LEFT JOIN debtor_limits_pending lp ON lp.debtor_id = de.debtor_id
            LEFT JOIN insurance i ON i.tenant_id = $1 AND i.debtor_id = de.debtor_id
            WHERE de.tenant_id = $1
            ) d
            -- §9.3: what the credit insurance carries of covered while in force.
            CROSS JOIN LATERAL (
                SELECT CASE WHEN d.insured_on_date THEN least(d.covered, d.insured_limit) ELSE 0 END AS insured
            ) n
        )
        """

    /// §9.1 and §9.2 for debtors' credit limits: the change in force on D (the latest effective by
    /// D), and the next pending one (the earliest effective after D among those announced by D,
    /// ties to the latest announced, then the greatest change_ref), per debtor_id.
    static let debtorLimits = """
        debtor_limits_in_force AS MATERIALIZED (
            SELECT DISTINCT ON (l.debtor_id) l.debtor_id, l.new_limit
            FROM limit_changes l
            WHERE l.tenant_id = $1 AND l.client_id IS NULL AND l.effective_on <= $2
            ORDER BY l.debtor_id, l.effective_on DESC, l.announced_on DESC, l.change_ref COLLATE "C" DESC
        ),
        debtor_limits_pending AS MATERIALIZED (
            SELECT DISTINCT ON (l.debtor_id) l.debtor_id, l.new_limit AS pending_limit, l.effective_on AS pending_on
            FROM limit_changes l
            WHERE l.tenant_id = $1 AND l.client_id IS NULL AND l.announced_on <= $2 AND l.effective_on > $2
            ORDER BY l.debtor_id, l.effective_on, l.announced_on DESC, l.change_ref COLLATE "C" DESC
        )
        """

    /// §4.6: the groups summed from `debtor_rows`, with their flags of §6.
    static let groupRows = """
        group_rows AS MATERIALIZED (
            SELECT d.group_ref, d.debtors, d.guaranteed, d.covered, d.net_loss,
                   CASE WHEN s.own_funds = 0 THEN NULL ELSE div(d.guaranteed::numeric * 10000, s.own_funds)::bigint END AS own_funds_bp,
                   l.limit,
                   array_remove(ARRAY[
                       CASE WHEN d.guaranteed > 0 AND d.guaranteed::numeric * 10000 >= s.large_exposure_report_bp::numeric * s.own_funds
                                 AND d.guaranteed <= l.limit THEN 'LARGE_EXPOSURE' END,
                       CASE WHEN d.guaranteed > l.limit THEN 'LARGE_EXPOSURE_BREACH' END], NULL) AS flags
            FROM (
                SELECT group_ref, count(*) AS debtors, sum(guaranteed)::bigint AS guaranteed, sum(covered)::bigint AS covered,
                       sum(net_loss)::bigint AS net_loss
                FROM debtor_rows GROUP BY group_ref
            ) d
            CROSS JOIN settings s
            CROSS JOIN LATERAL (SELECT div(s.own_funds::numeric * s.large_exposure_limit_bp, 10000)::bigint AS "limit") l
        )
        """

    /// §4.7: the countries where a debtor of `debtor_rows` is, with their flags of §6 (and P, the
    /// tenant's total guaranteed, that their limits are shares of). §9.4: a country that
    /// `unnest($4::text[], $5::int[])` names has the grade given with it, listed or not (its
    /// explicit limit, when set, still wins).
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
            LEFT JOIN unnest($4::text[], $5::int[]) AS regraded (country, grade) ON regraded.country = d.country
            CROSS JOIN LATERAL (
                SELECT coalesce(regraded.grade, co.grade, s.default_country_grade) AS grade, coalesce(co.embargoed, false) AS embargoed
            ) r
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
            INSERT INTO snapshot_debtors (tenant_id, as_of, scenario, \(RiskReport.DebtorRow.sqlColumns), \(loneGroupColumns))
            SELECT $1, $2, $6::text, \(RiskReport.DebtorRow.sqlColumns), \(loneGroupColumns) FROM (
            SELECT d.debtor_ref, d.country, d.group_ref, d.credit_limit, d.gross, d.eligible, d.guaranteed, d.covered,
                   d.risk_weighted, d.approved_total, d.clients, u.utilization AS utilization_bp, d.credit_limit - d.guaranteed AS headroom,
                   -- §4.8 with §9.2: a pending change of the credit limit caps it too (a raise never lowers it).
                   greatest(0, least(d.credit_limit - d.guaranteed, c.headroom, g.limit - g.guaranteed,
                                     coalesce(d.pending_limit - d.guaranteed, d.credit_limit - d.guaranteed))) AS available_limit,
                   d.past_due_days, d.pending_limit, d.pending_on,
                   CASE WHEN d.pending_on IS NULL THEN 0 ELSE greatest(0, d.guaranteed - d.pending_limit) END AS projected_excess,
                   d.insured, d.recoverable, d.net_loss,
                   array_remove(ARRAY[
                       CASE WHEN u.utilization >= s.utilization_warn_bp AND d.guaranteed <= d.credit_limit THEN 'DEBTOR_LIMIT_WARN' END,
                       CASE WHEN d.guaranteed > d.credit_limit THEN 'DEBTOR_LIMIT_BREACH' END,
                       CASE WHEN d.approved_total > d.credit_limit THEN 'DEBTOR_OVER_ALLOCATED' END,
                       CASE WHEN d.past_due_days >= s.slow_payer_days AND d.guaranteed > 0 THEN 'DEBTOR_SLOW_PAYER' END,
                       CASE WHEN d.pending_limit < d.credit_limit AND d.pending_limit < d.guaranteed THEN 'LIMIT_CUT_PENDING' END,
                       CASE WHEN d.insured_on_date AND d.covered > d.insured_limit THEN 'UNINSURED_EXPOSURE' END,
                       CASE WHEN d.insured_on_date AND d.insurance_valid_to - $2::date < s.insurance_notice_days AND d.covered > 0
                            THEN 'INSURANCE_EXPIRING' END], NULL) AS flags,
                   -- The debtor alone in its group carries what the group's row has more (migration 0013).
                   CASE WHEN g.debtors = 1 THEN g.own_funds_bp END AS group_own_funds_bp,
                   CASE WHEN g.debtors = 1 THEN g.limit END AS group_limit,
                   CASE WHEN g.debtors = 1 THEN g.flags END AS group_flags
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
        -- Only the groups of two debtors or more: the view snapshot_groups (migration 0013) adds
        -- the others from their one debtor's row, which carries what the group's row has more.
        stored_groups AS (
            INSERT INTO snapshot_group_totals (tenant_id, as_of, scenario, \(RiskReport.GroupRow.sqlColumns))
            SELECT $1, $2, $6::text, \(RiskReport.GroupRow.sqlColumns) FROM group_rows WHERE debtors > 1 ORDER BY group_ref
        ),
        stored_countries AS (
            INSERT INTO snapshot_countries (tenant_id, as_of, scenario, \(RiskReport.CountryRow.sqlColumns))
            SELECT $1, $2, $6::text, \(RiskReport.CountryRow.sqlColumns) FROM country_rows ORDER BY country
        )
        """

    /// What the row of a debtor alone in its group carries of the group's row, which is not written
    /// (the view `snapshot_groups` makes it from the debtor's row); null for the other debtors.
    static let loneGroupColumns = "group_own_funds_bp, group_limit, group_flags"

    /// The portfolio's `data_quality` lists (§4, §8.2), stored beside its figures.
    static let missingColumns = "missing_fx, missing_fx_collections, missing_fx_remittances"

    /// §4.9 and §8.5: the portfolio, from the pairs, the debtors and the clients, and the documents,
    /// collections and remittances left out for want of a rate.
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
        -- §4 and §8.2: the documents (open, or in the dilution window), collections and remittances
        -- left out for want of a rate on D.
        -- Read only when the pass over the documents counted some (the one-time filter skips the scan).
        missing AS (
            SELECT coalesce(array_agg(d.doc_ref ORDER BY d.doc_ref COLLATE "C"), '{}') AS refs
            FROM documents d
            CROSS JOIN settings s
            JOIN currency_terms t ON t.currency = d.currency AND NOT t.rated
            WHERE (SELECT sum(missing_fx) FROM document_sums) > 0
              AND d.tenant_id = $1 AND d.issue_date <= $2 \(Scope.scenario.pairs("d"))
              AND (d.open_amount <> 0 OR d.issue_date > $2::date - s.dilution_window_days)
        ),
        missing_cash AS (
            SELECT (SELECT coalesce(array_agg(collection_ref ORDER BY collection_ref COLLATE "C"), '{}')
                    FROM client_collections WHERE NOT rated) AS collections,
                   (SELECT coalesce(array_agg(remittance_ref ORDER BY remittance_ref COLLATE "C"), '{}')
                    FROM client_remittances WHERE NOT rated) AS remittances,
                   (SELECT coalesce(sum(unremitted), 0)::bigint FROM client_rows) AS unremitted,
                   (SELECT coalesce(sum(net_loss), 0)::bigint FROM debtor_rows) AS net_loss
        )
        INSERT INTO snapshots (tenant_id, as_of, scenario, \(RiskReport.PortfolioRow.sqlColumns), \(missingColumns))
        SELECT $1, $2, $6::text, \(RiskReport.PortfolioRow.sqlColumns), \(missingColumns) FROM (
        SELECT t.gross, t.eligible, t.guaranteed, t.covered, t.risk_weighted, mc.unremitted, mc.net_loss,
               CASE WHEN c.total = 0 THEN NULL ELSE div(c.squares * 1000000, c.total::numeric * c.total) END AS hhi_ppm,
               CASE WHEN c.total = 0 THEN NULL ELSE div(top10.covered * 10000, c.total) END AS top10_share_bp,
               (SELECT count(*) FROM clients WHERE tenant_id = $1) AS clients, c.debtors, t.documents, m.refs AS missing_fx,
               mc.collections AS missing_fx_collections, mc.remittances AS missing_fx_remittances
        FROM totals t, concentration c, top10, missing m, missing_cash mc
        ) r
        """

    /// The recalculation of a tenant as of a date: every level computed and written in one
    /// statement (each `stored_…` CTE runs once, whether or not anything reads it).
    ///
    /// The nightly job and what-if scenarios (§9.4) run this same statement: `$3 text[]` names the
    /// defaulted groups, `$4 text[]` and `$5 int[]` the countries with their new grades, and
    /// `$6 text` the snapshot variant written ('' for the baseline). The nightly job passes empty
    /// arrays and ''. Collections and remittances are read whole (§9.4: they still count).
    /// Its pass over the documents is its own CTE, or (`passed`) the table `documentPass` wrote
    /// first: the two statements cost about 0.15 s more than the one (the table written, then
    /// analysed), which a tenant alone wins back by splitting the pass between processes.
    static func recalculation(passed: Bool) -> String {
        """
        WITH \(settings), \(rates), \(pairRows(passed: passed)), \(clients), \(debtorRows), \(groupRows), \(countryRows), \(debtors),
        \(portfolio)
        """
    }
}
