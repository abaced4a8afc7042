-- staging.consent_events: every consent event, typed, with its contact points standardised
-- (the _email_map / _phone_map temp tables are built by Python from the distinct raw values).
-- Built into _consent_events_build from the union of consent sources: every raw row, or those loaded since the
-- last build (cdp_pipeline/staging/build.py::build_consent_events appends them).
CREATE OR REPLACE TEMP TABLE _consent_events_build AS
WITH src AS (
    {{ union }}
)
SELECT
    md5(concat_ws('|', s.source, s._file, s._line))                   AS event_id,
    s.source,
    s.event_ts            AS event_ts,
    cdp_channel(s.channel)                                            AS channel,
    lower(trim(s.purpose))                                            AS purpose,
    cdp_consent_status(s.status)                                      AS status,
    e.email,
    s.email                                                           AS email_raw,
    p.phone,
    s.phone                                                           AS phone_raw,
    CASE WHEN s.customer_record_id IS NOT NULL AND s.customer_source IS NOT NULL
         THEN s.customer_source || ':' || s.customer_record_id END    AS customer_record_key,
    s.collected_via,
    s.proof,
    s._loaded_at                                                      AS loaded_at
FROM src AS s
LEFT JOIN _email_map AS e ON e.email_raw = s.email
LEFT JOIN _phone_map AS p ON p.phone_raw = s.phone AND p.region = s._default_country;
