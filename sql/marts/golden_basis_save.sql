-- marts.golden_basis: the basis of the golden build just written (golden_basis.sql), so that
-- the next build recomputes only the customers whose records changed (golden_scope.sql).
CREATE OR REPLACE TABLE marts.golden_basis AS SELECT * FROM _golden_basis;

COMMENT ON TABLE marts.golden_basis IS 'Bookkeeping of the golden build: one row per identity record as the last build read it, to find the customers the next build must recompute. No personal data beyond ids.';
COMMENT ON COLUMN marts.golden_basis.record_id IS 'Identity record (staging.identity_records.record_id).';
COMMENT ON COLUMN marts.golden_basis.customer_id IS 'Customer the record belonged to at the last golden build.';
COMMENT ON COLUMN marts.golden_basis.input_hash IS 'Hash of the staged record and of whether its email bounced or its address came back NPAI.';
