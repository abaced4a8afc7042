-- Members breaking any contact rule: checked straight from the rule tables (not from _usable),
-- so a bug in the builder's joins shows up here. Rules: a usable customer consent for the
-- channel and purpose, no withdrawal of the contact point, no suppression, the contact point is
-- the golden record's (the customer still exists and the channel's contact point is valid),
-- and not tombstoned.
SELECT count(*) FROM marts.audience_members m
WHERE NOT EXISTS (SELECT 1 FROM marts.consent_current c
                  WHERE c.scope = 'customer' AND c.customer_id = m.customer_id AND c.channel = m.channel
                    AND c.purpose = m.purpose AND c.usable)
   OR EXISTS (SELECT 1 FROM marts.consent_current w
              WHERE w.scope = 'contact_point' AND w.status = 'withdrawn' AND w.contact_point = m.contact_point
                AND w.channel = m.channel AND w.purpose = m.purpose)
   OR EXISTS (SELECT 1 FROM marts.suppressions s WHERE s.contact_point = m.contact_point AND s.channel = m.channel)
   OR NOT EXISTS (SELECT 1 FROM _golden_contacts g
                  WHERE g.customer_id = m.customer_id AND g.channel = m.channel AND g.contact_point = m.contact_point)
   OR is_tombstoned_contact(m.channel, m.contact_point);
