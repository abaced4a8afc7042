-- bi.rfm: the current RFM scores and segment per pseudonymised customer.
-- Keys as in bi.customers: left(sha256(salt || id), 16), built-in functions only.
CREATE OR REPLACE VIEW bi.rfm AS
SELECT
    left(sha256(k.salt || r.customer_id), 16) AS customer_key,
    r.as_of,
    r.recency_days,
    r.frequency,
    r.monetary,
    r.r_score,
    r.f_score,
    r.m_score,
    r.rfm_code,
    r.segment
FROM marts.customer_rfm AS r
CROSS JOIN (SELECT max(salt) AS salt FROM gdpr.pseudonym_salt) AS k;

COMMENT ON VIEW bi.rfm IS 'Current RFM scores and segment per customer (pseudonymised key).';
COMMENT ON COLUMN bi.rfm.customer_key IS 'Pseudonymised customer key; joins bi.customers.';
COMMENT ON COLUMN bi.rfm.as_of IS 'Reference date of the scores.';
COMMENT ON COLUMN bi.rfm.recency_days IS 'Days since the last counted order; NULL without purchase.';
COMMENT ON COLUMN bi.rfm.frequency IS 'Number of counted orders.';
COMMENT ON COLUMN bi.rfm.monetary IS 'Net value of the orders.';
COMMENT ON COLUMN bi.rfm.r_score IS 'Recency score 1-5 (5 = most recent).';
COMMENT ON COLUMN bi.rfm.f_score IS 'Frequency score 1-5.';
COMMENT ON COLUMN bi.rfm.m_score IS 'Monetary score 1-5.';
COMMENT ON COLUMN bi.rfm.rfm_code IS 'The three scores as one code.';
COMMENT ON COLUMN bi.rfm.segment IS 'Named segment.';
