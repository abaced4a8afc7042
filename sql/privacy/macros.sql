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
-- row, most of a purge's cost. The lambda binds the digits once. Two shortcuts give the same
-- result without the lambda or the regex:
--   an E.164 value ('+' then digits: every standardised phone) is its own normal form;
--   a value whose only other characters are spaces, dots or dashes (most raw phones) has those
--   removed by translate(), which is what the regex would do.
CREATE OR REPLACE TEMP MACRO phone_norm(x) AS
    CASE WHEN starts_with(x, '+') AND ltrim(x, '+0123456789') = '' THEN x
         ELSE list_transform([CASE WHEN ltrim(translate(x, ' .-', ''), '+0123456789') = '' THEN translate(x, ' .-', '')
                                   ELSE phone_digits(x) END],
                             lambda d: phone_norm_digits(d))[1] END;
-- Digits in x, without a regex. phone_norm_digits drops two leading zeros ('00'), turns one into
-- '+33' (net one digit more) or keeps the digits: phone_norm(x) = p needs phone_ndigits(x) to be
-- phone_ndigits(p), + 2 or - 1. A purge checks that first on columns mixing emails and phones
-- (contact points), where most values have too few digits and would otherwise each cost a regex.
CREATE OR REPLACE TEMP MACRO phone_ndigits(x) AS length(x) - length(translate(x, '0123456789', ''));
