-- marts.golden_customers: the best known view of each customer, one row per customer_id.
-- Values are taken from the records chosen in marts.golden_customer_provenance (written just
-- before, same transaction); the address block comes whole from one record.
-- target: marts.golden_customers on a full build, else a temp table holding the rows of the
-- customers in _golden_scope (see golden_customer_provenance.sql).
CREATE OR REPLACE {{ target }} AS
WITH rec AS (
    SELECT x.customer_id, r.source, r.created_at, r.updated_at
    FROM identity.customer_xref AS x
    JOIN _golden_scope USING (customer_id)
    JOIN staging.identity_records AS r USING (record_id)
),
clusters AS (
    SELECT customer_id,
           min(coalesce(created_at, updated_at))   AS first_seen,
           max(coalesce(updated_at, created_at))   AS last_seen,
           count(*)                                AS source_record_count,
           array_to_string(list_sort(list_distinct(list(source))), ',') AS sources
    FROM rec
    GROUP BY customer_id
),
won AS (
    PIVOT (SELECT customer_id, field, value_record_id FROM marts.golden_customer_provenance
           JOIN _golden_scope USING (customer_id))
    ON field IN ('civility', 'first_name', 'last_name', 'birth_name', 'birth_date',
                 'email', 'mobile', 'landline', 'address')
    USING any_value(value_record_id)
    GROUP BY customer_id
)
SELECT
    c.customer_id,
    civ.civility,
    fn.first_name,
    ln.last_name,
    bn.birth_name,
    bd.birth_date,
    em.email,
    mob.phone              AS mobile,
    fix.phone              AS landline,
    adr.address_l2,
    adr.address_l3,
    adr.address_l4,
    adr.address_l5,
    adr.address_l6,
    adr.postcode,
    adr.city,
    adr.country,
    adr.departement,
    adr.address_status,
    c.first_seen,
    c.last_seen,
    c.source_record_count,
    c.sources
FROM clusters AS c
LEFT JOIN won AS w USING (customer_id)
LEFT JOIN staging.identity_records AS civ ON civ.record_id = w.civility
LEFT JOIN staging.identity_records AS fn  ON fn.record_id  = w.first_name
LEFT JOIN staging.identity_records AS ln  ON ln.record_id  = w.last_name
LEFT JOIN staging.identity_records AS bn  ON bn.record_id  = w.birth_name
LEFT JOIN staging.identity_records AS bd  ON bd.record_id  = w.birth_date
LEFT JOIN staging.identity_records AS em  ON em.record_id  = w.email
LEFT JOIN staging.identity_records AS mob ON mob.record_id = w.mobile
LEFT JOIN staging.identity_records AS fix ON fix.record_id = w.landline
LEFT JOIN staging.identity_records AS adr ON adr.record_id = w.address;

COMMENT ON TABLE marts.golden_customers IS 'Golden record: one row per customer_id, each field chosen by the survivorship rules of the config (see marts.golden_customer_provenance). Contains personal data.';
COMMENT ON COLUMN marts.golden_customers.customer_id IS 'Stable customer id (identity.customer_xref); merged ids redirect via identity.customer_id_redirects.';
COMMENT ON COLUMN marts.golden_customers.civility IS 'M or MME.';
COMMENT ON COLUMN marts.golden_customers.first_name IS 'First name, display form.';
COMMENT ON COLUMN marts.golden_customers.last_name IS 'Last (usage) name, display form.';
COMMENT ON COLUMN marts.golden_customers.birth_name IS 'Birth name (nom de naissance), display form.';
COMMENT ON COLUMN marts.golden_customers.birth_date IS 'Birth date.';
COMMENT ON COLUMN marts.golden_customers.email IS 'Best e-mail address; never a hard-bounced, invalid, junk or shared one (NULL then).';
COMMENT ON COLUMN marts.golden_customers.mobile IS 'Best mobile number, E.164.';
COMMENT ON COLUMN marts.golden_customers.landline IS 'Best fixed-line number (landline or VoIP box line), E.164.';
COMMENT ON COLUMN marts.golden_customers.address_l2 IS 'AFNOR line 2 (recipient complement); all address columns come from the same record.';
COMMENT ON COLUMN marts.golden_customers.address_l3 IS 'AFNOR line 3 (building, entrance).';
COMMENT ON COLUMN marts.golden_customers.address_l4 IS 'AFNOR line 4 (number and street).';
COMMENT ON COLUMN marts.golden_customers.address_l5 IS 'AFNOR line 5 (lieu-dit, BP).';
COMMENT ON COLUMN marts.golden_customers.address_l6 IS 'AFNOR line 6 (postcode and city).';
COMMENT ON COLUMN marts.golden_customers.postcode IS 'Postcode.';
COMMENT ON COLUMN marts.golden_customers.city IS 'City (libellé d''acheminement).';
COMMENT ON COLUMN marts.golden_customers.country IS 'ISO-2 country code.';
COMMENT ON COLUMN marts.golden_customers.departement IS 'French département code (75, 2A, 971).';
COMMENT ON COLUMN marts.golden_customers.address_status IS 'Status of the golden address: validated, corrected, foreign (never rejected or shared, which do not survive).';
COMMENT ON COLUMN marts.golden_customers.first_seen IS 'Earliest creation time over the customer''s source records.';
COMMENT ON COLUMN marts.golden_customers.last_seen IS 'Latest update time over the customer''s source records.';
COMMENT ON COLUMN marts.golden_customers.source_record_count IS 'Number of source records linked to the customer.';
COMMENT ON COLUMN marts.golden_customers.sources IS 'Sources the customer is known in, sorted, comma-separated (crm,web).';
