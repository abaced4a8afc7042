"""Build the staging tables from raw.*: Python standardises distinct values, SQL does the rest.

Why the split: phone numbers (libphonenumber), RNVP and name rules are Python, but they
only need to see each distinct raw value once; joins, typing and latest-version selection
are set-based SQL in `sql/staging/`.
"""

from __future__ import annotations

import duckdb
import polars as pl

from cdp_pipeline.config import Config, Source
from cdp_pipeline.staging.canonical import canonical_select, union_of
from cdp_pipeline.standardise import postal_key, standardise_emails, standardise_phones
from cdp_pipeline.standardise.customers import standardise_customers
from cdp_pipeline.warehouse import run_sql_file


def customers_table(source: Source) -> str:
    return f"staging.customers_{source.name}"


def build_customers_source(con: duckdb.DuckDBPyConnection, source: Source) -> int:
    """staging.customers_<source>: latest version of each record, standardised."""
    latest = (
        f"SELECT * FROM ({canonical_select(source)}) "
        "QUALIFY row_number() OVER (PARTITION BY source_record_id ORDER BY _loaded_at DESC, _file DESC, _line DESC) = 1"
    )
    raw = con.execute(latest).pl()
    std = standardise_customers(
        raw.select([c for c in raw.columns if not c.startswith("_") and c not in ("source", "customer_source", "trust")]),
        date_format=source.date_format,
        timestamp_format=source.timestamp_format,
        default_country=source.country,
    )
    std = std.with_columns(
        pl.lit(source.name).alias("source"),
        (pl.lit(source.name + ":") + pl.col("source_record_id")).alias("record_id"),
        pl.lit(source.trust, dtype=pl.Int32).alias("trust"),
        raw.get_column("_loaded_at").alias("loaded_at"),
    )
    con.register("_std_customers", std.to_arrow())
    try:
        con.execute(f"CREATE OR REPLACE TABLE {customers_table(source)} AS SELECT * FROM _std_customers")
    finally:
        con.unregister("_std_customers")
    return std.height


def build_identity_records(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    sources = cfg.sources_of("customers")
    if sources:
        union = "\nUNION ALL BY NAME\n".join(f"SELECT * FROM {customers_table(s)}" for s in sources)
    else:
        union = _empty_customers_select()
    run_sql_file(con, "staging/identity_records.sql", union=union,
                 max_people=int(cfg.identity.shared_identifier_max_people))
    return int(con.execute("SELECT count(*) FROM staging.identity_records").fetchone()[0])


def _empty_customers_select() -> str:
    """A zero-row frame with the standardised columns, so a config without customers still works."""
    empty = standardise_customers(
        pl.DataFrame(schema={"source_record_id": pl.Utf8}), date_format="%Y-%m-%d", timestamp_format=None,
        default_country="FR",
    ).with_columns(
        pl.lit(None, dtype=pl.Utf8).alias("source"),
        pl.lit(None, dtype=pl.Utf8).alias("record_id"),
        pl.lit(None, dtype=pl.Int32).alias("trust"),
        pl.lit(None, dtype=pl.Datetime).alias("loaded_at"),
    )
    cols = []
    for name, dtype in empty.schema.items():
        cols.append(f"CAST(NULL AS {_duck_type(dtype)}) AS {name}")
    return f"SELECT {', '.join(cols)} WHERE false"


def _duck_type(dtype: pl.DataType) -> str:
    if dtype == pl.Date:
        return "DATE"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    if dtype == pl.Boolean:
        return "BOOLEAN"
    if dtype.is_integer():
        return "BIGINT"
    if dtype.is_float():
        return "DOUBLE"
    return "VARCHAR"


def build_orders(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    run_sql_file(con, "staging/orders.sql", union=union_of(list(cfg.sources), "orders"))
    return int(con.execute("SELECT count(*) FROM staging.orders").fetchone()[0])


def build_contacts(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    run_sql_file(con, "staging/contacts.sql", union=union_of(list(cfg.sources), "contacts"))
    return int(con.execute("SELECT count(*) FROM staging.contacts").fetchone()[0])


def _register_contact_maps(con: duckdb.DuckDBPyConnection, union: str, email: str, phone: str,
                           postal: str | None = None) -> None:
    """Standardise each distinct raw email / phone / postal string once, as temp lookup tables.

    Each argument is a SQL expression over the source rows giving the raw value to standardise
    for that kind of contact point (NULL where the row has none of that kind).
    """

    def distinct(expr: str | None, with_region: bool = False) -> pl.DataFrame:
        region = ", _default_country AS region" if with_region else ""
        if expr is None:
            return pl.DataFrame(schema={"value": pl.Utf8, **({"region": pl.Utf8} if with_region else {})})
        return con.execute(f"WITH src AS ({union}) SELECT DISTINCT {expr} AS value{region} FROM src "
                           f"WHERE {expr} IS NOT NULL").pl()

    emails = distinct(email)
    email_map = standardise_emails(emails.get_column("value")).select("email_raw", "email", "email_flag")
    phones = distinct(phone, with_region=True)
    frames = [
        standardise_phones(group.get_column("value"), default_region=region or "FR")
        .select("phone_raw", "phone", "phone_type", "phone_flag")
        .with_columns(pl.lit(region).alias("region"))
        for (region,), group in phones.group_by(["region"])
    ]
    phone_map = pl.concat(frames) if frames else pl.DataFrame(
        schema={"phone_raw": pl.Utf8, "phone": pl.Utf8, "phone_type": pl.Utf8, "phone_flag": pl.Utf8, "region": pl.Utf8}
    )
    postals = distinct(postal).get_column("value")
    postal_map = pl.DataFrame({"address_raw": postals, "postal_key": [postal_key(v) for v in postals]},
                              schema={"address_raw": pl.Utf8, "postal_key": pl.Utf8})
    for name, frame in (("_email_map", email_map), ("_phone_map", phone_map), ("_postal_map", postal_map)):
        con.register(name + "_arrow", frame.to_arrow())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(name + "_arrow")


def build_consent_events(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    union = union_of(list(cfg.sources), "consent_events")
    _register_contact_maps(con, union, email="email", phone="phone")
    run_sql_file(con, "staging/consent_events.sql", union=union)
    return int(con.execute("SELECT count(*) FROM staging.consent_events").fetchone()[0])


def build_suppressions(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    union = union_of(list(cfg.sources), "suppressions")
    by_channel = "CASE WHEN cdp_channel(channel) IN ({}) THEN contact_point END"
    _register_contact_maps(con, union, email=by_channel.format("'email'"), phone=by_channel.format("'sms', 'phone'"),
                           postal=by_channel.format("'post'"))
    run_sql_file(con, "staging/suppressions.sql", union=union)
    return int(con.execute("SELECT count(*) FROM staging.suppressions").fetchone()[0])

