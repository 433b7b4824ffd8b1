-- Rulebook version 3, part one (RULEBOOK.md §9.1–§9.3): limits in time and credit insurance, with
-- the policy parameters that judge them, their figures in the snapshots and the live pairs, and
-- the audit trail of limit decisions taken with notice.

ALTER TABLE policies
    ADD COLUMN insurance_notice_days integer NOT NULL DEFAULT 30 CHECK (insurance_notice_days BETWEEN 0 AND 36500),
    ADD COLUMN limit_notice_days integer NOT NULL DEFAULT 0 CHECK (limit_notice_days BETWEEN 0 AND 36500);

-- Changes of a debtor's credit limit (client_id NULL) or of a pair's approval (client_id set),
-- announced on one date and effective on another; an expiry is a change to 0. Base minor units.
-- Bundles load them (limit_changes.csv); the API's limit decisions add them (change_ref `api-…`).
CREATE TABLE limit_changes (
    tenant_id bigint NOT NULL,
    change_ref text NOT NULL CHECK (change_ref <> '' AND length(change_ref) <= 64),
    debtor_id bigint NOT NULL,
    client_id bigint,
    new_limit bigint NOT NULL CHECK (new_limit >= 0),
    announced_on date NOT NULL,
    effective_on date NOT NULL,
    CHECK (effective_on >= announced_on),
    PRIMARY KEY (tenant_id, change_ref),
    FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors (tenant_id, debtor_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, client_id) ON DELETE CASCADE
);
-- A debtor's changes (its credit limit's and its pairs'), for the engines and the limits route.
CREATE INDEX limit_changes_debtor ON limit_changes (tenant_id, debtor_id, effective_on);

-- The credit insurance the factor holds on a debtor: one policy per debtor.
CREATE TABLE insurance (
    tenant_id bigint NOT NULL,
    debtor_id bigint NOT NULL,
    insurer text NOT NULL CHECK (insurer <> '' AND length(insurer) <= 200),
    insured_limit bigint NOT NULL CHECK (insured_limit >= 0),
    cover_bp integer NOT NULL CHECK (cover_bp BETWEEN 0 AND 10000),
    valid_from date NOT NULL,
    valid_to date CHECK (valid_to >= valid_from),
    PRIMARY KEY (tenant_id, debtor_id),
    FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors (tenant_id, debtor_id) ON DELETE CASCADE
);

SELECT factor_risk_isolate_tenant_table(t) FROM unnest(ARRAY['limit_changes', 'insurance']::regclass[]) AS t;

-- A limit decision through the API records the change it made: when it takes effect, whether an
-- admin marked a cut urgent (taking effect sooner than limit_notice_days), and its change_ref.
ALTER TABLE limit_decisions
    ADD COLUMN effective_on date,
    ADD COLUMN urgent boolean NOT NULL DEFAULT false,
    ADD COLUMN change_ref text;

-- The §9 figures of each level, named by their flattened JSON name (`RiskReport+Columns.swift`).
-- Snapshots computed before this version had no pending change and no insurance: projected
-- guaranteed is guaranteed and net loss is covered.
ALTER TABLE snapshot_pairs
    ADD COLUMN pending_approved bigint,
    ADD COLUMN pending_on date,
    ADD COLUMN projected_guaranteed bigint NOT NULL DEFAULT 0;
UPDATE snapshot_pairs SET projected_guaranteed = guaranteed WHERE guaranteed <> 0;

ALTER TABLE snapshot_clients
    ADD COLUMN approval_cut bigint NOT NULL DEFAULT 0;

ALTER TABLE snapshot_debtors
    ADD COLUMN pending_limit bigint,
    ADD COLUMN pending_on date,
    ADD COLUMN projected_excess bigint NOT NULL DEFAULT 0,
    ADD COLUMN insured bigint NOT NULL DEFAULT 0,
    ADD COLUMN recoverable bigint NOT NULL DEFAULT 0,
    ADD COLUMN net_loss bigint NOT NULL DEFAULT 0;
UPDATE snapshot_debtors SET net_loss = covered WHERE covered <> 0;

ALTER TABLE snapshot_groups
    ADD COLUMN net_loss bigint NOT NULL DEFAULT 0;
UPDATE snapshot_groups SET net_loss = covered WHERE covered <> 0;

ALTER TABLE snapshots
    ADD COLUMN net_loss bigint NOT NULL DEFAULT 0;
UPDATE snapshots SET net_loss = covered WHERE covered <> 0;

-- A live debtor answer sums its group's net loss over the group's live debtors.
CREATE INDEX live_debtors_group ON live_debtors (tenant_id, as_of, group_ref);

ALTER TABLE live_pairs
    ADD COLUMN pending_approved bigint,
    ADD COLUMN pending_on date,
    ADD COLUMN projected_guaranteed bigint NOT NULL DEFAULT 0;

-- A live state built before this version lacks the new figures: every state is built anew.
DELETE FROM live_states;
DELETE FROM live_pairs;
DELETE FROM live_debtors;
DELETE FROM live_groups;
DELETE FROM live_countries;
DELETE FROM live_changes;
