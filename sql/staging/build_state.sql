-- How far each incrementally built staging table has read its raw table, and with which
-- code/config fingerprint (see cdp_pipeline/staging/build.py::build_customers_source).
CREATE SCHEMA IF NOT EXISTS staging;
CREATE TABLE IF NOT EXISTS staging.build_state (
    table_name  VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    high_water  TIMESTAMP,        -- max(raw._loaded_at) when the table was last built
    built_at    TIMESTAMP NOT NULL
);
