-- A group of one debtor is that debtor (RULEBOOK.md §4.6: a debtor without a group is its own):
-- its row repeats the debtor's guaranteed, covered and net loss. Most groups are such (30,667
-- groups for 33,320 debtors in a demo tenant of 500,000 documents), and their rows were about a
-- fifth of what a recalculation wrote. The table now keeps the groups of two debtors or more; the
-- debtor of a group of its own carries what its group's row has more (its share of own funds,
-- the group limit and the group's flags), and `snapshot_groups` is a view of both. Reading it
-- joins nothing: a view that looked for each debtor's group among the stored ones was planned,
-- on rows just written and without statistics, as a nested loop over both (minutes for a tenant
-- of 5,000,000 documents). Snapshots written before keep every group in the table.

ALTER TABLE snapshot_groups RENAME TO snapshot_group_totals;
ALTER INDEX snapshot_groups_pkey RENAME TO snapshot_group_totals_pkey;

ALTER TABLE snapshot_debtors
    ADD COLUMN group_own_funds_bp bigint,
    ADD COLUMN group_limit bigint,
    ADD COLUMN group_flags text[];

CREATE VIEW snapshot_groups WITH (security_invoker = true) AS
    SELECT tenant_id, as_of, scenario, group_ref, debtors, guaranteed, covered, own_funds_bp, "limit", net_loss, flags
    FROM snapshot_group_totals
    UNION ALL
    SELECT tenant_id, as_of, scenario, group_ref, 1, guaranteed, covered, group_own_funds_bp, group_limit, net_loss, group_flags
    FROM snapshot_debtors
    WHERE group_limit IS NOT NULL;

GRANT SELECT ON snapshot_groups TO factor_risk_app;

-- The flags view read the table; it reads the groups' view now, every level's flags unnested once.
DROP VIEW snapshot_flags;
CREATE VIEW snapshot_flags WITH (security_invoker = true) AS
    SELECT s.tenant_id, s.as_of, s.scenario, s.level, s.subject, f.code, f.position
    FROM (
        SELECT tenant_id, as_of, scenario, 'client'::text AS level, client_ref AS subject, flags FROM snapshot_clients
        UNION ALL SELECT tenant_id, as_of, scenario, 'debtor', debtor_ref, flags FROM snapshot_debtors
        UNION ALL SELECT tenant_id, as_of, scenario, 'group', group_ref, flags FROM snapshot_groups
        UNION ALL SELECT tenant_id, as_of, scenario, 'country', country::text, flags FROM snapshot_countries
    ) s
    CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position);

GRANT SELECT ON snapshot_flags TO factor_risk_app;
