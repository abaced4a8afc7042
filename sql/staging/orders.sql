-- staging.orders: every order from every orders source, typed, latest version per order.
-- An order refers to its buyer by the buyer's record in the customers source named by the
-- orders source's `customer_source`; customer_record_key joins identity_records.record_id.
-- Incremental: with $since set, only the orders with a row loaded after it (their latest
-- version replaces the staged one, see cdp_pipeline/staging/build.py::build_orders).
CREATE OR REPLACE TEMP TABLE _orders_build AS
WITH src AS (
    {{ union }}
),
touched AS (
    SELECT DISTINCT source, order_id FROM src WHERE $since IS NULL OR _loaded_at > $since
)
SELECT
    source || ':' || order_id                                   AS record_id,
    source,
    order_id,
    customer_source,
    customer_record_id,
    customer_source || ':' || customer_record_id               AS customer_record_key,
    order_ts            AS order_ts,
    amount                AS amount,
    upper(coalesce(currency, 'EUR'))                            AS currency,
    coalesce(cdp_order_status(status), 'paid')                  AS status,
    status                                                      AS status_raw,
    cdp_order_status(status) IS NULL AND status IS NOT NULL     AS status_unknown,
    store_or_site,
    _loaded_at                                                  AS loaded_at
FROM src SEMI JOIN touched USING (source, order_id)
QUALIFY row_number() OVER (PARTITION BY source, order_id ORDER BY _loaded_at DESC, _file DESC, _line DESC) = 1;
