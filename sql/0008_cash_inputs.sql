-- Rulebook version 2 (RULEBOOK.md §8): what the clients who hold the cash report, and what the
-- e-invoicing platform says of their invoices, with the policy parameters that judge them.

ALTER TABLE policies
    ADD COLUMN remittance_days integer NOT NULL DEFAULT 2 CHECK (remittance_days BETWEEN 0 AND 36500),
    ADD COLUMN deposit_days integer CHECK (deposit_days BETWEEN 0 AND 36500),
    ADD COLUMN dilution_window_days integer NOT NULL DEFAULT 90 CHECK (dilution_window_days BETWEEN 0 AND 36500),
    ADD COLUMN dilution_allowance_bp integer NOT NULL DEFAULT 500 CHECK (dilution_allowance_bp BETWEEN 0 AND 10000),
    ADD COLUMN dilution_warn_bp integer NOT NULL DEFAULT 1000 CHECK (dilution_warn_bp BETWEEN 0 AND 10000),
    ADD COLUMN duplicate_days integer NOT NULL DEFAULT 3 CHECK (duplicate_days BETWEEN 0 AND 36500),
    ADD COLUMN round_window_days integer NOT NULL DEFAULT 30 CHECK (round_window_days BETWEEN 0 AND 36500),
    ADD COLUMN round_unit bigint NOT NULL DEFAULT 1000 CHECK (round_unit BETWEEN 1 AND 1000000000000),
    ADD COLUMN round_min_invoices integer NOT NULL DEFAULT 10 CHECK (round_min_invoices BETWEEN 0 AND 1000000000),
    ADD COLUMN round_warn_bp integer NOT NULL DEFAULT 3000 CHECK (round_warn_bp BETWEEN 0 AND 10000),
    ADD COLUMN new_debtor_days integer NOT NULL DEFAULT 60 CHECK (new_debtor_days BETWEEN 0 AND 36500),
    ADD COLUMN new_debtor_warn_bp integer NOT NULL DEFAULT 2500 CHECK (new_debtor_warn_bp BETWEEN 0 AND 10000),
    ADD COLUMN slow_payer_days integer NOT NULL DEFAULT 30 CHECK (slow_payer_days BETWEEN 0 AND 36500);

-- Payments a debtor made on a document and its client reports having received itself; amount in
-- the document's currency (the client and the currency are the document's).
CREATE TABLE collections (
    tenant_id bigint NOT NULL,
    collection_ref text NOT NULL CHECK (collection_ref <> '' AND length(collection_ref) <= 64),
    doc_ref text NOT NULL CHECK (doc_ref <> '' AND length(doc_ref) <= 64),
    collected_on date NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, collection_ref)
);

-- Cash the factor received from a client to pass on what it collected, in its own currency.
CREATE TABLE remittances (
    tenant_id bigint NOT NULL,
    remittance_ref text NOT NULL CHECK (remittance_ref <> '' AND length(remittance_ref) <= 64),
    client_id bigint NOT NULL,
    received_on date NOT NULL,
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, remittance_ref)
);
-- No foreign key to clients, as on documents: its per-row trigger check took most of a bulk load
-- (2.0 s of 2.4 s for 220,000 remittances); every writer resolves client_ref to client_id by a
-- set-based join of the tenant's clients, so a remittance can only name a client that exists.

-- The lifecycle statuses the e-invoicing platform reported for a document, one per (document, event).
CREATE TABLE document_events (
    tenant_id bigint NOT NULL,
    doc_ref text NOT NULL CHECK (doc_ref <> '' AND length(doc_ref) <= 64),
    event text NOT NULL CHECK (event IN ('deposited', 'refused', 'paid')),
    event_date date NOT NULL,
    PRIMARY KEY (tenant_id, doc_ref, event)
);
-- Collections and events name their document by its key, doc_ref (documents have no surrogate id),
-- with no foreign key: like documents, every writer checks that the document exists set-based.
-- The collections of a document and a client's remittances, for the live answers of a client.
CREATE INDEX collections_document ON collections (tenant_id, doc_ref);
CREATE INDEX remittances_client ON remittances (tenant_id, client_id);

SELECT factor_risk_isolate_tenant_table(t)
FROM unnest(ARRAY['collections', 'remittances', 'document_events']::regclass[]) AS t;
