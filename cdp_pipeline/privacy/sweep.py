"""The one code path that finds a person in every layer: erasure, retention and DSAR share it.

Why generic over the catalogue rather than a list of tables: the warehouse grows (a new
source adds raw.<name>, a new mart adds a table), and a person must not survive in a table
nobody remembered to add to an erasure list. Every base table outside gdpr.* and audit.* is
scanned; a table is matched on the columns that identify people:
record ids, customer ids, emails, phones (by column name; raw tables by the source's
canonical -> file column mapping), and the quarantine's raw text.
"""

from __future__ import annotations

from typing import Iterable

import duckdb

from cdp_pipeline.config import Config, Source
from cdp_pipeline.marketing.inputs import register_inputs
from cdp_pipeline.warehouse import render_sql, table_exists

LAYERS = ("raw", "staging", "identity", "marts", "quarantine", "bi")
RECORD_COLS = {"record_id", "customer_record_key", "record_id_l", "record_id_r"}
CUSTOMER_COLS = {"customer_id", "old_id", "new_id"}
EMAIL_COLS = {"email", "email_raw", "contact_point", "contact_point_raw"}
PHONE_COLS = {"phone", "phone_raw", "mobile", "landline", "contact_point", "contact_point_raw"}
_IN_EMAIL = "IN (SELECT value FROM _purge_ids WHERE kind = 'email')"
_IN_PHONE = "IN (SELECT value FROM _purge_ids WHERE kind = 'phone')"
_IN_RECORD = "IN (SELECT record_id FROM _purge_records)"
_IN_CUSTOMER = "IN (SELECT customer_id FROM _purge_customers)"
_PHONE_NDIGITS = ("(SELECT phone_ndigits(value) + k FROM _purge_ids, (VALUES (0), (2), (-1)) t(k) "
                  "WHERE kind = 'phone')")
