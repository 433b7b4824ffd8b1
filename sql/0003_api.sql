-- The HTTP API: keys, the audit of limit decisions, and the live aggregates behind live answers.

-- API keys. The token a caller sends is `frk_<tenant_id>_<key_id>_<secret>`; only the SHA-256 of
-- its secret is kept. The ids in the token let a lookup filter on tenant_id like every query.
CREATE TABLE api_keys (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    key_id bigint GENERATED ALWAYS AS IDENTITY,
    token_sha256 bytea NOT NULL CHECK (length(token_sha256) = 32),
    role text NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    label text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, key_id)
);

-- Limit decisions: who changed a debtor's credit limit or an approval, when, from what, and why.
-- Append-only: the service role may read and insert, never update or delete.
CREATE TABLE limit_decisions (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    decision_id bigint GENERATED ALWAYS AS IDENTITY,
    decided_at timestamptz NOT NULL DEFAULT now(),
    subject text NOT NULL CHECK (subject IN ('credit_limit', 'approval')),
    client_ref text,
    debtor_ref text NOT NULL,
    old_value bigint,
    new_value bigint NOT NULL CHECK (new_value >= 0),
    decided_by text NOT NULL,
    reason text NOT NULL CHECK (reason <> ''),
    PRIMARY KEY (tenant_id, decision_id)
);

-- Live aggregates: the additive figures of RULEBOOK.md §4 as of one date per row, kept current
-- while documents and approvals change, so that a live answer reads a handful of rows instead of
-- the tenant's documents. A state is built whole for (tenant, as_of) on first use; writers then
-- record the pairs they touched in live_changes, and the next reader recomputes just those pairs
-- and moves the debtor, group, country and tenant sums by the difference.
CREATE TABLE live_states (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    as_of date NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now(),
    refreshed_at timestamptz NOT NULL DEFAULT now(),
    gross bigint NOT NULL,
    eligible bigint NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    risk_weighted bigint NOT NULL,
    documents bigint NOT NULL,
    PRIMARY KEY (tenant_id, as_of)
);

CREATE TABLE live_pairs (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    client_id bigint NOT NULL,
    debtor_id bigint NOT NULL,
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
    documents bigint NOT NULL,
    PRIMARY KEY (tenant_id, as_of, client_id, debtor_id)
);
CREATE INDEX live_pairs_debtor ON live_pairs (tenant_id, as_of, debtor_id);

-- One row per debtor of the tenant (every debtor, with zeros when it has no pair), with the keys
-- of its group (its own debtor_ref when it has none) and country as plain columns: joins on them
-- can use the keys of live_groups and live_countries under row-level security.
CREATE TABLE live_debtors (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    debtor_id bigint NOT NULL,
    group_ref text NOT NULL,
    country char(2) NOT NULL,
    gross bigint NOT NULL,
    eligible bigint NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    risk_weighted bigint NOT NULL,
    clients integer NOT NULL,
    PRIMARY KEY (tenant_id, as_of, debtor_id)
);

CREATE TABLE live_groups (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    group_ref text NOT NULL,
    debtors integer NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    PRIMARY KEY (tenant_id, as_of, group_ref)
);

CREATE TABLE live_countries (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    country char(2) NOT NULL,
    debtors integer NOT NULL,
    gross bigint NOT NULL,
    guaranteed bigint NOT NULL,
    covered bigint NOT NULL,
    PRIMARY KEY (tenant_id, as_of, country)
);

-- Pairs whose documents or approval changed since the live state of that date last saw them.
CREATE TABLE live_changes (
    tenant_id bigint NOT NULL,
    as_of date NOT NULL,
    client_id bigint NOT NULL,
    debtor_id bigint NOT NULL,
    PRIMARY KEY (tenant_id, as_of, client_id, debtor_id)
);

-- A pair's documents, for the live recomputation of just that pair.
CREATE INDEX documents_pair ON documents (tenant_id, debtor_id, client_id);

SELECT factor_risk_isolate_tenant_table(t)
FROM unnest(ARRAY['api_keys', 'limit_decisions', 'live_states', 'live_pairs', 'live_debtors', 'live_groups',
                  'live_countries', 'live_changes']::regclass[]) AS t;
REVOKE UPDATE, DELETE ON limit_decisions FROM factor_risk_app;
REVOKE DELETE ON api_keys FROM factor_risk_app;
