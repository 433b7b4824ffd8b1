-- Schema v1: the inputs of the rulebook (RULEBOOK.md §3), per tenant.
--
-- Rules this file keeps (SCALE-OUT.md): tenant_id leads every key and index of a tenant table, no
-- foreign key crosses tenants, and every tenant table has row-level security keyed on the
-- per-transaction setting app.tenant_id. Money is bigint minor units; the checks below refuse what
-- must never be stored whatever the client. Under Citus, currencies and tenants become reference
-- tables and every other table is distributed by tenant_id, with no change to this file.

-- The service's role. Tenant-scoped work runs as it (SET LOCAL ROLE): it owns nothing, so
-- row-level security applies to it, unlike to the owner of the tables.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'factor_risk_app') THEN
        CREATE ROLE factor_risk_app NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, 'factor_risk_app', 'MEMBER') THEN
        EXECUTE format('GRANT factor_risk_app TO %I', current_user);
    END IF;
END
$$;

-- ISO 4217: every currency and its number of minor digits. Global, the same for every tenant.
CREATE TABLE currencies (
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    exponent smallint NOT NULL CHECK (exponent BETWEEN 0 AND 4),
    PRIMARY KEY (currency)
);

INSERT INTO currencies (currency, exponent) VALUES
    ('AED', 2),
    ('AFN', 2),
    ('ALL', 2),
    ('AMD', 2),
    ('ANG', 2),
    ('AOA', 2),
    ('ARS', 2),
    ('AUD', 2),
    ('AWG', 2),
    ('AZN', 2),
    ('BAM', 2),
    ('BBD', 2),
    ('BDT', 2),
    ('BGN', 2),
    ('BHD', 3),
    ('BIF', 0),
    ('BMD', 2),
    ('BND', 2),
    ('BOB', 2),
    ('BOV', 2),
    ('BRL', 2),
    ('BSD', 2),
    ('BTN', 2),
    ('BWP', 2),
    ('BYN', 2),
    ('BZD', 2),
    ('CAD', 2),
    ('CDF', 2),
    ('CHE', 2),
    ('CHF', 2),
    ('CHW', 2),
    ('CLF', 4),
    ('CLP', 0),
    ('CNY', 2),
    ('COP', 2),
    ('COU', 2),
    ('CRC', 2),
    ('CUC', 2),
    ('CUP', 2),
    ('CVE', 2),
    ('CZK', 2),
    ('DJF', 0),
    ('DKK', 2),
    ('DOP', 2),
    ('DZD', 2),
    ('EGP', 2),
    ('ERN', 2),
    ('ETB', 2),
    ('EUR', 2),
    ('FJD', 2),
    ('FKP', 2),
    ('GBP', 2),
    ('GEL', 2),
    ('GHS', 2),
    ('GIP', 2),
    ('GMD', 2),
    ('GNF', 0),
    ('GTQ', 2),
    ('GYD', 2),
    ('HKD', 2),
    ('HNL', 2),
    ('HTG', 2),
    ('HUF', 2),
    ('IDR', 2),
    ('ILS', 2),
    ('INR', 2),
    ('IQD', 3),
    ('IRR', 2),
    ('ISK', 0),
    ('JMD', 2),
    ('JOD', 3),
    ('JPY', 0),
    ('KES', 2),
    ('KGS', 2),
    ('KHR', 2),
    ('KMF', 0),
    ('KPW', 2),
    ('KRW', 0),
    ('KWD', 3),
    ('KYD', 2),
    ('KZT', 2),
    ('LAK', 2),
    ('LBP', 2),
    ('LKR', 2),
    ('LRD', 2),
    ('LSL', 2),
    ('LYD', 3),
    ('MAD', 2),
    ('MDL', 2),
    ('MGA', 2),
    ('MKD', 2),
    ('MMK', 2),
    ('MNT', 2),
    ('MOP', 2),
    ('MRU', 2),
    ('MUR', 2),
    ('MVR', 2),
    ('MWK', 2),
    ('MXN', 2),
    ('MXV', 2),
    ('MYR', 2),
    ('MZN', 2),
    ('NAD', 2),
    ('NGN', 2),
    ('NIO', 2),
    ('NOK', 2),
    ('NPR', 2),
    ('NZD', 2),
    ('OMR', 3),
    ('PAB', 2),
    ('PEN', 2),
    ('PGK', 2),
    ('PHP', 2),
    ('PKR', 2),
    ('PLN', 2),
    ('PYG', 0),
    ('QAR', 2),
    ('RON', 2),
    ('RSD', 2),
    ('RUB', 2),
    ('RWF', 0),
    ('SAR', 2),
    ('SBD', 2),
    ('SCR', 2),
    ('SDG', 2),
    ('SEK', 2),
    ('SGD', 2),
    ('SHP', 2),
    ('SLE', 2),
    ('SLL', 2),
    ('SOS', 2),
    ('SRD', 2),
    ('SSP', 2),
    ('STN', 2),
    ('SVC', 2),
    ('SYP', 2),
    ('SZL', 2),
    ('THB', 2),
    ('TJS', 2),
    ('TMT', 2),
    ('TND', 3),
    ('TOP', 2),
    ('TRY', 2),
    ('TTD', 2),
    ('TWD', 2),
    ('TZS', 2),
    ('UAH', 2),
    ('UGX', 0),
    ('USD', 2),
    ('USN', 2),
    ('UYI', 0),
    ('UYU', 2),
    ('UYW', 4),
    ('UZS', 2),
    ('VED', 2),
    ('VES', 2),
    ('VND', 0),
    ('VUV', 0),
    ('WST', 2),
    ('XAF', 0),
    ('XCD', 2),
    ('XCG', 2),
    ('XOF', 0),
    ('XPF', 0),
    ('YER', 2),
    ('ZAR', 2),
    ('ZMW', 2),
    ('ZWG', 2);

