-- The linkage input: staging.identity_records reduced to the columns the model compares.
--
-- Why NULL rather than drop: an identifier that staging flagged (junk, shared, invalid) or an
-- address that could not be validated would otherwise chain unrelated people (a shop's
-- phone number, a family mailbox, a PO box) into one customer. NULL means "no evidence".
-- Same for any email, phone, loyalty or account id used in this run by more than
-- {{ max_people }} distinct (first name, birth date) people: staging cannot see that across
-- sources, this run can.
-- match_hash fingerprints what the model sees, so an incremental run re-scores a record
-- exactly when its matching view changed (including when another record made its email shared).
WITH base AS (
    SELECT
        record_id,
        source,
        CASE WHEN civility IN ('M', 'MME') THEN civility END AS civility,
        CASE WHEN first_name_flag = 'ok' THEN nullif(first_name_std, '') END AS first_name_std,
        CASE WHEN last_name_flag = 'ok' THEN nullif(last_name_std, '') END AS last_name_std,
        nullif(birth_name_std, '') AS birth_name_std,
        birth_date,
        CASE WHEN email_flag IN ('ok', 'corrected') THEN email END AS email,
        CASE WHEN phone_flag = 'ok' THEN phone END AS phone,
        address_status IN ('validated', 'corrected', 'foreign') AS address_usable,
        -- Found in the postal reference: a different checked address is a different home, not a typo.
        address_status IN ('validated', 'corrected') AS address_checked,
        street_number, street_name, address_l3, postcode, city, commune_code,
        nullif(loyalty_id, '') AS loyalty_id,
        nullif(account_id, '') AS account_id
    FROM staging.identity_records
),
person AS (
    SELECT *, coalesce(first_name_std, '?') || '|' || coalesce(CAST(birth_date AS VARCHAR), '?') AS person_key
    FROM base
),
-- Identifiers used by too many distinct people in this run: a shop's phone, a generic
-- mailbox, the store's "no card" loyalty number typed at the till for anonymous buyers.
shared AS (
    SELECT kind, value
    FROM (UNPIVOT (SELECT person_key, email, phone, loyalty_id, account_id FROM person)
          ON email, phone, loyalty_id, account_id INTO NAME kind VALUE value)
    GROUP BY kind, value
    HAVING count(DISTINCT person_key) > {{ max_people }}
),
-- The sex a first name stands for, learned from this warehouse's own records that state a
-- civility: NATHALIE and NATHAN, JEAN and JEANNE are two family members, not a typo, even when
-- one record has no civility. Kept only for names seen often enough and almost always with one
-- civility (a name given to both sexes, or seen rarely, infers nothing).
first_name_sex AS (
    SELECT first_name_std, CASE WHEN share_m >= 0.5 THEN 'M' ELSE 'MME' END AS civility
    FROM (
        SELECT first_name_std, avg((civility = 'M')::INT) AS share_m, count(*) AS n
        FROM base
        WHERE civility IS NOT NULL AND first_name_std IS NOT NULL
        GROUP BY first_name_std
    )
    WHERE n >= 10 AND (share_m >= 0.95 OR share_m <= 0.05)
),
-- First names common in this warehouse (1 record in 5,000 or more): two of them are two names,
-- MARIE and MARTINE, not a typo of one, however close their spelling. A typo makes a rare string.
common_first_name AS (
    SELECT first_name_std
    FROM base
    WHERE first_name_std IS NOT NULL
    GROUP BY first_name_std
    HAVING count(*) >= greatest(5, 0.0002 * (SELECT count(*) FROM base))
),
guarded AS (
    SELECT
        p.record_id, p.source, p.civility,
        coalesce(p.civility, s.civility) AS sex,  -- M or MME: stated, else inferred from the first name
        p.first_name_std IN (SELECT first_name_std FROM common_first_name) AS first_name_common,
        p.first_name_std, p.last_name_std, p.birth_name_std, p.birth_date,
        CASE WHEN p.email NOT IN (SELECT value FROM shared WHERE kind = 'email') THEN p.email END AS email,
        CASE WHEN p.phone NOT IN (SELECT value FROM shared WHERE kind = 'phone') THEN p.phone END AS phone,
        p.address_checked,
        CASE WHEN p.address_usable THEN nullif(p.street_number, '') END AS street_number,
        CASE WHEN p.address_usable THEN nullif(p.street_name, '') END AS street_name,
        -- The building, residence or place name of the address (line 3).
        CASE WHEN p.address_usable THEN nullif(p.address_l3, '') END AS address_extra,
        CASE WHEN p.address_usable THEN nullif(p.postcode, '') END AS postcode,
        CASE WHEN p.address_usable THEN nullif(p.city, '') END AS city,
        CASE WHEN p.address_usable THEN nullif(p.commune_code, '') END AS commune_code,
        CASE WHEN p.loyalty_id NOT IN (SELECT value FROM shared WHERE kind = 'loyalty_id')
             THEN p.loyalty_id END AS loyalty_id,
        CASE WHEN p.account_id NOT IN (SELECT value FROM shared WHERE kind = 'account_id')
             THEN p.account_id END AS account_id
    FROM person AS p
    LEFT JOIN first_name_sex AS s USING (first_name_std)
)
SELECT
    *,
    split_part(email, '@', 1) AS email_local,
    -- The surname (letters only) inside the local part, or the first name as its only letters
    -- (benoit1998: first name and birth year): such local parts repeat what the names and the
    -- birth date already say, and namesakes share them.
    (length(regexp_replace(lower(coalesce(last_name_std, '')), '[^a-z]', '', 'g')) >= 3
        AND contains(regexp_replace(split_part(email, '@', 1), '[^a-z]', '', 'g'),
                     regexp_replace(lower(last_name_std), '[^a-z]', '', 'g')))
    OR (length(regexp_replace(lower(coalesce(first_name_std, '')), '[^a-z]', '', 'g')) >= 3
        AND regexp_replace(split_part(email, '@', 1), '[^a-z]', '', 'g')
            = regexp_replace(lower(first_name_std), '[^a-z]', '', 'g')) AS email_local_is_name,
    -- Copies of the names for the household split in settings.py: Splink does not train a
    -- comparison in an EM session blocked on a column it reads, and the split must not stop
    -- birth date or email levels from being trained in the session blocked on names.
    first_name_std AS first_name_check,
    last_name_std AS last_name_check,
    birth_date AS birth_date_check,
    md5(to_json(struct_pack(
        civility, sex, first_name_common, first_name_std, last_name_std, birth_name_std, birth_date, email, phone, address_checked, street_number,
        street_name, address_extra, postcode, city, commune_code, loyalty_id, account_id
    ))) AS match_hash
FROM guarded
