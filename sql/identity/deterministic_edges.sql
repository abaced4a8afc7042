-- Authoritative identifiers: records sharing a loyalty card or a web account are one person,
-- whatever the model scores. A star from each record to its group's smallest record id gives
-- the same connected components as every pair, without a quadratic edge list.
WITH keyed AS (
    SELECT record_id, 'loyalty_id' AS key_name, loyalty_id AS key_value
    FROM {{ input }} WHERE loyalty_id IS NOT NULL
    UNION ALL
    SELECT record_id, 'account_id', account_id
    FROM {{ input }} WHERE account_id IS NOT NULL
),
star AS (
    SELECT min(record_id) OVER (PARTITION BY key_name, key_value) AS record_id_l,
           record_id AS record_id_r, key_name
    FROM keyed
)
SELECT record_id_l, record_id_r, CAST(NULL AS DOUBLE) AS match_weight,
       1.0::DOUBLE AS match_probability, 'deterministic:' || key_name AS match_key
FROM star
WHERE record_id_l <> record_id_r
