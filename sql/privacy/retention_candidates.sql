-- Customers past their retention period on $run_date (CNIL guidance for prospection data):
--   rule 'customer': has a paid purchase, the last one older than {{ customer_years }} years;
--   rule 'prospect': never paid; the last contact they initiated (order of any status, service
--   contact, consent event however keyed, record creation or update) older than {{ prospect_years }} years.
-- A prospect with no dated activity at all is kept (unknown age is not expiry).
CREATE OR REPLACE TEMP TABLE _retention AS
WITH x AS (SELECT record_id, customer_id FROM _in_identity_customer_xref WHERE customer_id IS NOT NULL),
paid AS (
    SELECT x.customer_id, max(o.order_ts) AS last_paid
    FROM _in_staging_orders o JOIN x ON x.record_id = o.customer_record_key
    WHERE o.status = 'paid' AND o.amount > 0 GROUP BY ALL
),
initiated AS (
    SELECT customer_id, max(ts) AS last_initiated FROM (
        SELECT x.customer_id, a.ts FROM (
            SELECT customer_record_key AS record_id, order_ts AS ts FROM _in_staging_orders
            UNION ALL SELECT customer_record_key, contact_ts FROM _in_staging_contacts
            UNION ALL SELECT record_id, greatest(created_at, updated_at) FROM _in_staging_identity_records
        ) a JOIN x USING (record_id)
        UNION ALL SELECT customer_id, event_ts FROM _consent_resolved WHERE customer_id IS NOT NULL
    ) GROUP BY ALL
)
-- source_records counted for the due customers only: a count per customer correlated with every
-- customer (1M at 1M persons) was computed before the filter.
SELECT c.customer_id, c.rule, count(*) AS source_records
FROM (
    SELECT c.customer_id, CASE WHEN p.customer_id IS NOT NULL THEN 'customer' ELSE 'prospect' END AS rule
    FROM (SELECT DISTINCT customer_id FROM x) c
    LEFT JOIN paid p USING (customer_id) LEFT JOIN initiated i USING (customer_id)
    WHERE (p.customer_id IS NOT NULL AND p.last_paid < $run_date - INTERVAL {{ customer_years }} YEAR)
       OR (p.customer_id IS NULL AND i.last_initiated < $run_date - INTERVAL {{ prospect_years }} YEAR)
) c JOIN x USING (customer_id) GROUP BY ALL;
