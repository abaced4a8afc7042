-- staging.contacts: call-centre and after-sales contacts, latest version per contact.
CREATE OR REPLACE TABLE staging.contacts AS
WITH src AS (
    {{ union }}
)
SELECT
    source,
    contact_id,
    customer_source || ':' || customer_record_id                AS customer_record_key,
    contact_ts          AS contact_ts,
    lower(channel)                                              AS channel,
    reason,
    outcome,
    _loaded_at                                                  AS loaded_at
FROM src
QUALIFY row_number() OVER (PARTITION BY source, contact_id ORDER BY _loaded_at DESC, _file DESC, _line DESC) = 1;
