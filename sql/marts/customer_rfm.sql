-- marts.customer_rfm: recency, frequency, monetary value and segment of every customer,
-- as of a reference date. Config-driven pieces (rendered by marts/rfm.py):
--   as_of          the reference date literal
--   segment_cases  WHEN ... THEN '<segment>' lines, first match wins
--   unmatched, no_purchase   segment names for scored customers no rule matched / customers without purchase
-- Only orders placed on or before the reference date count. A purchase is a "counted" order
-- (paid, positive; see marts.customer_orders); monetary nets refunds and cancellations.
-- Scores are quintiles over the customers with at least one purchase. Unlike a bare NTILE,
-- equal values share a score (rank based), so two customers with the same single order
-- never land in different frequency scores by the order of their ids.
CREATE OR REPLACE TABLE marts.customer_rfm AS
WITH customers AS (
    SELECT DISTINCT customer_id FROM identity.customer_xref WHERE customer_id IS NOT NULL
),
orders AS (
    SELECT * FROM marts.customer_orders
    WHERE customer_id IS NOT NULL AND CAST(order_ts AS DATE) <= {{ as_of }}
),
per_customer AS (
    SELECT customer_id,
           max(order_ts) FILTER (WHERE counted)   AS last_order_ts,
           count(*) FILTER (WHERE counted)        AS frequency,
           sum(net_amount)                        AS monetary
    FROM orders
    GROUP BY customer_id
),
base AS (
    SELECT c.customer_id,
           p.last_order_ts,
           date_diff('day', CAST(p.last_order_ts AS DATE), {{ as_of }})  AS recency_days,
           coalesce(p.frequency, 0)                                       AS frequency,
           CAST(coalesce(p.monetary, 0) AS DECIMAL(14, 2))                AS monetary
    FROM customers AS c
    LEFT JOIN per_customer AS p USING (customer_id)
),
buyers AS (
    SELECT customer_id,
           CAST(1 + floor(5 * (rank() OVER (ORDER BY recency_days DESC) - 1) / count(*) OVER ()) AS INTEGER) AS r_score,
           CAST(1 + floor(5 * (rank() OVER (ORDER BY frequency) - 1) / count(*) OVER ()) AS INTEGER)         AS f_score,
           CAST(1 + floor(5 * (rank() OVER (ORDER BY monetary) - 1) / count(*) OVER ()) AS INTEGER)          AS m_score
    FROM base
    WHERE frequency > 0
)
SELECT
    b.customer_id,
    {{ as_of }}                                          AS as_of,
    b.last_order_ts,
    b.recency_days,
    b.frequency,
    b.monetary,
    s.r_score,
    s.f_score,
    s.m_score,
    CAST(s.r_score AS VARCHAR) || s.f_score || s.m_score AS rfm_code,
    CASE
        WHEN s.customer_id IS NULL THEN {{ no_purchase }}
        {{ segment_cases }}
        ELSE {{ unmatched }}
    END                                                  AS segment
FROM base AS b
LEFT JOIN buyers AS s USING (customer_id);

COMMENT ON TABLE marts.customer_rfm IS 'RFM scores and segment of every customer as of a reference date (config reference_date, else the run date).';
COMMENT ON COLUMN marts.customer_rfm.customer_id IS 'Customer.';
COMMENT ON COLUMN marts.customer_rfm.as_of IS 'Reference date: orders after it are ignored, recency is counted up to it.';
COMMENT ON COLUMN marts.customer_rfm.last_order_ts IS 'Time of the last counted (paid, positive) order.';
COMMENT ON COLUMN marts.customer_rfm.recency_days IS 'Days from the last counted order to as_of; NULL without purchase.';
COMMENT ON COLUMN marts.customer_rfm.frequency IS 'Number of counted orders (cancelled and fully returned orders excluded).';
COMMENT ON COLUMN marts.customer_rfm.monetary IS 'Sum of net_amount (returns and cancellations netted).';
COMMENT ON COLUMN marts.customer_rfm.r_score IS 'Recency quintile 1-5 among buyers, 5 = most recent; ties share a score; NULL without purchase.';
COMMENT ON COLUMN marts.customer_rfm.f_score IS 'Frequency quintile 1-5 among buyers, 5 = most orders; NULL without purchase.';
COMMENT ON COLUMN marts.customer_rfm.m_score IS 'Monetary quintile 1-5 among buyers, 5 = highest value; NULL without purchase.';
COMMENT ON COLUMN marts.customer_rfm.rfm_code IS 'r, f and m scores as one code, e.g. 545.';
COMMENT ON COLUMN marts.customer_rfm.segment IS 'Named segment from the config rules (first match wins); No purchase for customers without a counted order.';
