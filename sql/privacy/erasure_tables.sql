-- gdpr.* tables written by erasure/retention (created once; history is kept across runs).
CREATE TABLE IF NOT EXISTS gdpr.erasure_requests (request_id VARCHAR, received_ts TIMESTAMP, email VARCHAR,
    phone VARCHAR, customer_record_id VARCHAR, status VARCHAR, applied_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS gdpr.erasure_tombstones (hash VARCHAR, kind VARCHAR, request_id VARCHAR, applied_at TIMESTAMP);
-- erasure_log: one row per request; the requests applied together share batch_id, and
-- records_removed holds that batch's totals (count them once per batch_id, not once per row).
CREATE TABLE IF NOT EXISTS gdpr.erasure_log (request_id VARCHAR, applied_at TIMESTAMP, customers INTEGER,
    records_removed JSON, batch_id VARCHAR);
ALTER TABLE gdpr.erasure_log ADD COLUMN IF NOT EXISTS batch_id VARCHAR;  -- warehouses from before batches
CREATE TABLE IF NOT EXISTS gdpr.retention_log (customer_hash VARCHAR, rule VARCHAR, purged_at TIMESTAMP,
    records_removed JSON);
