-- Every flag of a stored snapshot, one row per subject and flag: the one place where the four
-- levels that carry flags are read together (a report's flag counts, the flags route, the
-- breaches a recalculation adds and clears). `position` keeps each subject's flags in the order
-- its row lists them. security_invoker: the snapshot tables' row-level security applies to
-- whoever reads the view, as it does to whoever reads the tables.
CREATE VIEW snapshot_flags WITH (security_invoker = true) AS
    SELECT s.tenant_id, s.as_of, 'client'::text AS level, s.client_ref AS subject, f.code, f.position
    FROM snapshot_clients s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position)
    UNION ALL
    SELECT s.tenant_id, s.as_of, 'debtor', s.debtor_ref, f.code, f.position
    FROM snapshot_debtors s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position)
    UNION ALL
    SELECT s.tenant_id, s.as_of, 'group', s.group_ref, f.code, f.position
    FROM snapshot_groups s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position)
    UNION ALL
    SELECT s.tenant_id, s.as_of, 'country', s.country::text, f.code, f.position
    FROM snapshot_countries s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position);

GRANT SELECT ON snapshot_flags TO factor_risk_app;
