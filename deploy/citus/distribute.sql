-- Distributes a migrated factor-risk database over a Citus cluster. Run it on the coordinator, in
-- the factor-risk database, as the role factor-risk logs in as (the owner of its tables), after
-- `factor-risk migrate` and after the workers were added (README.md beside this file):
--
--     psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/citus/distribute.sql
--
-- It is idempotent: a table already distributed is left as it is, so the step can be run again
-- after a migration that added a table. The rows a table holds move into its shards.



DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'the citus extension is not installed in database %: CREATE EXTENSION citus first', current_database();
    END IF;
    IF to_regclass('factor_risk_migrations') IS NULL OR to_regclass('tenants') IS NULL THEN
        RAISE EXCEPTION 'database % is not migrated: run factor-risk migrate first', current_database();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'tenants' AND tableowner = current_user) THEN
        RAISE EXCEPTION 'run this step as the owner of the tables (the role factor-risk logs in as), not as %', current_user;
    END IF;
END
$$;

-- Foreign keys from the coordinator's local tables to reference tables would turn those local
-- tables into Citus-managed ones; the migrations table must stay a plain local table.
SET citus.enable_local_reference_table_foreign_keys = off;

-- The two global tables: their keys do not start with tenant_id, so every node gets a copy.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['currencies', 'tenants'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN
            PERFORM create_reference_table(t);
            RAISE NOTICE 'reference table %', t;
        END IF;
    END LOOP;
END
$$;

-- Every other table of the schema has tenant_id first in its keys: it is distributed by tenant_id,
-- every one co-located with `clients`, so that a tenant's rows of every table are on one node and
-- a query filtered on tenant_id goes to one shard. A table is distributed once the tables its
-- foreign keys name are, which is why the loop goes round until nothing is left.
DO $$
DECLARE
    pending regclass[];
    t regclass;
    progressed boolean;
BEGIN
    SELECT coalesce(array_agg(c.oid::regclass ORDER BY c.relname), '{}')
    INTO pending
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    WHERE c.relkind IN ('r', 'p')
      AND c.relname NOT IN ('currencies', 'tenants', 'factor_risk_migrations')
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
      AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid);
    LOOP
        EXIT WHEN cardinality(pending) = 0;
        progressed := false;
        FOREACH t IN ARRAY pending LOOP
            CONTINUE WHEN EXISTS (
                SELECT 1 FROM pg_constraint k
                WHERE k.conrelid = t AND k.contype = 'f' AND k.confrelid <> t
                  AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = k.confrelid));
            IF t = 'clients'::regclass OR NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'clients'::regclass) THEN
                PERFORM create_distributed_table(t, 'tenant_id', colocate_with => 'default');
            ELSE
                PERFORM create_distributed_table(t, 'tenant_id', colocate_with => 'clients');
            END IF;
            RAISE NOTICE 'distributed table %', t;
            pending := array_remove(pending, t);
            progressed := true;
        END LOOP;
        IF NOT progressed THEN
            RAISE EXCEPTION 'cannot order the distribution of %: a foreign key names a table that is not distributed', pending;
        END IF;
    END LOOP;
END
$$;

-- Citus opens its connections to the workers as the current role, and tenant-scoped work runs
-- as factor_risk_app (SET LOCAL ROLE): that role must be able to log in on the workers. It stays
-- without BYPASSRLS and owns nothing, so row-level security applies to it on every node.
ALTER ROLE factor_risk_app LOGIN;

-- Each tenant transaction sets its tenant with SET LOCAL app.tenant_id; Citus forwards SET LOCAL
-- to the workers only with this setting, and reads it from the role that logged in (a setting of
-- a role entered with SET ROLE is not applied). It takes effect on the next connection.
DO $$
BEGIN
    EXECUTE format('ALTER ROLE %I SET citus.propagate_set_commands = %L', current_user, 'local');
END
$$;

SELECT logicalrelid::text AS "table",
       CASE partmethod WHEN 'n' THEN 'reference' ELSE 'distributed by tenant_id' END AS placement,
       colocationid AS colocation
FROM pg_dist_partition
ORDER BY partmethod DESC, logicalrelid::text;
