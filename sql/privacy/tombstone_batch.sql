-- Tombstones for every email/phone of the scoped person, then the request's clear identifiers
-- replaced by their hashes. The request is the one row of _request (request_id, applied_at).
INSERT INTO gdpr.erasure_tombstones
SELECT erasure_hash(kind, value), kind, r.request_id, r.applied_at FROM _purge_ids, _request r
WHERE erasure_hash(kind, value) NOT IN (SELECT hash FROM gdpr.erasure_tombstones);
-- ... and for every record of theirs: a person known only by a customer number must not come
-- back with the next extract either (ingest hashes '<source>:<id>' of incoming rows).
INSERT INTO gdpr.erasure_tombstones
SELECT DISTINCT erasure_hash('record', record_id), 'record', r.request_id, r.applied_at FROM _purge_records, _request r
WHERE record_id IS NOT NULL AND erasure_hash('record', record_id) NOT IN (SELECT hash FROM gdpr.erasure_tombstones);
UPDATE gdpr.erasure_requests
SET email = CASE WHEN email IS NOT NULL THEN erasure_hash('email', lower(trim(email))) END,
    phone = CASE WHEN phone IS NOT NULL THEN erasure_hash('phone', phone_norm(phone)) END,
    customer_record_id = CASE WHEN customer_record_id IS NOT NULL THEN erasure_hash('record', trim(customer_record_id)) END,
    status = 'applied', applied_at = (SELECT applied_at FROM _request)
WHERE request_id = (SELECT request_id FROM _request);
