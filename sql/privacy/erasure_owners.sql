-- Which request of an erasure batch each tombstone belongs to, from the scope (open_scope) and
-- _erasure_claims (seq, kind, value): the customers and records each applied request resolved
-- to before the batch, and the emails/phones it named. Sequential application is the reference:
-- - a person (their customer id and records) goes with the first request resolving to them;
-- - an email/phone goes when its last holder goes: the last request whose person held it, or,
--   held by no resolved person, the first request naming it;
-- - a raw record reached only through identifiers (a file staging has not seen yet) goes with
--   the first request whose identifiers reached it, and what only such rows hold goes with it.
CREATE OR REPLACE TEMP TABLE _owner_customer AS
SELECT value AS customer_id, min(seq) AS seq FROM _erasure_claims WHERE kind = 'customer' GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _owner_record AS
SELECT record_id, min(seq) AS seq FROM (
    SELECT x.record_id, o.seq FROM _in_identity_customer_xref x JOIN _owner_customer o USING (customer_id)
    UNION ALL
    SELECT value, seq FROM _erasure_claims WHERE kind = 'record'
) GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _owner_id AS
WITH held AS (
    SELECT h.kind, h.value, max(least(r.seq, c.seq)) AS seq
    FROM _held h SEMI JOIN _purge_ids p USING (kind, value)
    LEFT JOIN _owner_record r ON r.record_id = h.record_id
    LEFT JOIN _owner_customer c ON c.customer_id = h.customer_id
    GROUP BY ALL
),
named AS (
    SELECT kind, value, min(seq) AS seq FROM _erasure_claims WHERE kind IN ('email', 'phone') GROUP BY ALL
)
SELECT p.kind, p.value, coalesce(h.seq, n.seq) AS seq
FROM _purge_ids p LEFT JOIN held h USING (kind, value) LEFT JOIN named n USING (kind, value);

INSERT INTO _owner_record
SELECT r.record_id, min(o.seq) FROM _raw_ids r JOIN _owner_id o USING (kind, value)
WHERE o.seq IS NOT NULL AND r.record_id NOT IN (SELECT record_id FROM _owner_record)
GROUP BY ALL;

UPDATE _owner_id SET seq = raw.seq
FROM (SELECT kind, value, max(o.seq) AS seq FROM _raw_ids JOIN _owner_record o USING (record_id) GROUP BY ALL) raw
WHERE _owner_id.seq IS NULL AND _owner_id.kind = raw.kind AND _owner_id.value = raw.value;
