-- _golden_scope: the customers whose golden rows (golden_customers, golden_customer_provenance,
-- customer_identifiers) must be recomputed, comparing _golden_basis (now) with marts.golden_basis
-- (the last build):
--   changed    a record that is new, gone, moved to another customer or changed in content:
--              its customer now and its customer before
--   recounted  a customer whose number of records is not the one its golden row counted: an
--              erasure or retention sweep removed a record (and its basis row) but not the
--              customer, or removed the golden row but not every record
CREATE OR REPLACE TEMP TABLE _golden_scope AS
WITH changed AS (
    SELECT n.customer_id AS now_id, o.customer_id AS before_id
    FROM _golden_basis AS n
    FULL JOIN marts.golden_basis AS o USING (record_id)
    WHERE n.customer_id IS DISTINCT FROM o.customer_id OR n.input_hash IS DISTINCT FROM o.input_hash
),
recounted AS (
    SELECT customer_id
    FROM (SELECT customer_id, count(*) AS records FROM _golden_basis GROUP BY customer_id) AS c
    FULL JOIN marts.golden_customers AS g USING (customer_id)
    WHERE c.records IS DISTINCT FROM g.source_record_count
)
SELECT now_id AS customer_id FROM changed WHERE now_id IS NOT NULL
UNION SELECT before_id FROM changed WHERE before_id IS NOT NULL
UNION SELECT customer_id FROM recounted WHERE customer_id IS NOT NULL;
