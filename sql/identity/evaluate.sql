-- Pairwise quality of identity.customer_xref against a truth table `truth`
-- (source, source_record_id, person_id), counted per group, never pair by pair:
-- a group of n records holds n*(n-1)/2 pairs. Only records present in both are scored.
WITH scored AS (
    SELECT x.customer_id, CAST(t.person_id AS VARCHAR) AS person_id
    FROM identity.customer_xref AS x
    JOIN truth AS t ON t.source = x.source AND CAST(t.source_record_id AS VARCHAR) = x.source_record_id
),
pairs AS (
    SELECT 'predicted' AS kind, sum(n * (n - 1) / 2) AS pairs FROM (SELECT count(*) AS n FROM scored GROUP BY customer_id)
    UNION ALL
    SELECT 'true', sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM scored GROUP BY person_id)
    UNION ALL
    SELECT 'both', sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM scored GROUP BY customer_id, person_id)
    UNION ALL
    SELECT 'records', count(*) FROM scored
)
SELECT kind, coalesce(pairs, 0)::BIGINT FROM pairs
