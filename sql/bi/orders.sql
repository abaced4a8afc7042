-- bi.orders: every order with the pseudonymised customer key (NULL for unknown buyers).
-- Keys as in bi.customers: left(sha256(salt || id), 16), built-in functions only.
CREATE OR REPLACE VIEW bi.orders AS
SELECT
    left(sha256(k.salt || o.order_record_id), 16)  AS order_key,
    left(sha256(k.salt || o.customer_id), 16)      AS customer_key,
    CAST(o.order_ts AS DATE)                        AS order_date,
    o.order_ts,
    o.channel,
    o.store_or_site,
    o.status,
    o.currency,
    o.amount,
    o.net_amount,
    o.counted
FROM marts.customer_orders AS o
CROSS JOIN (SELECT max(salt) AS salt FROM gdpr.pseudonym_salt) AS k;

COMMENT ON VIEW bi.orders IS 'Orders for analysts, with pseudonymised order and customer keys.';
COMMENT ON COLUMN bi.orders.order_key IS 'Pseudonymised order key (stable across runs).';
COMMENT ON COLUMN bi.orders.customer_key IS 'Pseudonymised customer key; NULL when the buyer is unknown.';
COMMENT ON COLUMN bi.orders.order_date IS 'Date of the order.';
COMMENT ON COLUMN bi.orders.order_ts IS 'Time of the order.';
COMMENT ON COLUMN bi.orders.channel IS 'Orders source (web, pos...).';
COMMENT ON COLUMN bi.orders.store_or_site IS 'Store or web site.';
COMMENT ON COLUMN bi.orders.status IS 'paid, returned or cancelled.';
COMMENT ON COLUMN bi.orders.currency IS 'ISO currency code.';
COMMENT ON COLUMN bi.orders.amount IS 'Order amount as sent by the source.';
COMMENT ON COLUMN bi.orders.net_amount IS 'Value after returns and cancellations (see marts.customer_orders).';
COMMENT ON COLUMN bi.orders.counted IS 'True when the order counts as a purchase for RFM.';
