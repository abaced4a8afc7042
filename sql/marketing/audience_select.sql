-- One audience's members for this run, appended to _members (audiences run in config order,
-- so the pressure cap sees earlier audiences of the same run). Primary channel first; the
-- fallback channel only for customers with no usable primary contact. The cap counts this
-- customer's memberships on the same channel in the 30 days up to run_date, other runs plus
-- this one. Parameters: $run_id, $run_date.
INSERT INTO _members
WITH base AS (
    SELECT customer_id FROM _audience_base WHERE ({{ filter }})
),
primary_ AS (
    SELECT u.customer_id, u.channel, u.contact_point
    FROM base b JOIN _usable u ON u.customer_id = b.customer_id
    WHERE u.channel = '{{ channel }}' AND u.purpose = '{{ purpose }}'
),
fallback_ AS (
    SELECT u.customer_id, u.channel, u.contact_point
    FROM base b JOIN _usable u ON u.customer_id = b.customer_id
    WHERE u.channel = '{{ fallback }}' AND u.purpose = '{{ purpose }}'
      AND u.customer_id NOT IN (SELECT customer_id FROM primary_)
),
pressure AS (
    SELECT customer_id, channel, count(*) AS n
    FROM (SELECT customer_id, channel FROM marts.audience_history
          WHERE run_id <> $run_id AND run_date > $run_date - INTERVAL 30 DAY AND run_date <= $run_date
          UNION ALL
          SELECT customer_id, channel FROM _members)
    GROUP BY ALL
)
SELECT '{{ name }}' AS audience, c.customer_id, c.channel, c.contact_point, '{{ purpose }}' AS purpose,
       $run_id AS run_id, $run_date AS run_date
FROM (SELECT * FROM primary_ UNION ALL SELECT * FROM fallback_) c
LEFT JOIN pressure p ON p.customer_id = c.customer_id AND p.channel = c.channel
WHERE coalesce(p.n, 0) < {{ cap }};
