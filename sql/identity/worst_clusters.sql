-- Clusters holding the most wrongly merged pairs (different true persons), by customer_id only.
WITH scored AS (
    SELECT x.customer_id, CAST(t.person_id AS VARCHAR) AS person_id
    FROM identity.customer_xref AS x
    JOIN truth AS t ON t.source = x.source AND CAST(t.source_record_id AS VARCHAR) = x.source_record_id
),
per_person AS (SELECT customer_id, count(*) AS n FROM scored GROUP BY customer_id, person_id),
per_cluster AS (
    SELECT customer_id, sum(n)::BIGINT AS records, count(*)::BIGINT AS persons,
           ((sum(n) * (sum(n) - 1) - sum(n * (n - 1))) / 2)::BIGINT AS false_pairs
    FROM per_person GROUP BY customer_id
)
SELECT customer_id, records, persons, false_pairs FROM per_cluster
WHERE false_pairs > 0 ORDER BY false_pairs DESC, customer_id LIMIT {{ limit }}
