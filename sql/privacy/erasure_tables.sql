-- gdpr.* tables written by erasure/retention (created once; history is kept across runs).
CREATE TABLE IF NOT EXISTS gdpr.erasure_requests (request_id VARCHAR, received_ts TIMESTAMP, email VARCHAR,
    phone VARCHAR, customer_record_id VARCHAR, status VARCHAR, applied_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS gdpr.erasure_tombstones (hash VARCHAR, kind VARCHAR, request_id VARCHAR, applied_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS gdpr.erasure_log (request_id VARCHAR, applied_at TIMESTAMP, customers INTEGER,
    records_removed JSON);
CREATE TABLE IF NOT EXISTS gdpr.retention_log (customer_hash VARCHAR, rule VARCHAR, purged_at TIMESTAMP,
    records_removed JSON);