-- The directory of tenants (one factor each). tenant_ref is what people and files name a tenant by;
-- it is unique across the directory, which is a reference table under Citus.
CREATE TABLE tenants (
    tenant_id bigint GENERATED ALWAYS AS IDENTITY,
    tenant_ref text NOT NULL CHECK (tenant_ref ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name text NOT NULL CHECK (name <> ''),
    base_currency char(3) NOT NULL REFERENCES currencies (currency),
    home_country char(2) NOT NULL CHECK (home_country ~ '^[A-Z]{2}$'),
    own_funds bigint NOT NULL CHECK (own_funds >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
CREATE UNIQUE INDEX tenants_tenant_ref_key ON tenants (tenant_ref);

-- Policy parameters (RULEBOOK.md §5). A tenant without a row uses the defaults, which are the
-- column defaults here. confidential_min_revenue NULL means 15 000 000 units of the base currency.
CREATE TABLE policies (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    max_days_from_invoice integer NOT NULL DEFAULT 90 CHECK (max_days_from_invoice >= 0),
    max_days_past_due integer NOT NULL DEFAULT 60 CHECK (max_days_past_due >= 0),
    cross_age_bp integer NOT NULL DEFAULT 5000 CHECK (cross_age_bp BETWEEN 0 AND 10000),
    cover_domestic_bp integer NOT NULL DEFAULT 10000 CHECK (cover_domestic_bp BETWEEN 0 AND 10000),
    cover_foreign_bp integer NOT NULL DEFAULT 9000 CHECK (cover_foreign_bp BETWEEN 0 AND 10000),
    concentration_cap_notified_bp integer NOT NULL DEFAULT 3000 CHECK (concentration_cap_notified_bp BETWEEN 0 AND 10000),
    concentration_cap_delegated_bp integer NOT NULL DEFAULT 2500 CHECK (concentration_cap_delegated_bp BETWEEN 0 AND 10000),
    concentration_cap_confidential_bp integer NOT NULL DEFAULT 2000 CHECK (concentration_cap_confidential_bp BETWEEN 0 AND 10000),
    weight_notified_bp integer NOT NULL DEFAULT 10000 CHECK (weight_notified_bp BETWEEN 0 AND 100000),
    weight_delegated_bp integer NOT NULL DEFAULT 12500 CHECK (weight_delegated_bp BETWEEN 0 AND 100000),
    weight_confidential_bp integer NOT NULL DEFAULT 15000 CHECK (weight_confidential_bp BETWEEN 0 AND 100000),
    country_cap_bp integer[] NOT NULL DEFAULT '{10000,10000,2500,2000,1500,1000,500,250}'
        CHECK (cardinality(country_cap_bp) = 8 AND array_position(country_cap_bp, NULL) IS NULL
               AND 0 <= ALL (country_cap_bp) AND 10000 >= ALL (country_cap_bp)),
    default_country_grade smallint NOT NULL DEFAULT 7 CHECK (default_country_grade BETWEEN 0 AND 7),
    large_exposure_report_bp integer NOT NULL DEFAULT 1000 CHECK (large_exposure_report_bp BETWEEN 0 AND 10000),
    large_exposure_limit_bp integer NOT NULL DEFAULT 2500 CHECK (large_exposure_limit_bp BETWEEN 0 AND 10000),
    utilization_warn_bp integer NOT NULL DEFAULT 8000 CHECK (utilization_warn_bp BETWEEN 0 AND 10000),
    confidential_min_revenue bigint CHECK (confidential_min_revenue >= 0),
    confidential_max_grade smallint NOT NULL DEFAULT 5 CHECK (confidential_max_grade BETWEEN 1 AND 10),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- Country risk: grade 0 (safest) to 7, embargoes, an optional explicit limit in base minor units.
CREATE TABLE countries (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    grade smallint NOT NULL CHECK (grade BETWEEN 0 AND 7),
    embargoed boolean NOT NULL DEFAULT false,
    explicit_limit bigint CHECK (explicit_limit >= 0),
    PRIMARY KEY (tenant_id, country)
);

-- The factor's clients (the sellers). Amounts in base minor units.
CREATE TABLE clients (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    client_id bigint GENERATED ALWAYS AS IDENTITY,
    client_ref text NOT NULL CHECK (client_ref <> '' AND length(client_ref) <= 64),
    name text NOT NULL,
    country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    mode text NOT NULL CHECK (mode IN ('notified', 'delegated', 'confidential')),
    annual_revenue bigint NOT NULL CHECK (annual_revenue >= 0),
    financial_grade smallint NOT NULL CHECK (financial_grade BETWEEN 1 AND 10),
    holdback_bp integer NOT NULL CHECK (holdback_bp BETWEEN 0 AND 10000),
    funding_limit bigint NOT NULL CHECK (funding_limit >= 0),
    funded_balance bigint NOT NULL CHECK (funded_balance >= 0),
    group_ref text CHECK (group_ref <> '' AND length(group_ref) <= 64),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, client_id),
    UNIQUE (tenant_id, client_ref)
);

-- The debtors (the buyers who owe the invoices). credit_limit in base minor units.
CREATE TABLE debtors (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    debtor_id bigint GENERATED ALWAYS AS IDENTITY,
    debtor_ref text NOT NULL CHECK (debtor_ref <> '' AND length(debtor_ref) <= 64),
    name text NOT NULL,
    country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    group_ref text CHECK (group_ref <> '' AND length(group_ref) <= 64),
    credit_limit bigint NOT NULL CHECK (credit_limit >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, debtor_id),
    UNIQUE (tenant_id, debtor_ref)
);
CREATE INDEX debtors_group ON debtors (tenant_id, group_ref);

-- Approvals (agréments): how much of a client's receivables on a debtor the factor guarantees.
CREATE TABLE approvals (
    tenant_id bigint NOT NULL,
    client_id bigint NOT NULL,
    debtor_id bigint NOT NULL,
    approved bigint NOT NULL CHECK (approved >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, client_id, debtor_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, client_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, debtor_id) REFERENCES debtors (tenant_id, debtor_id) ON DELETE CASCADE
);
CREATE INDEX approvals_debtor ON approvals (tenant_id, debtor_id);

-- Invoices and credit notes, in their own currency's minor units.
CREATE TABLE documents (
    tenant_id bigint NOT NULL,
    document_id bigint GENERATED ALWAYS AS IDENTITY,
    doc_ref text NOT NULL CHECK (doc_ref <> '' AND length(doc_ref) <= 64),
    client_id bigint NOT NULL,
    debtor_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount bigint NOT NULL CHECK (amount >= 0),
    open_amount bigint NOT NULL CHECK (open_amount >= 0),
    issue_date date NOT NULL,
    due_date date NOT NULL,
    disputed boolean NOT NULL DEFAULT false,
    CONSTRAINT documents_open_within_amount CHECK (open_amount <= amount),
    CONSTRAINT documents_due_not_before_issue CHECK (due_date >= issue_date),
    PRIMARY KEY (tenant_id, document_id),
    UNIQUE (tenant_id, doc_ref)
);
-- No foreign keys on documents: at tens of millions of rows, a per-row trigger check would
-- dominate every bulk load. Every writer resolves client_id and debtor_id by joining the
-- tenant's clients and debtors (set-based), so a document can only name rows that exist.
-- No secondary index: the recalculation reads a tenant's documents whole, through the primary
-- key's leading tenant_id, and each secondary index would cost a random B-tree insert per row on
-- every bulk load (measured: two of them more than doubled the time of a 1,000,000-row merge).

-- Exchange rates: base-currency units for one unit of `currency`, from `as_of` on.
CREATE TABLE fx_rates (
    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    currency char(3) NOT NULL REFERENCES currencies (currency),
    as_of date NOT NULL,
    rate numeric(24, 12) NOT NULL CHECK (rate > 0),
    PRIMARY KEY (tenant_id, currency, as_of)
);

-- Row-level security: a transaction sees and writes only the rows of the tenant it set with
-- SET LOCAL app.tenant_id. Unset (or reset to '') matches nothing. No subquery in a policy.
-- Every later migration that adds a tenant table calls this function too.
CREATE FUNCTION factor_risk_isolate_tenant_table(t regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s '
        'USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::bigint) '
        'WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::bigint)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO factor_risk_app', t);
END
$$;
SELECT factor_risk_isolate_tenant_table(t)
FROM unnest(ARRAY['tenants', 'policies', 'countries', 'clients', 'debtors', 'approvals', 'documents', 'fx_rates']::regclass[]) AS t;
GRANT SELECT ON currencies TO factor_risk_app;
GRANT USAGE ON SCHEMA public TO factor_risk_app;
