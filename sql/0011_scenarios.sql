-- Rulebook version 3, part two (RULEBOOK.md §9.4): what-if scenarios. A snapshot has variants:
-- the baseline the nightly job writes (scenario '') and scenarios run on the same data. A
-- scenario's rows are kept only when it is saved under a name (`saved_scenarios`); an unsaved
-- run writes its variants inside a savepoint and rolls them back. The variant is part of every
-- level's key, right after the date (tenant_id stays first: SCALE-OUT.md).

ALTER TABLE snapshots ADD COLUMN scenario text NOT NULL DEFAULT '';
ALTER TABLE snapshots DROP CONSTRAINT snapshots_pkey, ADD PRIMARY KEY (tenant_id, as_of, scenario);

ALTER TABLE snapshot_pairs ADD COLUMN scenario text NOT NULL DEFAULT '';
ALTER TABLE snapshot_pairs DROP CONSTRAINT snapshot_pairs_pkey, ADD PRIMARY KEY (tenant_id, as_of, scenario, client_ref, debtor_ref);

ALTER TABLE snapshot_clients ADD COLUMN scenario text NOT NULL DEFAULT '';
ALTER TABLE snapshot_clients DROP CONSTRAINT snapshot_clients_pkey, ADD PRIMARY KEY (tenant_id, as_of, scenario, client_ref);

ALTER TABLE snapshot_debtors ADD COLUMN scenario text NOT NULL DEFAULT '';
ALTER TABLE snapshot_debtors DROP CONSTRAINT snapshot_debtors_pkey, ADD PRIMARY KEY (tenant_id, as_of, scenario, debtor_ref);

ALTER TABLE snapshot_groups ADD COLUMN scenario text NOT NULL DEFAULT '';
ALTER TABLE snapshot_groups DROP CONSTRAINT snapshot_groups_pkey, ADD PRIMARY KEY (tenant_id, as_of, scenario, group_ref);

ALTER TABLE snapshot_countries ADD COLUMN scenario text NOT NULL DEFAULT '';
ALTER TABLE snapshot_countries DROP CONSTRAINT snapshot_countries_pkey, ADD PRIMARY KEY (tenant_id, as_of, scenario, country);

-- The flags of every variant; readers pick theirs (the baseline: scenario = '').
DROP VIEW snapshot_flags;
CREATE VIEW snapshot_flags WITH (security_invoker = true) AS
    SELECT s.tenant_id, s.as_of, s.scenario, 'client'::text AS level, s.client_ref AS subject, f.code, f.position
    FROM snapshot_clients s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position)
    UNION ALL
    SELECT s.tenant_id, s.as_of, s.scenario, 'debtor', s.debtor_ref, f.code, f.position
    FROM snapshot_debtors s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position)
    UNION ALL
    SELECT s.tenant_id, s.as_of, s.scenario, 'group', s.group_ref, f.code, f.position
    FROM snapshot_groups s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position)
    UNION ALL
    SELECT s.tenant_id, s.as_of, s.scenario, 'country', s.country::text, f.code, f.position
    FROM snapshot_countries s CROSS JOIN LATERAL unnest(s.flags) WITH ORDINALITY AS f (code, position);

GRANT SELECT ON snapshot_flags TO factor_risk_app;

-- A saved scenario: its definition (defaulted group refs; countries and their new grades, in
-- step) and its loss against the baseline it was run with, beside its snapshot variant of the
-- same name. The name is what `report --scenario` and `diff --scenario` are given: never '' (the
-- baseline), and never a character a temporary variant uses. Deleting the variant's snapshot row
-- deletes the definition with it.
CREATE TABLE saved_scenarios (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    name text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    defaulted text[] NOT NULL,
    grade_countries text[] NOT NULL,
    grades integer[] NOT NULL CHECK (cardinality(grades) = cardinality(grade_countries)),
    loss bigint NOT NULL,
    loss_own_funds_bp bigint,
    saved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, as_of, name),
    FOREIGN KEY (tenant_id, as_of, name) REFERENCES snapshots (tenant_id, as_of, scenario) ON DELETE CASCADE
);

SELECT factor_risk_isolate_tenant_table('saved_scenarios'::regclass);
