"""Salted hashes of identifiers: erasure tombstones and pseudonymous keys.

Why salted, and why the salt lives outside the warehouse: a tombstone must let ingest
recognise an erased person who reappears in a later extract, without the warehouse holding
anything that reverses to their email or phone. An unsalted sha256 of an email is reversible
by dictionary; with a secret salt kept in $CDP_ERASURE_SALT (production) or in a 0600 file
next to the warehouse (`<warehouse>.salt`, created once), a copy of the warehouse alone
(the BI copy, a backup) can't be used to test whether someone was a customer.

The hash is sha256 over the UTF-8 text `<salt hex>:<kind>:<normalised value>`, computable in
SQL too (`erasure_hash` temp macro), so set-based steps never pull identifiers into Python.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

import duckdb

from cdp_pipeline.config import Config

SALT_ENV = "CDP_ERASURE_SALT"
KINDS = ("email", "phone", "record", "customer")


def normalise(value: str, kind: str) -> str:
    """The standardised form ingest stores: lower-case email; E.164 phone (French numbers assumed)."""
    value = value.strip()
    if kind == "email":
        return value.lower()
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        if digits.startswith("00"):
            digits = "+" + digits[2:]
        elif digits.startswith("0") and len(digits) == 10:
            digits = "+33" + digits[1:]
        elif digits.startswith("33") and len(digits) == 11:
            digits = "+" + digits
        return digits
    return value


def hash_identifier(value: str, kind: str, salt: bytes) -> str:
    if kind not in KINDS:
        raise ValueError(f"hash kind must be one of {', '.join(KINDS)}")
    text = f"{salt.hex()}:{kind}:{normalise(value, kind)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_salt(target: Config | Path | str) -> bytes:
    """$CDP_ERASURE_SALT, else `<warehouse>.salt` (32 random bytes, created once with mode 0600).

    `target` is the Config (the assets' call) or the warehouse path (from an open connection).
    """
    env = os.environ.get(SALT_ENV)
    if env:
        return env.encode("utf-8")
    path = Path(str(target.warehouse if isinstance(target, Config) else target) + ".salt")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        salt = path.read_bytes()
        if len(salt) < 16:
            raise RuntimeError(f"erasure salt file {path} is truncated; restore it from backup") from None
        return salt
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return path.read_bytes()


def warehouse_path(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if not row or not row[0]:
        raise RuntimeError("erasure hashing needs a file-backed warehouse (no salt for an in-memory database)")
    return Path(row[0])


def ensure_tombstones(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS gdpr")
    con.execute(
        "CREATE TABLE IF NOT EXISTS gdpr.erasure_tombstones "
        "(hash VARCHAR, kind VARCHAR, request_id VARCHAR, applied_at TIMESTAMP)"
    )


def register_hash_macros(con: duckdb.DuckDBPyConnection, salt: bytes | None = None) -> bytes:
    """Temp macros for this connection (never persisted, so the salt never lands in the file):

    - erasure_hash(kind, value): the hash of an already-standardised value;
    - is_tombstoned(kind, value): whether it is an erasure tombstone (ingest drops such rows);
    - is_tombstoned_contact(channel, contact_point): the same for an audience contact point.
    """
    salt = salt if salt is not None else load_salt(warehouse_path(con))
    ensure_tombstones(con)
    prefix = salt.hex()
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO erasure_hash(kind, value) AS "
        f"sha256('{prefix}:' || kind || ':' || value)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO is_tombstoned(kind, value) AS "
        "value IS NOT NULL AND erasure_hash(kind, value) IN (SELECT hash FROM gdpr.erasure_tombstones)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO is_tombstoned_contact(channel, contact_point) AS "
        "channel IN ('email', 'sms', 'phone') AND "
        "is_tombstoned(CASE channel WHEN 'email' THEN 'email' ELSE 'phone' END, contact_point)"
    )
    return salt


def tombstone_filter(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every tombstone hash; ingest compares `hash_identifier(std_value, kind, salt)` against it."""
    ensure_tombstones(con)
    return {row[0] for row in con.execute("SELECT hash FROM gdpr.erasure_tombstones").fetchall()}
