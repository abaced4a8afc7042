-- Contact-point forms shared by consent, suppressions and audiences (one definition each).
-- Postal contact point = AFNOR line 4 + postcode, upper case, single spaces (as staging.suppressions).
CREATE OR REPLACE TEMP MACRO norm_postal(x) AS
    nullif(upper(trim(regexp_replace(x, '\s+', ' ', 'g'))), '');
CREATE OR REPLACE TEMP MACRO is_valid_email(x) AS
    coalesce(regexp_full_match(x, '[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}'), false);
CREATE OR REPLACE TEMP MACRO is_e164(x) AS
    coalesce(regexp_full_match(x, '\+[1-9][0-9]{7,14}'), false);
