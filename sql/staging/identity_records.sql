-- staging.identity_records: every customers record of every source, standardised: the linkage input.
-- An email or phone carried by more than {{ max_people }} different people (distinct first names)
-- is a shared or placeholder identifier (call-centre default phone, family or shop email):
-- it is flagged 'shared' so the linkage never chains people through it. Likewise a postal address
-- used by more than {{ max_people }} different surnames (a shop's address given for click & collect).
-- Written to _identity_records_build, which replaces the table (full build) or its rows with the
-- same record_id (cdp_pipeline/staging/build.py::build_identity_records). {{ rewrite }} picks the
-- rows written: every record on a full build; else the records staged since the last build and
-- every record holding a value whose sharing may have changed (identity_records_affected.sql).
CREATE OR REPLACE TEMP TABLE _identity_records_build AS
WITH records AS (
    {{ union }}
),
rewrite AS (
    SELECT * FROM records AS r WHERE {{ rewrite }}
),
-- counted over every record, for the values of the rows written
shared_emails AS (
    SELECT email FROM records WHERE email IN (SELECT email FROM rewrite)
    GROUP BY email HAVING count(DISTINCT coalesce(first_name_std, '?')) > {{ max_people }}
),
shared_phones AS (
    SELECT phone FROM records WHERE phone IN (SELECT phone FROM rewrite)
    GROUP BY phone HAVING count(DISTINCT coalesce(first_name_std, '?')) > {{ max_people }}
),
shared_addresses AS (
    SELECT address_l4, postcode FROM records
    WHERE (address_l4, postcode) IN (SELECT (address_l4, postcode) FROM rewrite)
    GROUP BY address_l4, postcode HAVING count(DISTINCT coalesce(last_name_std, '?')) > {{ max_people }}
)
SELECT
    r.* REPLACE (
        CASE WHEN se.email IS NOT NULL AND r.email_flag IN ('ok', 'corrected') THEN 'shared' ELSE r.email_flag END AS email_flag,
        CASE WHEN sp.phone IS NOT NULL AND r.phone_flag = 'ok' THEN 'shared' ELSE r.phone_flag END AS phone_flag,
        CASE WHEN sa.address_l4 IS NOT NULL AND r.address_status IN ('validated', 'corrected')
             THEN 'shared' ELSE r.address_status END AS address_status
    )
FROM rewrite AS r
LEFT JOIN shared_emails AS se ON se.email = r.email
LEFT JOIN shared_phones AS sp ON sp.phone = r.phone
LEFT JOIN shared_addresses AS sa ON sa.address_l4 = r.address_l4 AND sa.postcode = r.postcode;
