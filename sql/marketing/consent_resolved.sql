-- Every consent event of {{ events }}, with its contact point and the customer(s) it belongs to
-- (temp view {{ view }}: the ledger's body; retention resolves its stale prospects' events).
-- An event carrying a customer_record_key resolves through identity.customer_xref; an event
-- keyed only by a contact point (email/SMS platform) resolves to every customer whose records
-- hold that email/phone, so a shared family address yields one row per member.
-- The contact point falls back to the keyed record's email/phone/address when the event has none.
CREATE OR REPLACE TEMP VIEW {{ view }} AS
WITH ev AS (
    SELECT e.*,
           CASE e.channel
               WHEN 'email' THEN lower(trim(coalesce(e.email, r.email)))
               WHEN 'sms' THEN trim(coalesce(e.phone, r.phone))
               WHEN 'phone' THEN trim(coalesce(e.phone, r.phone))
               WHEN 'post' THEN norm_postal(r.address_l4 || ' ' || r.postcode)
           END AS contact_point,
           CASE e.channel WHEN 'email' THEN 'email' WHEN 'sms' THEN 'phone'
                          WHEN 'phone' THEN 'phone' WHEN 'post' THEN 'postal' END AS contact_kind,
           x.customer_id AS key_customer_id
    FROM {{ events }} e
    LEFT JOIN _in_staging_identity_records r ON r.record_id = e.customer_record_key
    LEFT JOIN _in_identity_customer_xref x ON x.record_id = e.customer_record_key
),
-- Two equi-joins, not one join ON (email ...) OR (phone ...): an OR condition can't be hashed
-- and would compare every event with every record.
by_contact AS (
    SELECT ev.event_id, ev.source, x.customer_id
    FROM ev
    JOIN _in_staging_identity_records r ON lower(r.email) = ev.contact_point
    JOIN _in_identity_customer_xref x ON x.record_id = r.record_id
    WHERE ev.key_customer_id IS NULL AND ev.contact_kind = 'email'
    UNION
    SELECT ev.event_id, ev.source, x.customer_id
    FROM ev
    JOIN _in_staging_identity_records r ON r.phone = ev.contact_point
    JOIN _in_identity_customer_xref x ON x.record_id = r.record_id
    WHERE ev.key_customer_id IS NULL AND ev.contact_kind = 'phone'
)
SELECT ev.source, ev.event_id, ev.event_ts, ev.channel, ev.purpose, ev.status,
       ev.contact_kind, ev.contact_point,
       coalesce(ev.key_customer_id, bc.customer_id) AS customer_id,
       CASE WHEN ev.key_customer_id IS NOT NULL THEN 'record_key'
            WHEN bc.customer_id IS NOT NULL THEN 'contact_point' END AS resolved_via,
       ev.customer_record_key, ev.collected_via, ev.proof
FROM ev
LEFT JOIN by_contact bc ON bc.event_id IS NOT DISTINCT FROM ev.event_id AND bc.source = ev.source
WHERE ev.channel IN ('email', 'sms', 'phone', 'post', 'push')
  AND ev.status IN ('granted', 'withdrawn');
