-- Customers and unclustered records holding each identifier of a request ($email, $phone,
-- $record_id: NULL when not given). One row per (identifier kind, customer or record).
SELECT 'email' AS via, x.customer_id, r.record_id
FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id)
WHERE lower(trim(r.email)) = $email OR lower(trim(r.email_raw)) = $email
UNION
SELECT 'email', customer_id, NULL FROM _in_marts_golden_customers WHERE lower(trim(email)) = $email
UNION
SELECT 'phone', x.customer_id, r.record_id
FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id)
WHERE r.phone = $phone OR phone_norm(r.phone_raw) = $phone
UNION
SELECT 'phone', customer_id, NULL FROM _in_marts_golden_customers WHERE mobile = $phone OR landline = $phone
UNION
SELECT 'record', x.customer_id, r.record_id
FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id)
WHERE r.record_id = $record_id OR r.source_record_id = $record_id;
