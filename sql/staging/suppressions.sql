-- staging.suppressions: opt-outs and undeliverables, with the contact point standardised
-- for its channel (email lower-case, phone E.164, postal address as AFNOR line 4 + postcode).
CREATE OR REPLACE TABLE staging.suppressions AS
WITH src AS (
    {{ union }}
)
SELECT DISTINCT ON (s.source, contact_point, channel, reason)
    s.source,
    CASE cdp_channel(s.channel)
        WHEN 'email' THEN e.email
        WHEN 'sms' THEN p.phone
        WHEN 'phone' THEN p.phone
        WHEN 'push' THEN s.contact_point
        WHEN 'post' THEN a.postal_key
    END                                                               AS contact_point,
    s.contact_point                                                   AS contact_point_raw,
    cdp_channel(s.channel)                                            AS channel,
    cdp_suppression_reason(s.reason)                                  AS reason,
    s.event_ts            AS event_ts,
    s._loaded_at                                                      AS loaded_at
FROM src AS s
LEFT JOIN _email_map AS e ON e.email_raw = s.contact_point
LEFT JOIN _phone_map AS p ON p.phone_raw = s.contact_point AND p.region = s._default_country
LEFT JOIN _postal_map AS a ON a.address_raw = s.contact_point
ORDER BY s.source, contact_point, channel, reason, event_ts DESC NULLS LAST;
