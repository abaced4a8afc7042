-- Suppression list: one row per contact point x channel x reason (earliest event kept).
-- A suppression blocks every purpose on its channel (an unsubscribe from one newsletter stops
-- all marketing on that email: the platforms do not carry a purpose, and failing safe is cheaper
-- than a complaint). The reason fixes the channel where it implies one; unknown reasons are
-- kept as 'other' so a new platform code still suppresses.
CREATE OR REPLACE TABLE marts.suppressions AS
WITH s AS (
    SELECT source, event_ts, contact_point, lower(trim(channel)) AS given_channel,
           CASE regexp_replace(lower(trim(reason)), '[\s\-]+', '_', 'g')
               WHEN 'unsubscribe' THEN 'unsubscribe' WHEN 'unsubscribed' THEN 'unsubscribe'
               WHEN 'opt_out' THEN 'unsubscribe' WHEN 'optout' THEN 'unsubscribe'
               WHEN 'stop_sms' THEN 'stop_sms' WHEN 'stop' THEN 'stop_sms'
               WHEN 'hard_bounce' THEN 'hard_bounce' WHEN 'hardbounce' THEN 'hard_bounce' WHEN 'bounce' THEN 'hard_bounce'
               WHEN 'complaint' THEN 'complaint' WHEN 'spam' THEN 'complaint' WHEN 'spam_complaint' THEN 'complaint'
               WHEN 'npai' THEN 'npai' WHEN 'bloctel' THEN 'bloctel' WHEN 'erasure' THEN 'erasure'
               ELSE 'other'
           END AS reason
    FROM _in_staging_suppressions
),
c AS (
    SELECT *,
           CASE reason
               WHEN 'stop_sms' THEN 'sms' WHEN 'npai' THEN 'post'
               WHEN 'hard_bounce' THEN 'email' WHEN 'bloctel' THEN 'phone'
               ELSE CASE WHEN given_channel IN ('email', 'sms', 'phone', 'post', 'push') THEN given_channel
                         WHEN contact_point LIKE '%@%' THEN 'email'
                         WHEN is_e164(trim(contact_point)) THEN 'sms'
                         ELSE 'post' END
           END AS channel
    FROM s
),
n AS (
    SELECT CASE channel WHEN 'email' THEN lower(trim(contact_point))
                        WHEN 'post' THEN norm_postal(contact_point)
                        ELSE trim(contact_point) END AS contact_point,
           channel, reason, event_ts, source
    FROM c
)
SELECT contact_point, channel, reason, min(event_ts) AS since, arg_min(source, coalesce(event_ts, TIMESTAMP '9999-12-31')) AS source
FROM n
WHERE contact_point IS NOT NULL AND contact_point <> ''
GROUP BY contact_point, channel, reason;
