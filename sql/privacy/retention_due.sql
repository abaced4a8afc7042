-- The customers due on $run_date, from _retention_activity and the stale prospects' consent
-- events resolved as the ledger resolves them (_retention_consent_resolved: see
-- retention_candidates.sql). source_records is counted for the due customers only: a count per
-- customer correlated with every customer (1M at 1M persons) was computed before the filter.
CREATE OR REPLACE TEMP TABLE _retention AS
WITH consent AS (
    SELECT customer_id, max(event_ts) AS last_consent FROM _retention_consent_resolved
    WHERE customer_id IN (SELECT customer_id FROM _retention_stale) GROUP BY ALL
)
SELECT c.customer_id, c.rule, count(*) AS source_records
FROM (
    SELECT a.customer_id, CASE WHEN a.has_paid THEN 'customer' ELSE 'prospect' END AS rule
    FROM _retention_activity a LEFT JOIN consent k USING (customer_id)
    WHERE (a.has_paid AND a.last_paid < $run_date - INTERVAL {{ customer_years }} YEAR)
       OR (NOT a.has_paid
           AND greatest(a.last_other, k.last_consent) < $run_date - INTERVAL {{ prospect_years }} YEAR)
) c JOIN _in_identity_customer_xref x USING (customer_id) GROUP BY ALL;
