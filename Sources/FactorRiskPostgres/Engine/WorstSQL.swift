/// The worst single defaults of RULEBOOK.md §9.4 as one read-only statement: no scenario is
/// computed one at a time.
///
/// Why one statement is enough. The ranking is by `loss`, the baseline `net_loss` of the group's
/// debtors: every group's loss is known from the baseline alone, so only the first `limit` groups
/// need their `new_breaches`. When a group g defaults alone, its debtors' documents leave §4 and §8
/// and their pairs' approvals are 0; nothing else of the inputs changes. Going through the
/// breach-level flags of §6:
/// - DEBTOR_LIMIT_BREACH: a debtor outside g keeps its pairs and so its `guaranteed`; g's debtors
///   fall to 0, and a credit limit is never below 0. None appears.
/// - LARGE_EXPOSURE_BREACH: the same for groups (own funds are never below 0). None appears.
/// - UNREMITTED_COLLECTIONS: collections and remittances still count, with the client of their
///   document. Unchanged. PAID_STILL_OPEN: a client's `ineligible.paid` can only fall. None appears.
/// - OVER_ADVANCE: a client with documents on g's debtors gets a new waterfall. Its `eligible` and
///   `guaranteed` lose those pairs' figures; its concentration cap follows the smaller `eligible`,
///   so the excess is taken anew over its remaining pairs (a smaller cap can raise it); its
///   dilution window loses g's documents, open or closed (a pair without a row can hold them), so
///   its dilution and reserve change; then the holdback, the capacity and the availability. Its
///   remaining pairs keep their figures (each pair's rules read only the pair). A client without
///   documents on g's debtors keeps everything.
/// - COUNTRY_LIMIT_BREACH: P falls by g's `guaranteed`, so every country whose limit is a share of
///   P by grade gets a lower limit, whether g has debtors there or not; a country's `guaranteed`
///   falls by that of g's debtors in it. An explicit limit does not move, nor an embargo's 0, and
///   against them `guaranteed` can only fall.
/// - EMBARGO_EXPOSURE: a country's `gross` loses that of g's debtors in it, and a pair's gross
///   (invoices less credit notes) can be below 0: it can appear where g's credit notes outweighed.
///
/// So per ranked g: per client with documents on g's debtors, the waterfall from its sums less g's
/// pairs (`eligible`, `guaranteed`, the dilution window's sums, which the document pass of
/// `EngineSQL.documentSums` gives per pair) and the excess over its pairs outside g; per country,
/// `guaranteed`, `gross` and the limit from P less g's. A breach is new when the baseline does
/// not carry it.
///
/// The baseline is the engine's own: the recalculation's CTEs up to the pairs, debtors, groups and
/// countries (`EngineSQL`), computed in the same statement and never stored; a client's baseline
/// waterfall is the same rule as its scenario's, with nothing taken out (group `''`, which no
/// group reference can be). It reads no snapshot table: recalculating into the snapshot in a
/// savepoint and reading it back took a second read of the documents, the snapshot's writes, and
/// plans made on the statistics of tables just written in the transaction (measured on 500,000
/// documents: 5.2 s warm, 235 s when the snapshot tables had never been analyzed).
enum WorstSQL {
    /// `$1` tenant id, `$2` as-of date, `$3` how many groups, `$4` and `$5` the engine's country
    /// grades (empty: the baseline's). One row per ranked group, in the
    /// ranking's order (loss, then `group_ref` in byte order): `group_ref`, `loss`,
    /// `loss_own_funds_bp` and its new breaches as three arrays (`levels`, `subjects`, `codes`)
    /// in §9.4's order.
    static let ranking = """
        WITH \(EngineSQL.settings), \(EngineSQL.rates), \(EngineSQL.documentSums(.tenant)), \(EngineSQL.pairCTEs(.tenant)),
        pair_rows AS MATERIALIZED (SELECT * FROM pair_figures),
        \(EngineSQL.debtorRows), \(EngineSQL.groupRows), \(EngineSQL.countryRows),
        -- §9.4: the groups with covered > 0, by the baseline net loss of their debtors.
        ranked AS MATERIALIZED (
            SELECT group_ref, net_loss AS loss FROM group_rows WHERE covered > 0 ORDER BY net_loss DESC, group_ref COLLATE "C" LIMIT $3
        ),
        defaulted AS MATERIALIZED (
            SELECT r.group_ref, de.debtor_id, d.country, d.gross, d.guaranteed
            FROM ranked r
            JOIN debtor_rows d ON d.group_ref = r.group_ref
            JOIN debtors de ON de.tenant_id = $1 AND de.debtor_ref = d.debtor_ref
        ),
        -- The pairs that can weigh on a waterfall: with guaranteed above 0 (a pair whose eligible
        -- is above 0 has an approval, so guaranteed above 0 too), and the group of their debtor.
        weighing_pairs AS MATERIALIZED (
            SELECT p.client_id, p.debtor_id, d.group_ref, p.eligible, p.guaranteed
            FROM pair_rows p JOIN debtor_rows d ON d.debtor_ref = p.debtor_ref
            WHERE p.guaranteed > 0
        ),
        -- Per (g, client with documents on g's debtors): what leaves its waterfall.
        leaving AS MATERIALIZED (
            SELECT f.group_ref, x.client_id, coalesce(sum(p.eligible), 0) AS eligible, coalesce(sum(p.guaranteed), 0) AS guaranteed,
                   sum(x.invoiced_window) AS invoiced_window, sum(x.credited_window) AS credited_window
            FROM defaulted f
            JOIN document_sums x ON x.debtor_id = f.debtor_id
            LEFT JOIN weighing_pairs p ON p.client_id = x.client_id AND p.debtor_id = x.debtor_id
            GROUP BY f.group_ref, x.client_id
        ),
        -- Those clients as they are: all their pairs and their whole dilution window.
        touched AS MATERIALIZED (
            SELECT cl.client_id, cl.client_ref, cl.mode, cl.holdback_bp, cl.funding_limit, cl.funded_balance,
                   coalesce(p.eligible, 0) AS eligible, coalesce(p.guaranteed, 0) AS guaranteed,
                   w.invoiced_window, w.credited_window
            FROM clients cl
            JOIN (SELECT client_id, sum(invoiced_window) AS invoiced_window, sum(credited_window) AS credited_window
                  FROM document_sums GROUP BY client_id) w ON w.client_id = cl.client_id
            LEFT JOIN (SELECT client_id, sum(eligible) AS eligible, sum(guaranteed) AS guaranteed FROM weighing_pairs GROUP BY client_id) p
                ON p.client_id = cl.client_id
            WHERE cl.tenant_id = $1 AND cl.client_id IN (SELECT client_id FROM leaving)
        ),
        -- Each as it is (group '') and without each g it has documents on: its sums, its new
        -- concentration cap (§4.4) and dilution (§8.1).
        remaining AS MATERIALIZED (
            SELECT l.group_ref, t.client_id, t.client_ref, t.holdback_bp, t.funding_limit, t.funded_balance,
                   t.guaranteed - l.guaranteed AS guaranteed,
                   div((t.eligible - l.eligible)::numeric * m.cap_bp, 10000)::bigint AS cap,
                   CASE WHEN t.invoiced_window = l.invoiced_window THEN NULL
                        ELSE div((t.credited_window - l.credited_window)::numeric * 10000, t.invoiced_window - l.invoiced_window)::bigint
                   END AS dilution_bp
            FROM (SELECT * FROM leaving UNION ALL SELECT '', client_id, 0, 0, 0, 0 FROM touched) l
            JOIN touched t ON t.client_id = l.client_id
            CROSS JOIN settings s
            CROSS JOIN LATERAL (
                VALUES ('notified', s.concentration_cap_notified_bp), ('delegated', s.concentration_cap_delegated_bp),
                       ('confidential', s.concentration_cap_confidential_bp)
            ) m (mode, cap_bp)
            WHERE m.mode = t.mode
        ),
        -- Its excess over the cap, on its pairs outside g only.
        remaining_excess AS (
            SELECT r.group_ref, r.client_id, sum(p.guaranteed - r.cap) AS excess
            FROM remaining r
            JOIN weighing_pairs p ON p.client_id = r.client_id AND p.group_ref <> r.group_ref AND p.guaranteed > r.cap
            GROUP BY r.group_ref, r.client_id
        ),
        -- §4.4 and §8.1: fundable, less the dilution reserve, less the holdback, within the funding
        -- limit, against the funded balance.
        over_advanced AS MATERIALIZED (
            SELECT r.group_ref, r.client_id, r.client_ref
            FROM remaining r
            CROSS JOIN settings s
            LEFT JOIN remaining_excess x ON x.group_ref = r.group_ref AND x.client_id = r.client_id
            CROSS JOIN LATERAL (SELECT r.guaranteed - coalesce(x.excess, 0) AS fundable) f
            CROSS JOIN LATERAL (
                SELECT f.fundable - CASE WHEN r.dilution_bp > s.dilution_allowance_bp
                                         THEN div(f.fundable::numeric * least(10000, r.dilution_bp - s.dilution_allowance_bp), 10000)::bigint
                                         ELSE 0 END AS advanceable
            ) a
            WHERE least(a.advanceable - div(a.advanceable::numeric * r.holdback_bp, 10000)::bigint, r.funding_limit) < r.funded_balance
        ),
        -- §4.7: each country without g: its guaranteed and gross less those of g's debtors in it,
        -- its limit from P less g's guaranteed unless embargoed or explicit.
        group_totals AS (SELECT group_ref, sum(guaranteed) AS guaranteed FROM defaulted GROUP BY group_ref),
        group_countries AS (
            SELECT group_ref, country, sum(gross) AS gross, sum(guaranteed) AS guaranteed FROM defaulted GROUP BY group_ref, country
        ),
        country_breaches AS (
            SELECT t.group_ref, k.country::text AS country, v.code
            FROM group_totals t
            CROSS JOIN portfolio_guaranteed p
            CROSS JOIN country_rows k
            CROSS JOIN settings s
            LEFT JOIN group_countries c ON c.group_ref = t.group_ref AND c.country = k.country
            LEFT JOIN countries co ON co.tenant_id = $1 AND co.country = k.country
            CROSS JOIN LATERAL (
                SELECT k.guaranteed - coalesce(c.guaranteed, 0) AS guaranteed, k.gross - coalesce(c.gross, 0) AS gross,
                       CASE WHEN k.embargoed THEN 0 WHEN co.explicit_limit IS NOT NULL THEN co.explicit_limit
                            ELSE div((p.p - t.guaranteed)::numeric * s.country_cap_bp[k.grade + 1], 10000)::bigint END AS cut
            ) n
            CROSS JOIN LATERAL (
                VALUES ('COUNTRY_LIMIT_BREACH', n.guaranteed > n.cut), ('EMBARGO_EXPOSURE', k.embargoed AND n.gross > 0)
            ) v (code, holds)
            WHERE v.holds AND NOT v.code = ANY (k.flags)
        ),
        -- §9.4's order: clients before countries, then subject, then code, in byte order.
        new_breaches AS (
            SELECT o.group_ref, 1 AS rank, 'client' AS level, o.client_ref AS subject, 'OVER_ADVANCE' AS code
            FROM over_advanced o
            WHERE o.group_ref <> '' AND o.client_id NOT IN (SELECT client_id FROM over_advanced WHERE group_ref = '')
            UNION ALL
            SELECT group_ref, 4, 'country', country, code FROM country_breaches
        )
        SELECT r.group_ref, r.loss,
               CASE WHEN s.own_funds = 0 THEN NULL ELSE div(r.loss::numeric * 10000, s.own_funds)::bigint END AS loss_own_funds_bp,
               coalesce(array_agg(b.level ORDER BY b.rank, b.subject COLLATE "C", b.code COLLATE "C")
                        FILTER (WHERE b.code IS NOT NULL), '{}') AS levels,
               coalesce(array_agg(b.subject ORDER BY b.rank, b.subject COLLATE "C", b.code COLLATE "C")
                        FILTER (WHERE b.code IS NOT NULL), '{}') AS subjects,
               coalesce(array_agg(b.code ORDER BY b.rank, b.subject COLLATE "C", b.code COLLATE "C")
                        FILTER (WHERE b.code IS NOT NULL), '{}') AS codes
        FROM ranked r
        CROSS JOIN settings s
        LEFT JOIN new_breaches b ON b.group_ref = r.group_ref
        GROUP BY r.group_ref, r.loss, s.own_funds
        ORDER BY r.loss DESC, r.group_ref COLLATE "C"
        """
}
