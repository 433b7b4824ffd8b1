-- Bounds on the live aggregates (migration 0003).
--
-- Eviction drops the least recently used state of a tenant, not the least recently built one:
-- reads mark a state used (at most once a minute, so that reads leave few row versions behind).
ALTER TABLE live_states ADD COLUMN used_at timestamptz NOT NULL DEFAULT now();

-- A build inserts a row per pair and debtor of the tenant, and the eviction that follows deletes as
-- many: the live tables churn whole tenants while what they hold stays small. The default trigger
-- (20 % of a table dead) and a throttled vacuum let dead rows pile up faster than they are
-- reclaimed; here a vacuum (and an analyze) starts after a fixed count of changed rows, whatever
-- the table's size, and runs unthrottled, so the space of an evicted state is reused by the next
-- build instead of growing the files.
DO $$
DECLARE
    live regclass;
BEGIN
    FOREACH live IN ARRAY ARRAY['live_states', 'live_pairs', 'live_debtors', 'live_groups', 'live_countries',
                                'live_changes']::regclass[] LOOP
        EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, '
                       'autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000, '
                       'autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000, '
                       'autovacuum_vacuum_cost_delay = 0)', live);
    END LOOP;
END
$$;
