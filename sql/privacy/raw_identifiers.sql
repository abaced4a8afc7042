-- Identifiers found on raw customer rows of the scoped records (_raw_ids: kind, value) join
-- _purge_ids unless another person holds them (a raw row outside the scope, or a standardised
-- record outside it): covers an erasure applied before staging has seen the person's file.
DELETE FROM _raw_ids WHERE value IS NULL OR value IN ('', '+')
    OR (kind, value) IN (SELECT kind, value FROM _raw_ids_outside)
    OR (kind = 'email' AND value IN (SELECT lower(trim(email)) FROM _in_staging_identity_records
                                     WHERE record_id NOT IN (SELECT record_id FROM _purge_records)))
    OR (kind = 'phone' AND value IN (SELECT phone FROM _in_staging_identity_records
                                     WHERE record_id NOT IN (SELECT record_id FROM _purge_records)));
INSERT INTO _purge_ids SELECT DISTINCT kind, value FROM _raw_ids EXCEPT SELECT kind, value FROM _purge_ids;
