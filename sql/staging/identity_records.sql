-- staging.identity_records: every customers record of every source, standardised: the linkage input.
-- An email or phone carried by more than {{ max_people }} different people (distinct first names)
-- is a shared or placeholder identifier (call-centre default phone, family or shop email):
-- it is flagged 'shared' so the linkage never chains people through it. Likewise a postal address
-- used by more than {{ max_people }} different surnames (a shop's address given for click & collect).
-- {{ target }}: the table itself on a full build, else the temp table _identity_records_build
-- whose rows replace those with the same record_id (cdp_pipeline/staging/build.py::
-- build_identity_records). {{ rewrite }} picks the rows written: every record on a full build;
-- else the records staged since the last build and every record holding a value whose sharing
-- may have changed (identity_records_affected.sql).
CREATE OR REPLACE {{ target }} AS
WITH records AS (
    {{ union }}
),
rewrite AS (
    SELECT * FROM records AS r WHERE {{ rewrite }}
),
-- Sharing is counted over every record holding a value of the rows written: {{ counted }} is
-- true on a full build, else the records sharing an email, phone or address with a rewritten row.
counted AS (
    SELECT * FROM records AS c WHERE {{ counted }}
),
shared_emails AS (
    SELECT email FROM counted WHERE email IS NOT NULL
    GROUP BY email HAVING count(DISTINCT coalesce(first_name_std, '?')) > {{ max_people }}
),
shared_phones AS (
    SELECT phone FROM counted WHERE phone IS NOT NULL
    GROUP BY phone HAVING count(DISTINCT coalesce(first_name_std, '?')) > {{ max_people }}
),
shared_addresses AS (
    SELECT address_l4, postcode FROM counted WHERE address_l4 IS NOT NULL AND postcode IS NOT NULL
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
