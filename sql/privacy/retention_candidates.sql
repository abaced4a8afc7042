-- Customers past their retention period on $run_date (CNIL guidance for prospection data):
--   rule 'customer': has a paid purchase, the last one older than {{ customer_years }} years;
--   rule 'prospect': never paid; the last contact they initiated (order of any status, service
--   contact, consent event however keyed, record creation or update) older than {{ prospect_years }} years.
-- A prospect with no dated activity at all is kept (unknown age is not expiry).
--
-- Consent events are resolved for the stale prospects only: those whose orders, contacts and
-- records are all older than the limit (or undated). Only their consent events can make anyone
-- due, and resolving every event to its customers was 3 of this query's 5 s at 1M persons
-- (2% of customers are stale prospects there). _retention_consent_events keeps every event that
-- can resolve to one of them, by key or by contact point (sql/marketing/consent_resolved.sql):
-- keyed to one of their records, or to a record holding one of their emails or phones (the
-- event's contact point falls back to its key record's), or carrying one of those itself.
CREATE OR REPLACE TEMP TABLE _retention_activity AS
WITH x AS (SELECT record_id, customer_id FROM _in_identity_customer_xref WHERE customer_id IS NOT NULL)
SELECT c.customer_id, coalesce(a.has_paid, false) AS has_paid, a.last_paid, a.last_other
FROM (SELECT DISTINCT customer_id FROM x) c
LEFT JOIN (
    SELECT x.customer_id, bool_or(a.paid) AS has_paid, max(a.ts) FILTER (WHERE a.paid) AS last_paid,
           max(a.ts) AS last_other
    FROM (
        SELECT customer_record_key AS record_id, order_ts AS ts, status = 'paid' AND amount > 0 AS paid
        FROM _in_staging_orders
        UNION ALL SELECT customer_record_key, contact_ts, false FROM _in_staging_contacts
        UNION ALL SELECT record_id, greatest(created_at, updated_at), false FROM _in_staging_identity_records
    ) a JOIN x USING (record_id) GROUP BY ALL
) a USING (customer_id);

CREATE OR REPLACE TEMP TABLE _retention_stale AS
SELECT customer_id FROM _retention_activity
WHERE NOT has_paid AND (last_other IS NULL OR last_other < $run_date - INTERVAL {{ prospect_years }} YEAR);

CREATE OR REPLACE TEMP TABLE _retention_stale_records AS
SELECT r.record_id, lower(r.email) AS email, r.phone
FROM _in_staging_identity_records r JOIN _in_identity_customer_xref x USING (record_id)
WHERE x.customer_id IN (SELECT customer_id FROM _retention_stale);

CREATE OR REPLACE TEMP VIEW _retention_consent_events AS
SELECT * FROM _in_staging_consent_events e
WHERE e.customer_record_key IN (
        SELECT record_id FROM _retention_stale_records
        UNION ALL
        SELECT record_id FROM _in_staging_identity_records
        WHERE lower(trim(email)) IN (SELECT email FROM _retention_stale_records)
           OR trim(phone) IN (SELECT phone FROM _retention_stale_records))
   OR lower(trim(e.email)) IN (SELECT email FROM _retention_stale_records)
   OR trim(e.phone) IN (SELECT phone FROM _retention_stale_records);
