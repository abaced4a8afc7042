"""Build the staging tables from raw.*: Python standardises distinct values, SQL does the rest.

Why the split: phone numbers (libphonenumber), RNVP and name rules are Python, but they
only need to see each distinct raw value once; joins, typing and latest-version selection
are set-based SQL in `sql/staging/`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from cdp_pipeline.config import Config, Source
from cdp_pipeline.staging.canonical import canonical_select, union_of
from cdp_pipeline.standardise import postal_key, standardise_emails, standardise_phones
from cdp_pipeline.standardise.customers import standardise_customers
from cdp_pipeline.standardise.reference import REFERENCE_CSV
from cdp_pipeline.warehouse import render_sql, row_count, run_sql_file, table_exists, transaction


def customers_table(source: Source) -> str:
    return f"staging.customers_{source.name}"


def build_customers_source(con: duckdb.DuckDBPyConnection, source: Source) -> int:
    """staging.customers_<source>: latest version of each record, standardised.

    Incremental: only records with a raw row loaded since the last build are standardised
    again (their latest version replaces the staged one); the Python standardisers are most
    of a night's staging time, and most records did not change. The table is rebuilt whole
    when there is no previous build or its fingerprint differs (`build_fingerprint`: the
    source's config or the standardisation code changed). Rows erased or expired are removed
    from raw and staging together by the privacy sweep, so nothing needs re-reading for them.
    Returns the number of records standardised by this build.
    """
    table = customers_table(source)
    fingerprint = build_fingerprint(source)
    high_water = _raw_high_water(con, [source])
    since = _previous_high_water(con, table, fingerprint)
    canonical = canonical_select(source)
    changed = "" if since is None else (
        "WHERE source_record_id IN (SELECT source_record_id FROM canonical WHERE _loaded_at > $since)")
    latest = (
        f"WITH canonical AS ({canonical}) SELECT * FROM canonical {changed} "
        "QUALIFY row_number() OVER (PARTITION BY source_record_id ORDER BY _loaded_at DESC, _file DESC, _line DESC) = 1"
    )
    raw = con.execute(latest, {} if since is None else {"since": since}).pl()
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
        with transaction(con):
            _store_build(con, table, "_std_customers", since is None, fingerprint, high_water)
    finally:
        con.unregister("_std_customers")
    return std.height


# How a source's files are found and read: raw rows hold what was read, so none of these changes
# what staging makes of them. In the fingerprint, the absolute path made a moved or copied project
# (or a landing folder named differently) restandardise every record (about 5 minutes at 1M persons).
_READING_ONLY = frozenset({"path", "format", "delimiter", "encoding", "description"})


def build_fingerprint(*sources: Source) -> str:
    """What an incrementally built staging table depends on besides raw rows: its sources'
    config as staging reads it (not where and how files are read) and the code
    (`code_fingerprint`). A change rebuilds the table."""
    config = repr([sorted((k, v) for k, v in vars(s).items() if k not in _READING_ONLY) for s in sources])
    return hashlib.sha256((config + code_fingerprint()).encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The standardisation and staging code and the postcode reference, hashed."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    sql = package.parent / "sql" / "staging"
    for path in sorted([*(package / "standardise").glob("*.py"), *(package / "staging").glob("*.py"),
                        *sql.glob("*.sql"), REFERENCE_CSV]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _previous_high_water(con: duckdb.DuckDBPyConnection, table: str, fingerprint: str) -> datetime | None:
    """The raw load time the table was last built up to, or None when it must be rebuilt."""
    con.execute(render_sql("staging/build_state.sql"))
    if not table_exists(con, table):
        return None
    row = con.execute("SELECT fingerprint, high_water FROM staging.build_state WHERE table_name = ?",
                      [table]).fetchone()
    return row[1] if row and row[0] == fingerprint and row[1] is not None else None


def recorded_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """The fingerprint `table` was last built with (None when never recorded)."""
    con.execute(render_sql("staging/build_state.sql"))
    row = con.execute("SELECT fingerprint FROM staging.build_state WHERE table_name = ?", [table]).fetchone()
    return row[0] if row else None


def _raw_high_water(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> datetime | None:
    """The latest raw load time of these sources (None when nothing is loaded)."""
    loads = [con.execute(f"SELECT max(_loaded_at) FROM {s.table}").fetchone()[0] for s in sources
             if table_exists(con, s.table)]
    return max((t for t in loads if t is not None), default=None)


def _store_build(con: duckdb.DuckDBPyConnection, table: str, built: str, full: bool, fingerprint: str,
                 high_water: datetime | None, key: str | None = "record_id") -> None:
    """Replace `table` with `built` (full build) or merge `built` into it (rows with the same `key`
    replaced; key None: appended), and record how far it has read; in the caller's transaction."""
    if full:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {built}")
    else:
        if key:
            con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {built})")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {built}")
    record_build(con, table, fingerprint, high_water)


