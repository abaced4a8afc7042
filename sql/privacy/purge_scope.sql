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

-- Every holding of an identifier in the warehouse (record, customer, kind, value). A view, never
-- materialised: grouping all of it cost seconds per purge at 100k persons, whatever the purge's size.
CREATE OR REPLACE TEMP VIEW _holdings AS
WITH rec AS (
    SELECT r.record_id, x.customer_id, r.email, r.email_raw, r.phone, r.phone_raw
    FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id)
),
ev AS (
    SELECT e.customer_record_key AS record_id, x.customer_id, e.email, e.phone
    FROM _in_staging_consent_events e LEFT JOIN _in_identity_customer_xref x ON x.record_id = e.customer_record_key
    WHERE e.customer_record_key IS NOT NULL
)
-- Values are unnested in the select list, not through a lateral unnest(): DuckDB plans the
-- lateral form as a dependent join, and filtered (as below) it took 7 s at 100k persons, 0.3 s here.
SELECT * FROM (
    SELECT record_id, customer_id, 'email' AS kind, unnest([lower(trim(email)), lower(trim(email_raw))]) AS value FROM rec
    UNION ALL
    SELECT record_id, customer_id, 'phone', unnest([phone_norm(phone), phone_norm(phone_raw)]) FROM rec
    UNION ALL
    SELECT NULL, customer_id, 'email', lower(trim(email)) FROM _in_marts_golden_customers
    UNION ALL
    SELECT NULL, customer_id, 'phone', unnest([phone_norm(mobile), phone_norm(landline)]) FROM _in_marts_golden_customers
    UNION ALL
    SELECT record_id, customer_id, 'email', lower(trim(email)) FROM ev
    UNION ALL
    SELECT record_id, customer_id, 'phone', phone_norm(phone) FROM ev
) WHERE value IS NOT NULL AND value NOT IN ('', '+');

-- Candidates: what the scope itself holds, and the seeds. Only these can be the person's alone.
CREATE OR REPLACE TEMP TABLE _purge_candidates AS
SELECT kind, value FROM _holdings
WHERE record_id IN (SELECT record_id FROM _purge_records) OR customer_id IN (SELECT customer_id FROM _purge_customers)
UNION SELECT kind, value FROM _purge_seed_ids;

-- _held: every holder of a candidate, inside the scope or not (erasure attributes each tombstone
-- from it, sql/privacy/erasure_owners.sql). One filter pass over the holdings.
CREATE OR REPLACE TEMP TABLE _held AS
SELECT * FROM _holdings SEMI JOIN _purge_candidates USING (kind, value);

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
