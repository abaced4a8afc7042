-- Expand the seeds (_purge_customers, _purge_records, _purge_seed_ids) to everything that
-- identifies the person(s): all records of their customer ids, and the emails/phones those
-- records, golden records and consent events hold. An identifier also held by someone
-- outside the scope (a family email, a shared landline) is NOT the person's alone: it is
-- left in place for the others and not tombstoned, even when the request named it.
INSERT INTO _purge_records
SELECT record_id FROM _in_identity_customer_xref WHERE customer_id IN (SELECT customer_id FROM _purge_customers)
EXCEPT SELECT record_id FROM _purge_records;
INSERT INTO _purge_customers
SELECT customer_id FROM _in_identity_customer_xref WHERE record_id IN (SELECT record_id FROM _purge_records)
EXCEPT SELECT customer_id FROM _purge_customers;

-- The scope's records: seeded, or held by a scoped customer (a record's customer is its xref row).
CREATE OR REPLACE TEMP TABLE _purge_scope_records AS
SELECT record_id FROM _purge_records
UNION SELECT record_id FROM _in_identity_customer_xref WHERE customer_id IN (SELECT customer_id FROM _purge_customers);

-- Candidates: what the scope itself holds, and the seeds. Only these can be the person's alone.
-- Created empty first: the holdings macros below read it (bound when they are created).
CREATE OR REPLACE TEMP TABLE _purge_candidates (kind VARCHAR, value VARCHAR);

-- Every holding of an identifier in the warehouse, never materialised (grouping all of it cost
-- seconds per purge at 100k persons, whatever the purge's size): _record_holdings (record, kind,
-- value) of identity records and consent events, _customer_holdings (customer, kind, value) of
-- golden records. Table macros over the rows `held_by` names: 'scope', the scope's rows, or
-- 'candidates', the rows holding a candidate. Rows are filtered before their values are unnested
-- and records joined to their customer only once matched: a filter on the unnested rows was not
-- pushed below the unnest (every phone was normalised into a list, 2.5 s at 1M persons; filtered
-- first 1.6 s), and joining every record to the xref first cost most of the scope at 1M persons.
-- Values are unnested in the select list, not through a lateral unnest(): DuckDB plans the
-- lateral form as a dependent join, and filtered (as below) it took 7 s at 100k persons, 0.3 s here.
CREATE OR REPLACE TEMP MACRO _record_holdings(held_by) AS TABLE
WITH rec AS (
    SELECT * FROM _in_staging_identity_records
    WHERE CASE WHEN held_by = 'scope' THEN record_id IN (SELECT record_id FROM _purge_scope_records)
               ELSE lower(trim(email)) IN (SELECT value FROM _purge_candidates WHERE kind = 'email')
                 OR lower(trim(email_raw)) IN (SELECT value FROM _purge_candidates WHERE kind = 'email')
                 OR phone_norm(phone) IN (SELECT value FROM _purge_candidates WHERE kind = 'phone')
                 OR phone_norm(phone_raw) IN (SELECT value FROM _purge_candidates WHERE kind = 'phone') END
),
ev AS (
    SELECT customer_record_key AS record_id, email, phone FROM _in_staging_consent_events
    WHERE customer_record_key IS NOT NULL
      AND CASE WHEN held_by = 'scope' THEN customer_record_key IN (SELECT record_id FROM _purge_scope_records)
               ELSE lower(trim(email)) IN (SELECT value FROM _purge_candidates WHERE kind = 'email')
                 OR phone_norm(phone) IN (SELECT value FROM _purge_candidates WHERE kind = 'phone') END
)
SELECT * FROM (
    SELECT record_id, 'email' AS kind, unnest([lower(trim(email)), lower(trim(email_raw))]) AS value FROM rec
    UNION ALL
    SELECT record_id, 'phone', unnest([phone_norm(phone), phone_norm(phone_raw)]) FROM rec
    UNION ALL
    SELECT record_id, 'email', lower(trim(email)) FROM ev
    UNION ALL
    SELECT record_id, 'phone', phone_norm(phone) FROM ev
) WHERE value IS NOT NULL AND value NOT IN ('', '+');

CREATE OR REPLACE TEMP MACRO _customer_holdings(held_by) AS TABLE
WITH g AS (
    SELECT * FROM _in_marts_golden_customers
    WHERE CASE WHEN held_by = 'scope' THEN customer_id IN (SELECT customer_id FROM _purge_customers)
               ELSE lower(trim(email)) IN (SELECT value FROM _purge_candidates WHERE kind = 'email')
                 OR phone_norm(mobile) IN (SELECT value FROM _purge_candidates WHERE kind = 'phone')
                 OR phone_norm(landline) IN (SELECT value FROM _purge_candidates WHERE kind = 'phone') END
)
SELECT * FROM (
    SELECT customer_id, 'email' AS kind, lower(trim(email)) AS value FROM g
    UNION ALL
    SELECT customer_id, 'phone', unnest([phone_norm(mobile), phone_norm(landline)]) FROM g
) WHERE value IS NOT NULL AND value NOT IN ('', '+');

INSERT INTO _purge_candidates
SELECT kind, value FROM _record_holdings('scope')
UNION SELECT kind, value FROM _customer_holdings('scope')
UNION SELECT kind, value FROM _purge_seed_ids;

-- _held (record_id, customer_id, kind, value): every holder of a candidate, inside the scope or
-- not (erasure attributes each tombstone from it, sql/privacy/erasure_owners.sql). One filter
-- pass over the holdings; a record's customer is its xref row.
CREATE OR REPLACE TEMP TABLE _held AS
SELECT h.record_id, x.customer_id, h.kind, h.value
FROM (SELECT * FROM _record_holdings('candidates') SEMI JOIN _purge_candidates USING (kind, value)) h
LEFT JOIN _in_identity_customer_xref x USING (record_id)
UNION ALL
SELECT NULL, customer_id, kind, value FROM _customer_holdings('candidates') SEMI JOIN _purge_candidates USING (kind, value);

CREATE OR REPLACE TEMP TABLE _purge_ids AS
WITH tagged AS (
    SELECT kind, value,
           record_id IN (SELECT record_id FROM _purge_records)
           OR customer_id IN (SELECT customer_id FROM _purge_customers) AS inside
    FROM _held
    UNION ALL
    SELECT kind, value, true FROM _purge_seed_ids
)
SELECT kind, value FROM tagged GROUP BY kind, value HAVING bool_and(coalesce(inside, false));
