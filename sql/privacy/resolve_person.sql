-- Customers and unclustered records holding each identifier of each request in _resolve_requests
-- (seq, email, phone, record_id: normalised, NULL when not given). One row per (request, identifier
-- kind, customer or record). Why equi-joins on one list of held identifiers: N requests cost one
-- scan of the identity records, not N. Why the values unnested in the select list and records joined
-- to the xref once: a lateral unnest() per branch, each joining the xref again, was planned as
-- dependent joins and took 17 s at 1M persons for a batch of 9 requests (2 s this way). Why the
-- rows filtered on the asked values first: only a row holding one can join, and unnesting every
-- row's values (then joining every record to the xref) was most of the remaining cost.
WITH asked AS (
    SELECT seq, 'email' AS via, email AS value FROM _resolve_requests WHERE email IS NOT NULL
    UNION ALL SELECT seq, 'phone', phone FROM _resolve_requests WHERE phone IS NOT NULL
    UNION ALL SELECT seq, 'record', record_id FROM _resolve_requests WHERE record_id IS NOT NULL
),
rec AS (
    SELECT r.record_id, x.customer_id, r.email, r.email_raw, r.phone, r.phone_raw, r.source_record_id
    FROM (
        SELECT * FROM _in_staging_identity_records
        WHERE lower(trim(email)) IN (SELECT value FROM asked WHERE via = 'email')
           OR lower(trim(email_raw)) IN (SELECT value FROM asked WHERE via = 'email')
           OR phone IN (SELECT value FROM asked WHERE via = 'phone')
           OR phone_norm(phone_raw) IN (SELECT value FROM asked WHERE via = 'phone')
           OR record_id IN (SELECT value FROM asked WHERE via = 'record')
           OR source_record_id IN (SELECT value FROM asked WHERE via = 'record')
    ) r LEFT JOIN _in_identity_customer_xref x USING (record_id)
),
golden AS (
    SELECT customer_id, email, mobile, landline FROM _in_marts_golden_customers
    WHERE lower(trim(email)) IN (SELECT value FROM asked WHERE via = 'email')
       OR mobile IN (SELECT value FROM asked WHERE via = 'phone')
       OR landline IN (SELECT value FROM asked WHERE via = 'phone')
),
held AS (
    SELECT 'email' AS via, unnest([lower(trim(email)), lower(trim(email_raw))]) AS value, customer_id, record_id FROM rec
    UNION ALL
    SELECT 'email', lower(trim(email)), customer_id, NULL FROM golden
    UNION ALL
    SELECT 'phone', unnest([phone, phone_norm(phone_raw)]), customer_id, record_id FROM rec
    UNION ALL
    SELECT 'phone', unnest([mobile, landline]), customer_id, NULL FROM golden
    UNION ALL
    SELECT 'record', unnest([record_id, source_record_id]), customer_id, record_id FROM rec
)
SELECT DISTINCT a.seq, h.via, h.customer_id, h.record_id FROM asked a JOIN held h USING (via, value);
