"""Keep erased people out at the door: rows whose email, phone or record matches a tombstone are not loaded.

Why at ingestion: tomorrow's extracts still contain the person an erasure removed today.
Tombstones hold only salted hashes, so the incoming values are standardised the same way as
when the tombstone was made, hashed, and compared.

Why two forms per email/phone: a tombstone is the hash of the value as staging held it (the
standardiser's form: typo-corrected email, E.164 phone parsed for the source's country) or,
for a row staging never standardised (erased from the command line before the nightly run), as
raw held it (lower/trim email, French-assumed E.164).
A row is dropped when either form is tombstoned. A suppressions source's contact point is
checked as both email and phone (an erased person's STOP or bounce must not bring their clear
address back), and record keys `<customer source>:<id>` are checked too, so a person known
only by a customer number stays erased, with their orders and contacts.
Only the distinct values of the batch are hashed, in Python: the salt never enters SQL text.
"""

from __future__ import annotations

import duckdb
import polars as pl

from cdp_pipeline.config import Config, Source
from cdp_pipeline.ingest.load import ErasureFilter
from cdp_pipeline.privacy.hashing import hash_identifier, load_salt, normalise, tombstone_filter
from cdp_pipeline.standardise import standardise_emails, standardise_phones

_ERASED = "_erased_values"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _checks(source: Source) -> list[tuple[str, str]]:
    """(hash kind, SQL expression over the incoming file columns) to compare with tombstones."""
    col = source.file_column
    checks = [(kind, _q(col(kind))) for kind in ("email", "phone") if col(kind)]
    if source.kind == "suppressions":
        checks = [("email", _q(col("contact_point"))), ("phone", _q(col("contact_point")))]
    if source.kind == "customers":
        checks.append(("record", f"{_lit(source.name + ':')} || trim({_q(col('source_record_id'))})"))
    elif col("customer_record_id") and source.customer_source:
        checks.append(("record", f"{_lit(source.customer_source + ':')} || trim({_q(col('customer_record_id'))})"))
    return checks


def _forms(kind: str, values: list[str], country: str) -> dict[str, set[str]]:
    """value -> the forms a tombstone may have hashed (emails hold an @, phones don't)."""
    if kind == "record":
        return {v: {v} for v in values}
    values = [v for v in values if ("@" in v) == (kind == "email")]
    if kind == "email":
        std = standardise_emails(pl.Series(values, dtype=pl.Utf8)).select("email_raw", "email").rows()
    else:
        std = standardise_phones(pl.Series(values, dtype=pl.Utf8), country).select("phone_raw", "phone").rows()
    out = {v: {normalise(v, kind)} for v in values}
    for raw, value in std:
        if value:
            out[raw].add(value)
    return out


def ingest_erasure_filter(cfg: Config) -> ErasureFilter:
    """The ingest hook: (con, incoming table, source) -> predicate over file columns, or None."""

    def predicate(con: duckdb.DuckDBPyConnection, table: str, source: Source) -> str | None:
        checks = _checks(source)
        if not checks:
            return None
        tombstones = tombstone_filter(con)
        if not tombstones:
            return None
        salt = load_salt(cfg)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_ERASED} (check_no INTEGER, value VARCHAR)")
        terms = []
        for i, (kind, expr) in enumerate(checks):
            values = [v for (v,) in con.execute(
                f"SELECT DISTINCT {expr} AS v FROM {table} WHERE nullif(trim(v), '') IS NOT NULL").fetchall()]
            hits = [(i, v) for v, forms in _forms(kind, values, source.country).items()
                    if any(hash_identifier(f, kind, salt) in tombstones for f in forms)]
            if hits:
                con.executemany(f"INSERT INTO {_ERASED} VALUES (?, ?)", hits)
                terms.append(f"{expr} IN (SELECT value FROM {_ERASED} WHERE check_no = {i})")
        return " OR ".join(terms) or None

    return predicate
