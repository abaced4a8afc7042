-- bi.customers: one row per customer for analysts, without direct personal data:
-- pseudonymised key, age band instead of birth date, département instead of address,
-- and which channels the customer has a usable contact point on instead of the points.
-- customer_key = first 16 hex digits of sha256(salt || customer_id), salt from gdpr.pseudonym_salt
-- (see marts/bi.py). Built-in functions only: BI tools open the file without our macros.
CREATE OR REPLACE VIEW bi.customers AS
SELECT
    left(sha256(k.salt || g.customer_id), 16)                   AS customer_key,
    g.civility,
    CASE
        WHEN g.birth_date IS NULL THEN 'unknown'
        WHEN date_part('year', age(current_date, g.birth_date)) < 18 THEN 'under 18'
        WHEN date_part('year', age(current_date, g.birth_date)) < 25 THEN '18-24'
        WHEN date_part('year', age(current_date, g.birth_date)) < 35 THEN '25-34'
        WHEN date_part('year', age(current_date, g.birth_date)) < 45 THEN '35-44'
        WHEN date_part('year', age(current_date, g.birth_date)) < 55 THEN '45-54'
        WHEN date_part('year', age(current_date, g.birth_date)) < 65 THEN '55-64'
        ELSE '65+'
    END                                                         AS age_band,
    g.departement,
    g.country,
    CAST(g.first_seen AS DATE)                                  AS first_seen_date,
    CAST(g.last_seen AS DATE)                                   AS last_seen_date,
    g.source_record_count,
    g.sources,
    -- concat_ws skips NULLs; a plain string because many BI drivers cannot read lists.
    concat_ws(',',
        CASE WHEN g.email IS NOT NULL THEN 'email' END,
        CASE WHEN g.mobile IS NOT NULL THEN 'sms' END,
        CASE WHEN coalesce(g.mobile, g.landline) IS NOT NULL THEN 'phone' END,
        CASE WHEN g.address_l4 IS NOT NULL OR g.address_l6 IS NOT NULL THEN 'post' END
    )                                                           AS known_channels
FROM marts.golden_customers AS g
CROSS JOIN (SELECT max(salt) AS salt FROM gdpr.pseudonym_salt) AS k;

COMMENT ON VIEW bi.customers IS 'Customers for analysts, without direct personal data (pseudonymised key, age band, département).';
COMMENT ON COLUMN bi.customers.customer_key IS 'Pseudonymised customer key (stable across runs); joins bi.orders and bi.rfm.';
COMMENT ON COLUMN bi.customers.civility IS 'M or MME.';
COMMENT ON COLUMN bi.customers.age_band IS 'Age band today: under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+ or unknown.';
COMMENT ON COLUMN bi.customers.departement IS 'French département of the golden address (75, 2A, 971).';
COMMENT ON COLUMN bi.customers.country IS 'ISO-2 country of the golden address.';
COMMENT ON COLUMN bi.customers.first_seen_date IS 'Date the customer was first recorded in any source.';
COMMENT ON COLUMN bi.customers.last_seen_date IS 'Date of the latest update in any source.';
COMMENT ON COLUMN bi.customers.source_record_count IS 'Number of source records merged into the customer.';
COMMENT ON COLUMN bi.customers.sources IS 'Comma-separated sources the customer is known in.';
COMMENT ON COLUMN bi.customers.known_channels IS 'Comma-separated channels with a usable contact point (email,sms,phone,post); not a consent: see the audiences.';
