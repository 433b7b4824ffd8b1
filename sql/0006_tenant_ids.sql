-- Ids that count per tenant. API keys and limit decisions took their ids from sequences shared by
-- every tenant, so the gaps in one tenant's numbers told it how busy the others were. Each tenant
-- now has its own counters; ids already given keep their values, and a tenant's counter starts
-- from its largest.
CREATE TABLE tenant_counters (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    counter text NOT NULL CHECK (counter IN ('api_key', 'limit_decision')),
    last_value bigint NOT NULL CHECK (last_value > 0),
    PRIMARY KEY (tenant_id, counter)
);
SELECT factor_risk_isolate_tenant_table('tenant_counters'::regclass);
REVOKE DELETE ON tenant_counters FROM factor_risk_app;

INSERT INTO tenant_counters (tenant_id, counter, last_value)
SELECT tenant_id, 'api_key', max(key_id) FROM api_keys GROUP BY tenant_id;
INSERT INTO tenant_counters (tenant_id, counter, last_value)
SELECT tenant_id, 'limit_decision', max(decision_id) FROM limit_decisions GROUP BY tenant_id;

ALTER TABLE api_keys ALTER COLUMN key_id DROP IDENTITY;
ALTER TABLE limit_decisions ALTER COLUMN decision_id DROP IDENTITY;
