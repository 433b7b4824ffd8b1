-- What the recalculation reads, shaped so that it is read once and cheaply.
--
-- Each document carries the date of its lifecycle event of each kind (RULEBOOK.md §8: one event
-- of a kind per document, `document_events`' key), null when it has none. The recalculation classifies a
-- document from its own row (§4.1 rules 1 to 3) instead of aggregating and joining the events of
-- the whole tenant on every run. `document_events` stays the record of what was imported; a merge of
-- events sets these columns for the documents it touched, in the same transaction.

ALTER TABLE documents
    ADD COLUMN paid_on date,
    ADD COLUMN refused_on date,
    ADD COLUMN deposited_on date;

-- Events mostly arrive after their documents: room left on each page lets the date be written in
-- place (a heap-only update, no new entry in either index) instead of moving the row.
ALTER TABLE documents SET (fillfactor = 90);

UPDATE documents d
SET paid_on = e.paid_on, refused_on = e.refused_on, deposited_on = e.deposited_on
FROM (
    SELECT tenant_id, doc_ref,
           max(event_date) FILTER (WHERE event = 'paid') AS paid_on,
           max(event_date) FILTER (WHERE event = 'refused') AS refused_on,
           max(event_date) FILTER (WHERE event = 'deposited') AS deposited_on
    FROM document_events
    GROUP BY tenant_id, doc_ref
) e
WHERE d.tenant_id = e.tenant_id AND d.doc_ref = e.doc_ref;

-- The pair index carries each document's amount after its pair: the recalculation finds the pairs
-- where two documents have the same amount (the only ones that can hold a duplicate suspect, §8.3)
-- by reading this index in order, pair by pair, without sorting the tenant's documents. Every
-- lookup by pair still uses it as before.
DROP INDEX documents_pair;
CREATE INDEX documents_pair ON documents (tenant_id, debtor_id, client_id, amount);
