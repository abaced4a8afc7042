-- marts.golden_customer_provenance: for each customer and golden field, the record whose value
-- survived and the rule that decided it. Config-driven pieces (rendered by marts/golden.py):
--   sort_keys         k0 = known bad, then k1..kN: the numeric sort keys of the field's rules in
--                     config order, per field (lower wins); most_recent is two keys:
--                     updated_at (else created_at), then loaded_at
--   key_order         k0, k1..kN as the ORDER BY of the ranking window
--   deciding_rule     name of the first rule whose key separates the winner from the best other value
--   target            the table written: marts.golden_customer_provenance on a full build, or
--                     a temp table holding the rows of the customers in _golden_scope that
--                     marts/golden.py swaps in (sql/marts/golden_scope.sql says who they are)
-- k0 = "known bad" is always the first key: a bad value never beats a usable one, and when
-- only bad values exist the field stays NULL (rule 'no_usable_value').
-- _bounced and _npai: golden_basis.sql.
CREATE OR REPLACE {{ target }} AS
WITH rec AS (
    SELECT x.customer_id, r.*, coalesce(r.updated_at, r.created_at) AS seen_at
    FROM identity.customer_xref AS x
    JOIN _golden_scope USING (customer_id)
    JOIN staging.identity_records AS r USING (record_id)
),
candidates AS (
    SELECT customer_id, 'civility' AS field, record_id, source, trust, seen_at, loaded_at,
           civility AS value, false AS bad, true AS validated
    FROM rec WHERE civility IS NOT NULL
    UNION ALL
    SELECT customer_id, 'first_name', record_id, source, trust, seen_at, loaded_at,
           first_name, first_name_flag = 'junk', first_name_flag = 'ok'
    FROM rec WHERE first_name IS NOT NULL
    UNION ALL
    SELECT customer_id, 'last_name', record_id, source, trust, seen_at, loaded_at,
           last_name, last_name_flag = 'junk', last_name_flag = 'ok'
    FROM rec WHERE last_name IS NOT NULL
    UNION ALL
    SELECT customer_id, 'birth_name', record_id, source, trust, seen_at, loaded_at,
           birth_name, false, true
    FROM rec WHERE birth_name IS NOT NULL
    UNION ALL
    SELECT customer_id, 'birth_date', record_id, source, trust, seen_at, loaded_at,
           CAST(birth_date AS VARCHAR), false, birth_date_flag = 'ok'
    FROM rec WHERE birth_date IS NOT NULL
    UNION ALL
    SELECT customer_id, 'email', record_id, source, trust, seen_at, loaded_at,
           email,
           email_flag IN ('invalid', 'junk', 'shared') OR email IN (SELECT contact_point FROM _bounced),
           email_flag IN ('ok', 'corrected')
    FROM rec WHERE email IS NOT NULL
    UNION ALL
    -- voip numbers (French 09 box lines) are the household's fixed line: landline.
    SELECT customer_id, CASE WHEN phone_type = 'mobile' THEN 'mobile' ELSE 'landline' END,
           record_id, source, trust, seen_at, loaded_at,
           phone, phone_flag IN ('invalid', 'junk', 'shared'), phone_flag = 'ok'
    FROM rec WHERE phone IS NOT NULL AND phone_type IN ('mobile', 'landline', 'voip')
    UNION ALL
    -- The address is one block: its value is every line, so equal addresses count together
    -- (most_frequent) and the golden record takes all lines from the winning record.
    SELECT customer_id, 'address', record_id, source, trust, seen_at, loaded_at,
           concat_ws(' | ', address_l2, address_l3, address_l4, address_l5, address_l6, country),
           address_status IN ('rejected', 'shared')
               OR (address_l4 || ' ' || postcode) IN (SELECT contact_point FROM _npai),
           address_status IN ('validated', 'corrected')
    FROM rec WHERE coalesce(address_l4, address_l6) IS NOT NULL AND address_status IS DISTINCT FROM 'missing'
),
scored AS (
    SELECT *, count(*) OVER (PARTITION BY customer_id, field, value) AS frequency
    FROM candidates
),
keyed AS (
    SELECT *, {{ sort_keys }}
    FROM scored
),
ordered AS (
    SELECT *,
           row_number() OVER w       AS position,
           first_value(value) OVER w AS winning_value
    FROM keyed
    WINDOW w AS (PARTITION BY customer_id, field ORDER BY {{ key_order }}, record_id)
),
-- The runner-up is the best candidate with another value: records repeating the winning
-- value do not tell which rule chose the value.
rival AS (
    SELECT *, row_number() OVER (PARTITION BY customer_id, field ORDER BY position) AS rival_position
    FROM ordered
    WHERE value IS DISTINCT FROM winning_value
)
SELECT
    o.customer_id,
    o.field,
    CASE WHEN NOT o.bad THEN o.source END    AS value_source,
    CASE WHEN NOT o.bad THEN o.record_id END AS value_record_id,
    CASE
        WHEN o.bad THEN 'no_usable_value'
        WHEN r.customer_id IS NULL THEN 'only_value'
        WHEN o.k0 IS DISTINCT FROM r.k0 THEN 'not_bad'
        {{ deciding_rule }}
        ELSE 'record_id'
    END                                      AS rule
FROM ordered AS o
LEFT JOIN rival AS r
    ON r.customer_id = o.customer_id AND r.field = o.field AND r.rival_position = 1
WHERE o.position = 1;

COMMENT ON TABLE marts.golden_customer_provenance IS 'Why each golden field has its value: one row per customer and field that had at least one candidate value.';
COMMENT ON COLUMN marts.golden_customer_provenance.customer_id IS 'Stable customer id (identity.customer_xref).';
COMMENT ON COLUMN marts.golden_customer_provenance.field IS 'Golden field: civility, first_name, last_name, birth_name, birth_date, email, mobile, landline, address (the whole address block).';
COMMENT ON COLUMN marts.golden_customer_provenance.value_source IS 'Source of the surviving value; NULL when every candidate was known bad.';
COMMENT ON COLUMN marts.golden_customer_provenance.value_record_id IS 'record_id the surviving value was taken from; NULL when every candidate was known bad.';
COMMENT ON COLUMN marts.golden_customer_provenance.rule IS 'Survivorship rule that separated the winning value from the best other value (not_bad, validated, trust, most_recent, most_frequent), only_value (one distinct value), record_id (full tie) or no_usable_value.';
