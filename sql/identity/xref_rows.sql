-- customer_xref rows from this run's assignment (`new_assignment`: record_id, customer_id,
-- cluster_confidence; every record in a full run, the records whose customer or confidence
-- moved in an incremental one), as temp table _xref_rows. assigned_at moves only when a record
-- changes customer, so downstream can tell "re-confirmed" from "re-assigned".
CREATE OR REPLACE TEMP TABLE _xref_rows AS
SELECT r.record_id, r.source, r.source_record_id, a.customer_id, a.cluster_confidence,
       $model_version AS model_version,
       CASE WHEN p.customer_id = a.customer_id THEN p.assigned_at
            ELSE CAST($now AS TIMESTAMP) END AS assigned_at
FROM new_assignment AS a
JOIN staging.identity_records AS r USING (record_id)
LEFT JOIN identity.customer_xref AS p USING (record_id);
