-- marts.segment_migration: how customers moved between segments from the previous RFM
-- snapshot to the latest one (by run_ts). Empty until two snapshots exist. A customer in only
-- one of the two snapshots shows a NULL side (new customer, or merged/erased since).
CREATE OR REPLACE VIEW marts.segment_migration AS
WITH runs AS (
    SELECT run_id, row_number() OVER (ORDER BY run_ts DESC, run_id DESC) AS age
    FROM (SELECT DISTINCT run_id, run_ts FROM marts.customer_rfm_history)
),
prev AS (
    SELECT h.* FROM marts.customer_rfm_history AS h JOIN runs USING (run_id) WHERE runs.age = 2
),
latest AS (
    SELECT h.* FROM marts.customer_rfm_history AS h JOIN runs USING (run_id) WHERE runs.age = 1
)
SELECT
    (SELECT run_id FROM runs WHERE age = 2)    AS from_run_id,
    (SELECT run_id FROM runs WHERE age = 1)    AS to_run_id,
    p.segment                                  AS from_segment,
    l.segment                                  AS to_segment,
    count(*)                                   AS customers
FROM prev AS p
FULL OUTER JOIN latest AS l USING (customer_id)
WHERE EXISTS (SELECT 1 FROM runs WHERE age = 2)
GROUP BY ALL;

COMMENT ON VIEW marts.segment_migration IS 'Customers per (from_segment, to_segment) between the last two RFM snapshots; empty until two snapshots exist.';
COMMENT ON COLUMN marts.segment_migration.from_run_id IS 'Run of the previous snapshot.';
COMMENT ON COLUMN marts.segment_migration.to_run_id IS 'Run of the latest snapshot.';
COMMENT ON COLUMN marts.segment_migration.from_segment IS 'Segment in the previous snapshot; NULL for customers new since.';
COMMENT ON COLUMN marts.segment_migration.to_segment IS 'Segment in the latest snapshot; NULL for customers gone since (merged or erased).';
COMMENT ON COLUMN marts.segment_migration.customers IS 'Number of customers who made this move.';
