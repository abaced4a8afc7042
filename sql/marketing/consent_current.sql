-- Current consent, latest event wins (a withdrawal wins a tie), at two scopes:
--   scope 'customer'      : customer_id x channel x purpose
--   scope 'contact_point' : contact_point x channel x purpose (a withdrawal here binds every
--                           customer sharing the contact point; audiences check both scopes)
-- Absent row = unknown = not granted. Email soft opt-in: customers with a paid purchase and no
-- event for an eligible purpose get 'soft_opt_in', usable only when enabled in the config.
CREATE OR REPLACE TABLE marts.consent_current AS
WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY customer_id, channel, purpose
                                 ORDER BY event_ts DESC, status = 'withdrawn' DESC, source, event_id) AS rn_c,
              row_number() OVER (PARTITION BY contact_point, channel, purpose
                                 ORDER BY event_ts DESC, status = 'withdrawn' DESC, source, event_id) AS rn_p
    FROM marts.consent_ledger
),
cust AS (
    SELECT 'customer' AS scope, customer_id, NULL::VARCHAR AS contact_point, channel, purpose, status,
           event_ts AS since, source, event_id, status = 'granted' AS usable
    FROM ranked WHERE customer_id IS NOT NULL AND rn_c = 1
),
cp AS (
    SELECT 'contact_point', NULL::VARCHAR, contact_point, channel, purpose, status,
           event_ts, source, event_id, status = 'granted'
    FROM ranked WHERE contact_point IS NOT NULL AND rn_p = 1
),
paid AS (
    SELECT x.customer_id, min(o.order_ts) AS first_paid_ts
    FROM _in_staging_orders o JOIN _in_identity_customer_xref x ON x.record_id = o.customer_record_key
    WHERE o.status = 'paid' AND o.amount > 0
    GROUP BY x.customer_id
),
soft AS (
    SELECT 'customer', p.customer_id, NULL::VARCHAR, 'email', sp.purpose, 'soft_opt_in',
           p.first_paid_ts, 'soft_opt_in', NULL::VARCHAR, {{ soft_enabled }}
    FROM paid p CROSS JOIN (SELECT unnest({{ soft_purposes }}) AS purpose) sp
    WHERE NOT EXISTS (SELECT 1 FROM cust c WHERE c.customer_id = p.customer_id
                                             AND c.channel = 'email' AND c.purpose = sp.purpose)
)
SELECT * FROM cust UNION ALL SELECT * FROM cp UNION ALL SELECT * FROM soft;
