-- The one contact point per customer and channel that audiences may use, from the golden record:
-- a valid email, a mobile for SMS, the landline (else the mobile) for calls, a full postal address.
CREATE OR REPLACE TEMP VIEW _golden_contacts AS
SELECT customer_id, 'email' AS channel, lower(trim(email)) AS contact_point
FROM _in_marts_golden_customers WHERE is_valid_email(lower(trim(email)))
UNION ALL
SELECT customer_id, 'sms', trim(mobile) FROM _in_marts_golden_customers WHERE is_e164(trim(mobile))
UNION ALL
SELECT customer_id, 'phone', CASE WHEN is_e164(trim(landline)) THEN trim(landline) ELSE trim(mobile) END
FROM _in_marts_golden_customers WHERE is_e164(trim(landline)) OR is_e164(trim(mobile))
UNION ALL
SELECT customer_id, 'post', norm_postal(address_l4 || ' ' || postcode)
FROM _in_marts_golden_customers
WHERE nullif(trim(address_l4), '') IS NOT NULL AND nullif(trim(postcode), '') IS NOT NULL
  AND nullif(trim(city), '') IS NOT NULL;

CREATE OR REPLACE TEMP VIEW _audience_base AS
SELECT g.*, r.* EXCLUDE (customer_id)
FROM _in_marts_golden_customers g LEFT JOIN _in_marts_customer_rfm r USING (customer_id);
