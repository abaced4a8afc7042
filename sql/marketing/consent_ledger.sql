-- The consent ledger: every event with its contact point and customer(s), from _consent_resolved.
CREATE OR REPLACE TABLE marts.consent_ledger AS SELECT * FROM _consent_resolved;
