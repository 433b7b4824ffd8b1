-- Rulebook version 2 (RULEBOOK.md §8) in the snapshots and the live pairs: the columns of the
-- figures `RiskReport+Columns.swift` declares for each level (named by their flattened JSON name),
-- and the portfolio's lists of collections and remittances left out for want of a rate.
-- Snapshots computed before this version read back with the version 2 figures at zero or null.

ALTER TABLE snapshot_pairs
    ADD COLUMN ineligible_paid bigint NOT NULL DEFAULT 0,
    ADD COLUMN ineligible_undeposited bigint NOT NULL DEFAULT 0,
    ADD COLUMN new_debtor boolean NOT NULL DEFAULT false;

ALTER TABLE snapshot_clients
    ADD COLUMN ineligible_paid bigint NOT NULL DEFAULT 0,
    ADD COLUMN ineligible_undeposited bigint NOT NULL DEFAULT 0,
    ADD COLUMN dilution_bp bigint,
    ADD COLUMN dilution_reserve bigint NOT NULL DEFAULT 0,
    ADD COLUMN collected bigint NOT NULL DEFAULT 0,
    ADD COLUMN remitted bigint NOT NULL DEFAULT 0,
    ADD COLUMN unremitted bigint NOT NULL DEFAULT 0,
    ADD COLUMN unremitted_days bigint,
    ADD COLUMN duplicate_suspects integer NOT NULL DEFAULT 0,
    ADD COLUMN round_invoices integer NOT NULL DEFAULT 0,
    ADD COLUMN round_share_bp bigint,
    ADD COLUMN new_debtor_eligible bigint NOT NULL DEFAULT 0,
    ADD COLUMN past_due_days bigint;

ALTER TABLE snapshot_debtors
    ADD COLUMN past_due_days bigint;

ALTER TABLE snapshots
    ADD COLUMN unremitted bigint NOT NULL DEFAULT 0,
    ADD COLUMN missing_fx_collections text[] NOT NULL DEFAULT '{}',
    ADD COLUMN missing_fx_remittances text[] NOT NULL DEFAULT '{}';

-- Live pairs hold `EngineSQL.pairColumns`: the pair's figures, how many documents took part, and
-- owed_days, the sum over its invoices that take part of o × max(0, D − due_date) (§8.4), from
-- which a live debtor's or client's past_due_days is summed without reading documents.
ALTER TABLE live_pairs
    ADD COLUMN ineligible_paid bigint NOT NULL DEFAULT 0,
    ADD COLUMN ineligible_undeposited bigint NOT NULL DEFAULT 0,
    ADD COLUMN new_debtor boolean NOT NULL DEFAULT false,
    ADD COLUMN owed_days numeric NOT NULL DEFAULT 0;

-- A live state built before this version lacks the new figures: every state is built anew.
DELETE FROM live_states;
DELETE FROM live_pairs;
DELETE FROM live_debtors;
DELETE FROM live_groups;
DELETE FROM live_countries;
DELETE FROM live_changes;
