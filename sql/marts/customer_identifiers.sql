-- marts.customer_identifiers: every identifier a customer is known by, one row per source
-- record and kind, with whether it can be used. Invalid values keep their raw form so a
-- support agent can recognise what the customer typed.
-- target: marts.customer_identifiers on a full build, else a temp table holding the rows of
-- the customers in _golden_scope (see golden_customer_provenance.sql); _bounced: golden_basis.sql.
CREATE OR REPLACE {{ target }} AS
WITH rec AS (
    SELECT x.customer_id, r.*
    FROM identity.customer_xref AS x
    JOIN _golden_scope USING (customer_id)
    JOIN staging.identity_records AS r USING (record_id)
),
ids AS (
    SELECT customer_id, 'email' AS kind, coalesce(email, email_raw) AS value,
           CASE WHEN email IN (SELECT contact_point FROM _bounced) THEN 'hard_bounce' ELSE email_flag END AS flag,
           source, record_id, created_at, updated_at
    FROM rec WHERE coalesce(email, email_raw) IS NOT NULL AND trim(coalesce(email, email_raw)) <> ''
    UNION ALL
    SELECT customer_id, 'phone', coalesce(phone, phone_raw), phone_flag, source, record_id, created_at, updated_at
    FROM rec WHERE coalesce(phone, phone_raw) IS NOT NULL AND trim(coalesce(phone, phone_raw)) <> ''
    UNION ALL
    SELECT customer_id, 'loyalty_card', loyalty_id, 'ok', source, record_id, created_at, updated_at
    FROM rec WHERE loyalty_id IS NOT NULL AND loyalty_id <> ''
    UNION ALL
    SELECT customer_id, 'account', account_id, 'ok', source, record_id, created_at, updated_at
    FROM rec WHERE account_id IS NOT NULL AND account_id <> ''
)
SELECT
    customer_id,
    kind,
    value,
    coalesce(flag IN ('ok', 'corrected'), false)   AS valid,
    flag,
    source,
    record_id,
    coalesce(created_at, updated_at)               AS first_seen,
    coalesce(updated_at, created_at)               AS last_seen
FROM ids;

COMMENT ON TABLE marts.customer_identifiers IS 'Every identifier (e-mail, phone, loyalty card, account) of every customer, per source record, with its validity. Contains personal data.';
COMMENT ON COLUMN marts.customer_identifiers.customer_id IS 'Customer the identifier belongs to.';
COMMENT ON COLUMN marts.customer_identifiers.kind IS 'email, phone, loyalty_card or account.';
COMMENT ON COLUMN marts.customer_identifiers.value IS 'Standardised value, or the raw value when it could not be standardised.';
COMMENT ON COLUMN marts.customer_identifiers.valid IS 'True when the identifier is usable (flag ok or corrected).';
COMMENT ON COLUMN marts.customer_identifiers.flag IS 'Staging quality flag (ok, corrected, invalid, junk, shared), or hard_bounce for a bounced e-mail.';
COMMENT ON COLUMN marts.customer_identifiers.source IS 'Source of the record carrying the identifier.';
COMMENT ON COLUMN marts.customer_identifiers.record_id IS 'Record carrying the identifier.';
COMMENT ON COLUMN marts.customer_identifiers.first_seen IS 'Creation time of the record.';
COMMENT ON COLUMN marts.customer_identifiers.last_seen IS 'Last update time of the record.';
