-- Customers and unclustered records holding each identifier of each request in _resolve_requests
-- (seq, email, phone, record_id: normalised, NULL when not given). One row per (request, identifier
-- kind, customer or record). Why equi-joins on one list of held identifiers: N requests cost one
-- scan of the identity records, not N.
WITH held AS (
    SELECT 'email' AS via, lower(trim(v)) AS value, x.customer_id, r.record_id
    FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id),
         unnest([r.email, r.email_raw]) AS t(v)
    UNION ALL
    SELECT 'email', lower(trim(email)), customer_id, NULL FROM _in_marts_golden_customers
    UNION ALL
    SELECT 'phone', v, x.customer_id, r.record_id
    FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id),
         unnest([r.phone, phone_norm(r.phone_raw)]) AS t(v)
    UNION ALL
    SELECT 'phone', v, customer_id, NULL FROM _in_marts_golden_customers, unnest([mobile, landline]) AS t(v)
    UNION ALL
    SELECT 'record', v, x.customer_id, r.record_id
    FROM _in_staging_identity_records r LEFT JOIN _in_identity_customer_xref x USING (record_id),
         unnest([r.record_id, r.source_record_id]) AS t(v)
),
asked AS (
    SELECT seq, 'email' AS via, email AS value FROM _resolve_requests WHERE email IS NOT NULL
    UNION ALL SELECT seq, 'phone', phone FROM _resolve_requests WHERE phone IS NOT NULL
    UNION ALL SELECT seq, 'record', record_id FROM _resolve_requests WHERE record_id IS NOT NULL
)
SELECT DISTINCT a.seq, h.via, h.customer_id, h.record_id FROM asked a JOIN held h USING (via, value);
