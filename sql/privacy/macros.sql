-- Phone match form for raw/unstandardised values: E.164, French national numbers assumed
-- (mirrors cdp_pipeline.privacy.hashing.normalise, which the Python side uses).
CREATE OR REPLACE TEMP MACRO phone_digits(x) AS regexp_replace(x, '[^0-9+]', '', 'g');
CREATE OR REPLACE TEMP MACRO phone_norm_digits(d) AS
    CASE WHEN d LIKE '00%' THEN '+' || substr(d, 3)
         WHEN d LIKE '0%' AND length(d) = 10 THEN '+33' || substr(d, 2)
         WHEN d LIKE '33%' AND length(d) = 11 THEN '+' || d
         ELSE d END;
-- The same as phone_norm_digits(phone_digits(x)), written so the regex runs at most once per
-- value: a macro's argument is copied into every branch, and in a join or filter condition
-- (every purge and DSAR predicate) DuckDB evaluated the copies one by one, seven regexes per
-- row, most of a purge's cost. The lambda binds the digits once; a value already made of
-- digits and '+' only (every standardised E.164 phone) is its own digits and skips the regex.
CREATE OR REPLACE TEMP MACRO phone_norm(x) AS
    list_transform([CASE WHEN ltrim(x, '+0123456789') = '' THEN x ELSE phone_digits(x) END],
                   lambda d: phone_norm_digits(d))[1];
