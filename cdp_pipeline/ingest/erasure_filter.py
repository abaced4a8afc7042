"""Keep erased people out at the door: rows whose email or phone matches a tombstone are not loaded.

Why at ingestion: tomorrow's extracts still contain the person an erasure removed today.
Tombstones hold only salted hashes, so the incoming values are standardised the same way as
when the tombstone was made, hashed, and compared.

Why two forms per value: a tombstone is the hash of the value as staging held it (the
standardiser's form: typo-corrected email, E.164 phone parsed for the source's country) or,
when the erasure ran before staging, as raw held it (lower/trim email, French-assumed E.164).
A row is dropped when either form of its email or phone is tombstoned; for a suppressions
source, its contact point is checked as both (an erased person's STOP or bounce must not
bring their clear address back into raw). Only the distinct
values of the batch are hashed, in Python, so the salt never enters SQL text or the file.
"""

from __future__ import annotations

import duckdb
import polars as pl

from cdp_pipeline.config import Config, Source
from cdp_pipeline.ingest.load import ErasureFilter
from cdp_pipeline.privacy.hashing import hash_identifier, load_salt, normalise, tombstone_filter
from cdp_pipeline.standardise import standardise_emails, standardise_phones

_ERASED = "_erased_values"


def _forms(kind: str, values: list[str], country: str) -> dict[str, set[str]]:
    """raw value -> its standardised and minimally normalised forms (emails hold an @, phones don't)."""
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


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ingest_erasure_filter(cfg: Config) -> ErasureFilter:
    """The ingest hook: (con, incoming table, source) -> predicate over file columns, or None."""

    def predicate(con: duckdb.DuckDBPyConnection, table: str, source: Source) -> str | None:
        columns = [(kind, source.file_column(kind)) for kind in ("email", "phone") if source.file_column(kind)]
        if source.kind == "suppressions":  # the contact point is an email or a phone (or an address)
            columns = [("email", source.columns["contact_point"]), ("phone", source.columns["contact_point"])]
        if not columns:
            return None
        tombstones = tombstone_filter(con)
        if not tombstones:
            return None
        salt = load_salt(cfg.warehouse)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_ERASED} (col VARCHAR, value VARCHAR)")
        terms = []
        for kind, col in columns:
            values = [v for (v,) in con.execute(
                f"SELECT DISTINCT {_q(col)} FROM {table} WHERE nullif(trim({_q(col)}), '') IS NOT NULL").fetchall()]
            hits = [(col, raw) for raw, forms in _forms(kind, values, source.country).items()
                    if any(hash_identifier(f, kind, salt) in tombstones for f in forms)]
            if hits:
                con.executemany(f"INSERT INTO {_ERASED} VALUES (?, ?)", hits)
                lit = "'" + col.replace("'", "''") + "'"
                terms.append(f"{_q(col)} IN (SELECT value FROM {_ERASED} WHERE col = {lit})")
        return " OR ".join(terms) or None

    return predicate
