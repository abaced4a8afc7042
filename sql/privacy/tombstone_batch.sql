-- Write an erasure batch down (after the sweep): tombstones for every email/phone and record of
-- the scoped persons, each with the request it belongs to (_owner_id, _owner_record, see
-- erasure_owners.sql); the requests' clear identifiers replaced by their hashes; one log row per
-- request. _erasure_batch: seq, request_id, applied_at, batch_id; _erasure_removed: the sweep's counts.
INSERT INTO gdpr.erasure_tombstones
SELECT erasure_hash(o.kind, o.value), o.kind, b.request_id, b.applied_at
FROM _owner_id o JOIN _erasure_batch b USING (seq)
WHERE erasure_hash(o.kind, o.value) NOT IN (SELECT hash FROM gdpr.erasure_tombstones);
-- ... and for every record of theirs: a person known only by a customer number must not come
-- back with the next extract either (ingest hashes '<source>:<id>' of incoming rows).
INSERT INTO gdpr.erasure_tombstones
SELECT erasure_hash('record', p.record_id), 'record', b.request_id, b.applied_at
FROM (SELECT DISTINCT record_id FROM _purge_records WHERE record_id IS NOT NULL) p
JOIN _owner_record o USING (record_id) JOIN _erasure_batch b USING (seq)
WHERE erasure_hash('record', p.record_id) NOT IN (SELECT hash FROM gdpr.erasure_tombstones);

UPDATE gdpr.erasure_requests
SET email = CASE WHEN email IS NOT NULL THEN erasure_hash('email', lower(trim(email))) END,
    phone = CASE WHEN phone IS NOT NULL THEN erasure_hash('phone', phone_norm(phone)) END,
    customer_record_id = CASE WHEN customer_record_id IS NOT NULL THEN erasure_hash('record', trim(customer_record_id)) END,
    status = 'applied', applied_at = b.applied_at
FROM _erasure_batch b WHERE gdpr.erasure_requests.request_id = b.request_id;

-- customers: those this request erased first (a second request for the same person counts 0,
-- as it would applied alone after the first); records_removed: the batch's totals (one sweep).
INSERT INTO gdpr.erasure_log (request_id, applied_at, customers, records_removed, batch_id)
SELECT b.request_id, b.applied_at, (SELECT count(*) FROM _owner_customer c WHERE c.seq = b.seq),
       r.records_removed, b.batch_id
FROM _erasure_batch b, _erasure_removed r ORDER BY b.seq;
