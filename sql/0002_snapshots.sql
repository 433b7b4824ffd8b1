-- Snapshots: what a recalculation as of one date computed for one tenant (RULEBOOK.md §4, §6),
-- one table per level, keyed (tenant_id, as_of, entity). A rerun for the same date replaces a
-- snapshot in one transaction (all levels deleted, then written). Rows carry references (the
-- report's keys), not internal ids. No foreign keys between levels: a per-row check on millions
-- of rows would cost more than the computation, and only the engine writes these tables.

CREATE TABLE snapshots (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    as_of date NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    gross bigint NOT NULL,
    eligible bigint NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    risk_weighted bigint NOT NULL,
    hhi_ppm bigint,
    top10_share_bp bigint,
    clients integer NOT NULL,
    debtors integer NOT NULL,
    documents bigint NOT NULL,
    missing_fx text[] NOT NULL,
    PRIMARY KEY (tenant_id, as_of)
);

CREATE TABLE snapshot_pairs (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    client_ref text NOT NULL,
    debtor_ref text NOT NULL,
    approved bigint NOT NULL,
    gross bigint NOT NULL,
    credit_notes bigint NOT NULL,
    ineligible_disputed bigint NOT NULL,
    ineligible_aged bigint NOT NULL,
    ineligible_affiliate bigint NOT NULL,
    ineligible_embargo bigint NOT NULL,
    ineligible_unapproved bigint NOT NULL,
    ineligible_cross_aged bigint NOT NULL,
    eligible bigint NOT NULL,
    guaranteed bigint NOT NULL,
    over_approval bigint NOT NULL,
    cover_bp integer NOT NULL,
    covered bigint NOT NULL,
    risk_weighted bigint NOT NULL,
    cross_aged boolean NOT NULL,
    -- How many documents of the pair took part (for the portfolio's count).
    documents bigint NOT NULL,
    PRIMARY KEY (tenant_id, as_of, client_ref, debtor_ref)
);

CREATE TABLE snapshot_clients (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    client_ref text NOT NULL,
    mode text NOT NULL,
    gross bigint NOT NULL,
    credit_notes bigint NOT NULL,
    eligible bigint NOT NULL,
    over_approval bigint NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    risk_weighted bigint NOT NULL,
    ineligible_disputed bigint NOT NULL,
    ineligible_aged bigint NOT NULL,
    ineligible_affiliate bigint NOT NULL,
    ineligible_embargo bigint NOT NULL,
    ineligible_unapproved bigint NOT NULL,
    ineligible_cross_aged bigint NOT NULL,
    concentration_cap bigint NOT NULL,
    concentration_excess bigint NOT NULL,
    fundable bigint NOT NULL,
    holdback bigint NOT NULL,
    funding_capacity bigint NOT NULL,
    funded_balance bigint NOT NULL,
    availability bigint NOT NULL,
    tier smallint NOT NULL CHECK (tier BETWEEN 1 AND 4),
    flags text[] NOT NULL,
    PRIMARY KEY (tenant_id, as_of, client_ref)
);

CREATE TABLE snapshot_debtors (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    debtor_ref text NOT NULL,
    country char(2) NOT NULL,
    group_ref text NOT NULL,
    credit_limit bigint NOT NULL,
    gross bigint NOT NULL,
    eligible bigint NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    risk_weighted bigint NOT NULL,
    approved_total bigint NOT NULL,
    clients integer NOT NULL,
    utilization_bp bigint,
    headroom bigint NOT NULL,
    available_limit bigint NOT NULL,
    flags text[] NOT NULL,
    PRIMARY KEY (tenant_id, as_of, debtor_ref)
);

CREATE TABLE snapshot_groups (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    group_ref text NOT NULL,
    debtors integer NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    own_funds_bp bigint,
    "limit" bigint NOT NULL,
    flags text[] NOT NULL,
    PRIMARY KEY (tenant_id, as_of, group_ref)
);

CREATE TABLE snapshot_countries (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    country char(2) NOT NULL,
    gross bigint NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    debtors integer NOT NULL,
    grade smallint NOT NULL,
    embargoed boolean NOT NULL,
    "limit" bigint NOT NULL,
    share_bp bigint,
    utilization_bp bigint,
    headroom bigint NOT NULL,
    flags text[] NOT NULL,
    PRIMARY KEY (tenant_id, as_of, country)
);

SELECT factor_risk_isolate_tenant_table(t)
FROM unnest(ARRAY['snapshots', 'snapshot_pairs', 'snapshot_clients', 'snapshot_debtors', 'snapshot_groups',
                  'snapshot_countries']::regclass[]) AS t;
