-- marts.customer_orders: every staged order with the customer who placed it.
-- An order whose buyer record is unknown to identity keeps customer_id NULL: it stays
-- visible (quality checks count it) instead of vanishing from revenue.
-- net_amount is what the order is worth after returns and cancellations:
--   paid      -> amount
--   cancelled -> 0
--   returned  -> 0 when the order itself is marked returned (fully returned);
--                the amount as is when it is negative (a refund line recorded as its own order).
-- counted: the order counts as a purchase for RFM (paid and positive).
CREATE OR REPLACE TABLE marts.customer_orders AS
SELECT
    x.customer_id,
    o.record_id                                        AS order_record_id,
    o.source                                           AS channel,
    o.order_id,
    o.customer_record_key,
    o.order_ts,
    o.status,
    o.currency,
    o.amount,
    CAST(CASE
        WHEN o.status = 'cancelled' THEN 0
        WHEN o.status = 'returned' THEN least(o.amount, 0)
        ELSE o.amount
    END AS DECIMAL(12, 2))                             AS net_amount,
    o.status = 'paid' AND o.amount > 0                 AS counted,
    o.store_or_site
FROM staging.orders AS o
LEFT JOIN identity.customer_xref AS x ON x.record_id = o.customer_record_key;

COMMENT ON TABLE marts.customer_orders IS 'Every staged order with its customer; orders of unknown buyers keep customer_id NULL (never dropped).';
COMMENT ON COLUMN marts.customer_orders.customer_id IS 'Customer who placed the order; NULL when the buyer record is unknown to identity resolution.';
COMMENT ON COLUMN marts.customer_orders.order_record_id IS 'Order key <source>:<order_id>, unique.';
COMMENT ON COLUMN marts.customer_orders.channel IS 'Orders source the order came from (e.g. web, pos).';
COMMENT ON COLUMN marts.customer_orders.order_id IS 'Order id in its source.';
COMMENT ON COLUMN marts.customer_orders.customer_record_key IS 'Buyer record (<customers source>:<id>), joins staging.identity_records.record_id.';
COMMENT ON COLUMN marts.customer_orders.order_ts IS 'When the order was placed.';
COMMENT ON COLUMN marts.customer_orders.status IS 'paid, returned or cancelled.';
COMMENT ON COLUMN marts.customer_orders.currency IS 'ISO currency code.';
COMMENT ON COLUMN marts.customer_orders.amount IS 'Order amount as sent by the source.';
COMMENT ON COLUMN marts.customer_orders.net_amount IS 'Value after returns/cancellations: amount if paid, 0 if cancelled or fully returned, the (negative) amount of a refund line.';
COMMENT ON COLUMN marts.customer_orders.counted IS 'True when the order counts as a purchase for RFM (paid, positive amount).';
COMMENT ON COLUMN marts.customer_orders.store_or_site IS 'Store or web site of the order.';
