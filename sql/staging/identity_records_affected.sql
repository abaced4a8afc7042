-- _identity_records_affected (kind, value): the values whose 'shared' flag an incremental build
-- of staging.identity_records must decide again (identity_records.sql rewrites every record
-- holding one):
--   the emails, phones and addresses of the records staged since $since: their count of people
--   can have grown past the limit;
--   the values flagged shared at the last build: a record removed (erasure, retention) or changed
--   can have brought one back under it. A value not shared before can only become shared by a
--   record that now holds it, which the first part covers.
CREATE OR REPLACE TEMP TABLE _identity_records_affected AS
WITH changed AS (
    SELECT email, phone, address_l4, postcode FROM ({{ union }}) WHERE loaded_at > $since
)
SELECT 'email' AS kind, email AS value FROM changed WHERE email IS NOT NULL
UNION SELECT 'phone', phone FROM changed WHERE phone IS NOT NULL
UNION SELECT 'address', address_l4 || '|' || postcode FROM changed WHERE address_l4 IS NOT NULL AND postcode IS NOT NULL
UNION SELECT 'email', email FROM staging.identity_records WHERE email_flag = 'shared'
UNION SELECT 'phone', phone FROM staging.identity_records WHERE phone_flag = 'shared'
UNION SELECT 'address', address_l4 || '|' || postcode FROM staging.identity_records WHERE address_status = 'shared';
