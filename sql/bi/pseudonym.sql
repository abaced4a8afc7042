-- bi.pseudonym(v): the analysts' key for an internal id: the first 16 hex digits (64 bits) of
-- sha256(salt || id). The salt (gdpr.pseudonym_salt, one random value created once by
-- marts/bi.py) keeps keys stable from run to run, so analysts can follow a customer over
-- time, while nobody without the salt can recompute a key from a customer id.
CREATE OR REPLACE MACRO bi.pseudonym(v) AS
    left(sha256((SELECT max(salt) FROM gdpr.pseudonym_salt) || CAST(v AS VARCHAR)), 16);
