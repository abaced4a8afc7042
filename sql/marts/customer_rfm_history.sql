-- marts.customer_rfm_history: one RFM snapshot per run, kept across runs so segment moves
-- can be followed. Re-running a run_id replaces its snapshot (idempotent retries).
--   run_id, run_ts  literals of the Dagster run
CREATE TABLE IF NOT EXISTS marts.customer_rfm_history (
    run_id VARCHAR, run_ts TIMESTAMP, as_of DATE, customer_id VARCHAR,
    r_score INTEGER, f_score INTEGER, m_score INTEGER, segment VARCHAR
);
DELETE FROM marts.customer_rfm_history WHERE run_id = {{ run_id }};
INSERT INTO marts.customer_rfm_history
SELECT {{ run_id }}, {{ run_ts }}, as_of, customer_id, r_score, f_score, m_score, segment
FROM marts.customer_rfm;

COMMENT ON TABLE marts.customer_rfm_history IS 'One RFM snapshot per pipeline run; re-running a run replaces its snapshot.';
COMMENT ON COLUMN marts.customer_rfm_history.run_id IS 'Pipeline run that took the snapshot.';
COMMENT ON COLUMN marts.customer_rfm_history.run_ts IS 'When that run started; orders the snapshots.';
COMMENT ON COLUMN marts.customer_rfm_history.as_of IS 'Reference date of the snapshot.';
COMMENT ON COLUMN marts.customer_rfm_history.customer_id IS 'Customer.';
COMMENT ON COLUMN marts.customer_rfm_history.r_score IS 'Recency score 1-5.';
COMMENT ON COLUMN marts.customer_rfm_history.f_score IS 'Frequency score 1-5.';
COMMENT ON COLUMN marts.customer_rfm_history.m_score IS 'Monetary score 1-5.';
COMMENT ON COLUMN marts.customer_rfm_history.segment IS 'Segment at that run.';
