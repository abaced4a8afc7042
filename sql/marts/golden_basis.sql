-- What the golden tables read from each identity record, as one hash per record; run before
-- golden_customer_provenance.sql, golden_customers.sql and customer_identifiers.sql, which read
-- the temp tables made here.
--   _bounced / _npai   contact points known bad (hard-bounced email, NPAI address): a value
--                      never survives once listed, so a new listing changes the golden record
--   _golden_basis      record_id, customer_id, input_hash: the whole staged row and whether its
--                      email bounced or its address came back. Compared with marts.golden_basis
--                      (the basis of the last build) in golden_scope.sql, it tells which
--                      customers' golden rows can have changed since.
CREATE OR REPLACE TEMP TABLE _bounced AS
SELECT DISTINCT contact_point FROM staging.suppressions WHERE reason = 'hard_bounce' AND contact_point IS NOT NULL;

CREATE OR REPLACE TEMP TABLE _npai AS
SELECT DISTINCT contact_point FROM staging.suppressions WHERE reason = 'npai' AND contact_point IS NOT NULL;

CREATE OR REPLACE TEMP TABLE _golden_basis AS
SELECT r.record_id,
       x.customer_id,
       -- coalesce: NULL IN (an empty list) is false but NULL IN (a list) is NULL, which would
       -- change the hash of every record without an email when the first bounce arrives
       hash(r, coalesce(r.email IN (SELECT contact_point FROM _bounced), false),
            coalesce((r.address_l4 || ' ' || r.postcode) IN (SELECT contact_point FROM _npai), false)) AS input_hash
FROM identity.customer_xref AS x
JOIN staging.identity_records AS r USING (record_id);