def record_build(con: duckdb.DuckDBPyConnection, table: str, fingerprint: str, high_water: datetime | None) -> None:
    """Remember how `table` was built (staging.build_state); in the caller's transaction."""
    con.execute(render_sql("staging/build_state.sql"))
    con.execute("DELETE FROM staging.build_state WHERE table_name = ?", [table])
    con.execute("INSERT INTO staging.build_state VALUES (?, ?, ?, now()::TIMESTAMP)", [table, fingerprint, high_water])


def build_identity_records(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """staging.identity_records: the union of the customers tables, with shared identifiers flagged.

    Incremental like the tables it unions: only the records staged since the last build, and
    the records holding a value whose 'shared' flag may have changed, are written again (the
    union of 1.7M records at a million persons was most of a night's staging). Rebuilt whole
    when a customers table's fingerprint, the sources or the sharing limit changed.
    Returns the number of records written.
    """
    sources = cfg.sources_of("customers")
    union = ("\nUNION ALL BY NAME\n".join(f"SELECT * FROM {customers_table(s)}" for s in sources)
             if sources else _empty_customers_select())
    max_people = int(cfg.identity.shared_identifier_max_people)
    fingerprint = hashlib.sha256(f"{max_people};{build_fingerprint(*sources)}".encode()).hexdigest()[:16]
    table = "staging.identity_records"
    high_water = con.execute(f"SELECT max(loaded_at) FROM ({union})").fetchone()[0]
    since = _previous_high_water(con, table, fingerprint)
    with transaction(con):
        if since is None:  # written straight into the table: a temp copy cost 10 s at 1M persons
            con.execute(render_sql("staging/identity_records.sql", target=f"TABLE {table}", union=union,
                                   rewrite="true", counted="true", max_people=max_people))
            record_build(con, table, fingerprint, high_water)
            return row_count(con, table)
        con.execute(render_sql("staging/identity_records_affected.sql", union=union), {"since": since})
        con.execute(render_sql("staging/identity_records.sql", target="TEMP TABLE _identity_records_build",
                               union=union, rewrite=_AFFECTED_ROWS, counted=_HOLDERS_OF_REWRITTEN_VALUES,
                               max_people=max_people), {"since": since})
        _store_build(con, table, "_identity_records_build", False, fingerprint, high_water)
    return row_count(con, "_identity_records_build")


# The rows an incremental build rewrites (identity_records_affected.sql says why).
_AFFECTED_ROWS = (
    "r.loaded_at > $since"
    " OR r.email IN (SELECT value FROM _identity_records_affected WHERE kind = 'email')"
    " OR r.phone IN (SELECT value FROM _identity_records_affected WHERE kind = 'phone')"
    " OR (r.address_l4 || '|' || r.postcode) IN (SELECT value FROM _identity_records_affected WHERE kind = 'address')"
)
# The records whose count of people decides a rewritten row's flags: those sharing one of its values.
_HOLDERS_OF_REWRITTEN_VALUES = (
    "c.email IN (SELECT email FROM rewrite) OR c.phone IN (SELECT phone FROM rewrite)"
    " OR (c.address_l4, c.postcode) IN (SELECT (address_l4, postcode) FROM rewrite)"
)


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
    """staging.orders, incrementally like the customers tables: only orders with a raw row loaded
    since the last build are typed again (4M orders at a million people, a few percent a night)."""
    sources = cfg.sources_of("orders")
    fingerprint = build_fingerprint(*sources)
    high_water = _raw_high_water(con, sources)
    since = _previous_high_water(con, "staging.orders", fingerprint)
    with transaction(con):
        con.execute(render_sql("staging/orders.sql", union=union_of(list(cfg.sources), "orders")), {"since": since})
        _store_build(con, "staging.orders", "_orders_build", since is None, fingerprint, high_water)
    return row_count(con, "_orders_build")


def build_contacts(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    run_sql_file(con, "staging/contacts.sql", union=union_of(list(cfg.sources), "contacts"))
    return int(con.execute("SELECT count(*) FROM staging.contacts").fetchone()[0])


def _register_contact_maps(con: duckdb.DuckDBPyConnection, union: str, email: str, phone: str,
                           postal: str | None = None) -> None:
    """Standardised forms of the raw emails / phones / postal strings of `union`, as temp lookups.

    Each argument is a SQL expression over the source rows giving the raw value to standardise
    for that kind of contact point (NULL where the row has none of that kind).
    Emails and phones come from persistent lookups (`staging.email_lookup`, `staging.phone_lookup`):
    only values never seen are standardised in Python. At a million people that is ~900k
    distinct values, 14 s of Python every night for a few thousand new ones. The lookups are
    emptied when the standardisation code changes (fingerprint in staging.build_state), and
    they hold personal data like any staging table: erasure and retention sweep them.
    """

    def new_values(expr: str | None, with_region: bool = False) -> pl.DataFrame:
        region = ", _default_country AS region" if with_region else ""
        key = "(value, region) NOT IN (SELECT phone_raw, region FROM staging.phone_lookup)" if with_region \
            else "value NOT IN (SELECT email_raw FROM staging.email_lookup)"
        if expr is None:
            return pl.DataFrame(schema={"value": pl.Utf8, **({"region": pl.Utf8} if with_region else {})})
        return con.execute(f"WITH src AS ({union}) SELECT * FROM (SELECT DISTINCT {expr} AS value{region} FROM src "
                           f"WHERE {expr} IS NOT NULL) WHERE {key}").pl()

    _ensure_lookups(con)
    emails = new_values(email)
    email_map = standardise_emails(emails.get_column("value")).select("email_raw", "email", "email_flag")
    phones = new_values(phone, with_region=True)
    frames = [
        standardise_phones(group.get_column("value"), default_region=region or "FR")
        .select("phone_raw", "phone", "phone_type", "phone_flag")
        .with_columns(pl.lit(region).alias("region"))
        for (region,), group in phones.group_by(["region"])
    ]
    phone_map = pl.concat(frames) if frames else pl.DataFrame(
        schema={"phone_raw": pl.Utf8, "phone": pl.Utf8, "phone_type": pl.Utf8, "phone_flag": pl.Utf8, "region": pl.Utf8}
    )
    for table, frame in (("staging.email_lookup", email_map), ("staging.phone_lookup", phone_map)):
        if frame.height:
            con.register("_new_lookup", frame.to_arrow())
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _new_lookup")
            con.unregister("_new_lookup")
    con.execute("CREATE OR REPLACE TEMP VIEW _email_map AS SELECT email_raw, email, email_flag FROM staging.email_lookup")
    con.execute("CREATE OR REPLACE TEMP VIEW _phone_map AS "
                "SELECT phone_raw, phone, phone_type, phone_flag, region FROM staging.phone_lookup")
    postals = (con.execute(f"WITH src AS ({union}) SELECT DISTINCT {postal} AS value FROM src "
                           f"WHERE {postal} IS NOT NULL").pl() if postal else pl.DataFrame(schema={"value": pl.Utf8}))
    postals = postals.get_column("value")
    postal_map = pl.DataFrame({"address_raw": postals, "postal_key": [postal_key(v) for v in postals]},
                              schema={"address_raw": pl.Utf8, "postal_key": pl.Utf8})
    con.register("_postal_map_arrow", postal_map.to_arrow())
    con.execute("CREATE OR REPLACE TEMP TABLE _postal_map AS SELECT * FROM _postal_map_arrow")
    con.unregister("_postal_map_arrow")


def _ensure_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Create the contact point lookups; empty them when the standardisation code changed."""
    con.execute("CREATE TABLE IF NOT EXISTS staging.email_lookup (email_raw VARCHAR, email VARCHAR, email_flag VARCHAR)")
    con.execute("CREATE TABLE IF NOT EXISTS staging.phone_lookup (phone_raw VARCHAR, region VARCHAR, phone VARCHAR, "
                "phone_type VARCHAR, phone_flag VARCHAR)")
    fingerprint = code_fingerprint()
    if recorded_fingerprint(con, "staging.email_lookup") != fingerprint:
        with transaction(con):
            con.execute("DELETE FROM staging.email_lookup")
            con.execute("DELETE FROM staging.phone_lookup")
            record_build(con, "staging.email_lookup", fingerprint, None)


def build_consent_events(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """staging.consent_events, incrementally: raw consent rows are only ever appended (a file sent
    again is loaded beside the first copy) or swept with the staged events they became, so a
    night appends the events of the rows loaded since the last build (1.8M events at a million
    people, a few percent a night). A change of config or code rebuilds the table."""
    sources = cfg.sources_of("consent_events")
    fingerprint = build_fingerprint(*sources)
    high_water = _raw_high_water(con, sources)
    since = _previous_high_water(con, "staging.consent_events", fingerprint)
    union = union_of(list(cfg.sources), "consent_events")
    if since is not None:  # a timestamp the warehouse wrote, not data: safe as a literal
        union = f"SELECT * FROM ({union}) WHERE _loaded_at > TIMESTAMP '{since.isoformat(sep=' ')}'"
    _register_contact_maps(con, union, email="email", phone="phone")
    with transaction(con):
        con.execute(render_sql("staging/consent_events.sql", union=union))
        _store_build(con, "staging.consent_events", "_consent_events_build", since is None, fingerprint, high_water,
                     key=None)
    return row_count(con, "_consent_events_build")


def build_suppressions(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    union = union_of(list(cfg.sources), "suppressions")
    by_channel = "CASE WHEN cdp_channel(channel) IN ({}) THEN contact_point END"
    _register_contact_maps(con, union, email=by_channel.format("'email'"), phone=by_channel.format("'sms', 'phone'"),
                           postal=by_channel.format("'post'"))
    run_sql_file(con, "staging/suppressions.sql", union=union)
    return int(con.execute("SELECT count(*) FROM staging.suppressions").fetchone()[0])

