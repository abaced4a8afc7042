-- bi.segment_migration: segment moves between the last two RFM snapshots (counts only).
CREATE OR REPLACE VIEW bi.segment_migration AS
SELECT from_run_id, to_run_id, from_segment, to_segment, customers
FROM marts.segment_migration;

COMMENT ON VIEW bi.segment_migration IS 'Customers per segment move between the last two RFM snapshots; empty until two exist.';
COMMENT ON COLUMN bi.segment_migration.from_run_id IS 'Run of the previous snapshot.';
COMMENT ON COLUMN bi.segment_migration.to_run_id IS 'Run of the latest snapshot.';
COMMENT ON COLUMN bi.segment_migration.from_segment IS 'Previous segment; NULL for new customers.';
COMMENT ON COLUMN bi.segment_migration.to_segment IS 'Latest segment; NULL for customers gone since.';
COMMENT ON COLUMN bi.segment_migration.customers IS 'Number of customers.';
