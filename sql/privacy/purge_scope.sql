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

-- _held (who holds which identifier) is kept: erasure attributes each tombstone from it.
CREATE OR REPLACE TEMP TABLE _held AS
SELECT * FROM (
    SELECT r.record_id, x.customer_id, 'email' AS kind, lower(trim(v)) AS value
    FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id),
         unnest([r.email, r.email_raw]) AS t(v)
    UNION ALL
    SELECT r.record_id, x.customer_id, 'phone', phone_norm(v)
    FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id),
         unnest([r.phone, r.phone_raw]) AS t(v)
    UNION ALL
    SELECT NULL, customer_id, 'email', lower(trim(email)) FROM _in_marts_golden_customers
    UNION ALL
    SELECT NULL, customer_id, 'phone', phone_norm(v) FROM _in_marts_golden_customers, unnest([mobile, landline]) AS t(v)
    UNION ALL
    SELECT e.customer_record_key, x.customer_id, 'email', lower(trim(e.email))
    FROM _in_staging_consent_events e LEFT JOIN _in_identity_customer_xref x ON x.record_id = e.customer_record_key
    WHERE e.customer_record_key IS NOT NULL
    UNION ALL
    SELECT e.customer_record_key, x.customer_id, 'phone', phone_norm(e.phone)
    FROM _in_staging_consent_events e LEFT JOIN _in_identity_customer_xref x ON x.record_id = e.customer_record_key
    WHERE e.customer_record_key IS NOT NULL
) WHERE value IS NOT NULL AND value NOT IN ('', '+');

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
