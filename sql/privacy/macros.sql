-- Phone match form for raw/unstandardised values: E.164, French national numbers assumed
-- (mirrors cdp_pipeline.privacy.hashing.normalise, which the Python side uses).
CREATE OR REPLACE TEMP MACRO phone_digits(x) AS regexp_replace(x, '[^0-9+]', '', 'g');
CREATE OR REPLACE TEMP MACRO phone_norm_digits(d) AS
    CASE WHEN d LIKE '00%' THEN '+' || substr(d, 3)
         WHEN d LIKE '0%' AND length(d) = 10 THEN '+33' || substr(d, 2)
         WHEN d LIKE '33%' AND length(d) = 11 THEN '+' || d
         ELSE d END;
-- The same as phone_norm_digits(phone_digits(x)), written so each regex runs once per value: a
-- macro's argument is copied into every branch, and in a join or filter condition (every purge
-- and DSAR predicate) DuckDB evaluated the copies one by one, seven regexes per row, most of a
-- purge's cost. So the digits go through anchored replacements, each a no-op unless its case
-- applies, in phone_norm_digits' order: once one applies the value starts with '+' and the
-- later ones can't match. An E.164 value ('+' then digits: every standardised phone) is its own
-- normal form, recognised by one full match (starts_with + ltrim cost 5x more at 1M persons).
-- At 1.7M records: 0.66 s for the raw phones (1.0 s with the previous lambda form), 0.10 s for
-- the standardised ones (0.51 s).
CREATE OR REPLACE TEMP MACRO phone_norm(x) AS
    CASE WHEN regexp_full_match(x, '\+[+0-9]*') THEN x
         ELSE regexp_replace(regexp_replace(regexp_replace(phone_digits(x),
                  '^00', '+'), '^0([0-9+]{9})$', '+33\1'), '^(33[0-9+]{9})$', '+\1') END;
-- Digits in x, without a regex. phone_norm_digits drops two leading zeros ('00'), turns one into
-- '+33' (net one digit more) or keeps the digits: phone_norm(x) = p needs phone_ndigits(x) to be
-- phone_ndigits(p), + 2 or - 1. A purge checks that first on columns mixing emails and phones
-- (contact points), where most values have too few digits and would otherwise each cost a regex.
CREATE OR REPLACE TEMP MACRO phone_ndigits(x) AS length(x) - length(translate(x, '0123456789', ''));
