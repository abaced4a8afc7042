-- Phone match form for raw/unstandardised values: E.164, French national numbers assumed
-- (mirrors cdp_pipeline.privacy.hashing.normalise, which the Python side uses).
CREATE OR REPLACE TEMP MACRO phone_digits(x) AS regexp_replace(x, '[^0-9+]', '', 'g');
CREATE OR REPLACE TEMP MACRO phone_norm(x) AS
    CASE WHEN phone_digits(x) LIKE '00%' THEN '+' || substr(phone_digits(x), 3)
         WHEN phone_digits(x) LIKE '0%' AND length(phone_digits(x)) = 10 THEN '+33' || substr(phone_digits(x), 2)
         WHEN phone_digits(x) LIKE '33%' AND length(phone_digits(x)) = 11 THEN '+' || phone_digits(x)
         ELSE phone_digits(x) END;
