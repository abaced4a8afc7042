-- Contacts usable now, per customer x channel x purpose: the customer's current consent is
-- usable (granted, or soft opt-in where enabled), nobody withdrew that contact point for that
-- channel and purpose, no suppression on it (any reason, any date: suppression beats consent),
-- and its hash is not an erasure tombstone.
CREATE OR REPLACE TEMP TABLE _usable AS
SELECT gc.customer_id, gc.channel, cc.purpose, gc.contact_point
FROM _golden_contacts gc
JOIN marts.consent_current cc
  ON cc.scope = 'customer' AND cc.customer_id = gc.customer_id AND cc.channel = gc.channel AND cc.usable
WHERE NOT EXISTS (SELECT 1 FROM marts.consent_current w
                  WHERE w.scope = 'contact_point' AND w.status = 'withdrawn' AND w.contact_point = gc.contact_point
                    AND w.channel = gc.channel AND w.purpose = cc.purpose)
  AND NOT EXISTS (SELECT 1 FROM marts.suppressions s
                  WHERE s.contact_point = gc.contact_point AND s.channel = gc.channel)
  AND NOT is_tombstoned_contact(gc.channel, gc.contact_point);
