-- This run's members replace marts.audience_members; marts.audience_history gets them once
-- per run_id (a re-run of the same run_id replaces its own rows, never adds twice).
CREATE OR REPLACE TABLE marts.audience_members AS
SELECT audience, customer_id, channel, contact_point, purpose, run_id, run_date FROM _members;
DELETE FROM marts.audience_history WHERE run_id IN (SELECT run_id FROM _current_run);
INSERT INTO marts.audience_history
SELECT run_id, run_date, audience, customer_id, channel, purpose FROM _members;