INPUTS = ("staging.identity_records", "identity.customer_xref", "marts.golden_customers", "staging.consent_events")


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Input views and the phone macro (also used by person resolution)."""
    register_inputs(con, *INPUTS)
    con.execute(render_sql("privacy/macros.sql"))


def open_scope(con: duckdb.DuckDBPyConnection, cfg: Config, customers: Iterable[str] = (),
               records: Iterable[str] = (), seed_ids: Iterable[tuple[str, str]] = ()) -> None:
    """Build _purge_customers / _purge_records / _purge_ids for the person(s) seeded.

    Records staging has not seen yet are also looked up in raw customers tables by the person's
    identifiers, so an erasure applied before staging/identity have processed a new file still
    reaches the orders and consents keyed by that file's record ids. Staged records are judged by
    staging alone: a record whose older raw version held the person's email (a typo since
    corrected) is someone else's; only that raw row goes, by its email.
    """
    prepare(con)
    con.execute("CREATE OR REPLACE TEMP TABLE _purge_customers (customer_id VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE _purge_records (record_id VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE _purge_seed_ids (kind VARCHAR, value VARCHAR)")
    for table, values in (("_purge_customers", [(c,) for c in customers]),
                          ("_purge_records", [(r,) for r in records]),
                          ("_purge_seed_ids", list(seed_ids))):
        if values:
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values[0]))})", values)
    con.execute(render_sql("privacy/purge_scope.sql"))
    _raw_scope(con, cfg)


def _raw_scope(con: duckdb.DuckDBPyConnection, cfg: Config) -> None:
    """Add raw customer records holding the person's identifiers, then those rows' identifiers.

    _raw_ids keeps the record each identifier was read from: a batch of erasures attributes the
    tombstone of an identifier only raw rows hold to the request whose person those rows are.
    """
    sources = [s for s in cfg.sources_of("customers") if _identifier_terms(s) and table_exists(con, s.table)]
    for src in sources:
        con.execute(f"INSERT INTO _purge_records SELECT DISTINCT {_raw_key(src)} FROM {src.table} "
                    f"WHERE {' OR '.join(_identifier_terms(src))} EXCEPT SELECT record_id FROM _purge_records "
                    "EXCEPT SELECT record_id FROM _in_staging_identity_records")
    con.execute("CREATE OR REPLACE TEMP TABLE _raw_ids (record_id VARCHAR, kind VARCHAR, value VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE _raw_ids_outside (kind VARCHAR, value VARCHAR)")
    values = [(src, kind, expr.format(_q(src.columns[kind]))) for src in sources
              for kind, expr in (("email", "lower(trim({}))"), ("phone", "phone_norm({})")) if src.file_column(kind)]
    for src, kind, value in values:
        con.execute(f"INSERT INTO _raw_ids SELECT {_raw_key(src)}, '{kind}', {value} FROM {src.table} "
                    f"WHERE {_raw_key(src)} IN (SELECT record_id FROM _purge_records)")
    # Outside holders only of the values the scope's raw rows hold: the question is whether
    # someone else holds those, not what everyone else holds.
    for src, kind, value in values:
        con.execute(f"INSERT INTO _raw_ids_outside SELECT '{kind}', {value} FROM {src.table} "
                    f"WHERE {_raw_key(src)} NOT IN (SELECT record_id FROM _purge_records) "
                    f"AND {value} IN (SELECT value FROM _raw_ids WHERE kind = '{kind}')")
    con.execute(render_sql("privacy/raw_identifiers.sql"))


def raw_record_hits(con: duckdb.DuckDBPyConnection, cfg: Config) -> list[tuple[int, str, str | None, str]]:
    """(seq, 'record', customer id or None, record) for raw customer records named by the record id
    of a request in _resolve_requests ('<source>:<id>' or the bare id).

    Why: a person known only by their customer number, erased before staging has run, is
    found nowhere else.
    """
    parts = []
    for src in cfg.sources_of("customers"):
        if table_exists(con, src.table):
            rows = f"(SELECT {_raw_key(src)} AS rec, trim({_q(src.columns['source_record_id'])}) AS bare FROM {src.table})"
            parts += [f"SELECT q.seq, k.rec FROM {rows} k JOIN _resolve_requests q ON k.{col} = q.record_id"
                      for col in ("rec", "bare")]
    if not parts:
        return []
    return con.execute(f"SELECT DISTINCT h.seq, 'record', x.customer_id, h.rec FROM ({' UNION '.join(parts)}) h "
                       "LEFT JOIN _in_identity_customer_xref x ON x.record_id = h.rec").fetchall()


def _raw_key(src: Source) -> str:
    return f"('{src.name}:' || trim({_q(src.columns['source_record_id'])}))"


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _identifier_terms(src: Source) -> list[str]:
    terms = []
    if src.file_column("email"):
        terms.append(f"lower(trim({_q(src.columns['email'])})) {_IN_EMAIL}")
    if src.file_column("phone"):
        terms.append(f"phone_norm({_q(src.columns['phone'])}) {_IN_PHONE}")
    return terms


def _mixed_phone_term(expr: str) -> str:
    """phone_norm(expr) in the scope's phones, for a column mixing emails (or addresses) and phones.

    Why the digit count first: a value whose count can't give a scoped phone (see phone_ndigits in
    sql/privacy/macros.sql), most emails, skips the regex; it was most of the cost of sweeping the
    consent tables at 1M persons. CASE, not AND: the IN is a join whose key would be computed on
    every row, while CASE computes phone_norm only where the count fits.
    """
    return f"CASE WHEN phone_ndigits({expr}) IN {_PHONE_NDIGITS} THEN phone_norm({expr}) END {_IN_PHONE}"


def _raw_terms(cfg: Config, name: str) -> list[str] | None:
    try:
        src = cfg.source(name)
    except KeyError:
        return None
    terms = _identifier_terms(src)
    if src.kind == "customers":
        terms.append(f"{_raw_key(src)} {_IN_RECORD}")
    if src.file_column("customer_record_id") and src.customer_source:
        terms.append(f"('{src.customer_source}:' || trim({_q(src.columns['customer_record_id'])})) {_IN_RECORD}")
    if src.kind == "suppressions":
        col = _q(src.columns["contact_point"])
        terms += [f"lower(trim({col})) {_IN_EMAIL}", _mixed_phone_term(col)]
    return terms


def _generic_terms(columns: list[str]) -> list[str]:
    lower = {c.lower(): c for c in columns}
    terms = []
    for low, col in lower.items():
        if low in RECORD_COLS:
            terms.append(f"CAST({_q(col)} AS VARCHAR) {_IN_RECORD}")
        if low in CUSTOMER_COLS:
            terms.append(f"CAST({_q(col)} AS VARCHAR) {_IN_CUSTOMER}")
        if low in EMAIL_COLS:
            terms.append(f"lower(trim(CAST({_q(col)} AS VARCHAR))) {_IN_EMAIL}")
        if low in PHONE_COLS:
            value = f"CAST({_q(col)} AS VARCHAR)"
            terms.append(_mixed_phone_term(value) if low in EMAIL_COLS else f"phone_norm({value}) {_IN_PHONE}")
    if {"source", "source_record_id"} <= set(lower):
        terms.append(f"({_q(lower['source'])} || ':' || {_q(lower['source_record_id'])}) {_IN_RECORD}")
    if "raw_text" in lower:  # quarantine: the rejected line as read
        text = _q(lower["raw_text"])
        terms.append(f"EXISTS (SELECT 1 FROM _purge_ids p WHERE (p.kind = 'email' AND contains(lower({text}), p.value))"
                     f" OR (p.kind = 'phone' AND (contains(phone_digits({text}), p.value)"
                     f" OR (p.value LIKE '+33%' AND contains(phone_digits({text}), '0' || substr(p.value, 4))))))")
    return terms


def person_tables(con: duckdb.DuckDBPyConnection, cfg: Config) -> list[tuple[str, str]]:
    """(table, predicate) for every base table that can hold a person, in layer order."""
    rows = con.execute(
        "SELECT table_schema, table_name, list(column_name ORDER BY ordinal_position) "
        "FROM information_schema.columns c JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
        "WHERE table_catalog = current_database() AND t.table_type = 'BASE TABLE' AND table_schema IN "
        f"({', '.join(repr(s) for s in LAYERS)}) GROUP BY ALL ORDER BY table_schema, table_name"
    ).fetchall()
    out = []
    for schema, name, columns in rows:
        terms = (_raw_terms(cfg, name) if schema == "raw" else None)
        terms = terms if terms is not None else _generic_terms(columns)
        if terms:
            out.append((f"{schema}.{_q(name)}", " OR ".join(f"({t})" for t in terms)))
    return out


def sweep(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict[str, int]:
    """Delete the scoped person(s) from every layer; rows removed per layer (counts only)."""
    removed = dict.fromkeys(LAYERS, 0)
    for table, predicate in person_tables(con, cfg):
        removed[table.split(".", 1)[0]] += int(con.execute(f"DELETE FROM {table} WHERE {predicate}").fetchone()[0])
    return removed


def select_rows(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict[str, list[dict]]:
    """The scoped person's rows in every layer (for a DSAR), keyed by table."""
    out = {}
    for table, predicate in person_tables(con, cfg):
        cur = con.execute(f"SELECT * FROM {table} WHERE {predicate}")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        if rows:
            out[table.replace('"', "")] = rows
    return out
