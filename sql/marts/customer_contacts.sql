-- marts.customer_contacts: call-centre and after-sales contacts with their customer.
-- Like orders, a contact of an unknown record keeps customer_id NULL.
CREATE OR REPLACE TABLE marts.customer_contacts AS
SELECT
    x.customer_id,
    c.source,
    c.contact_id,
    c.customer_record_key,
    c.contact_ts,
    c.channel,
    c.reason,
    c.outcome
FROM staging.contacts AS c
LEFT JOIN identity.customer_xref AS x ON x.record_id = c.customer_record_key;

COMMENT ON TABLE marts.customer_contacts IS 'Call-centre and after-sales contacts with their customer; contacts of unknown records keep customer_id NULL.';
COMMENT ON COLUMN marts.customer_contacts.customer_id IS 'Customer contacted; NULL when the record is unknown to identity resolution.';
COMMENT ON COLUMN marts.customer_contacts.source IS 'Contacts source.';
COMMENT ON COLUMN marts.customer_contacts.contact_id IS 'Contact id in its source.';
COMMENT ON COLUMN marts.customer_contacts.customer_record_key IS 'Customer record (<customers source>:<id>).';
COMMENT ON COLUMN marts.customer_contacts.contact_ts IS 'When the contact happened.';
COMMENT ON COLUMN marts.customer_contacts.channel IS 'Contact channel (phone, email, chat, store...).';
COMMENT ON COLUMN marts.customer_contacts.reason IS 'Why the customer got in touch. May contain free text.';
COMMENT ON COLUMN marts.customer_contacts.outcome IS 'How the contact ended.';
