"""Audiences: consent-safe member lists per config entry, their history and export files.

Why the filter is parsed, not just run: a marketer writes it in YAML, and it is pasted into
SQL that runs with write access to the warehouse. It is accepted only if DuckDB's parser
sees a single `SELECT * FROM _audience_base WHERE <predicate>` whose predicate is made of
columns of the golden + RFM view, constants, operators and an allow-list of scalar functions
(no sub-query, no table function, no file access), and EXPLAIN then binds it to the view.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import duckdb

from cdp_pipeline.config import Config, ConfigError
from cdp_pipeline.marketing.inputs import register_inputs
from cdp_pipeline.marketing.settings import _NAME, Audience, audiences, consent_settings
from cdp_pipeline.privacy.hashing import register_hash_macros
from cdp_pipeline.warehouse import render_sql, run_sql_file

_SAFE_FUNCTIONS = {
    "lower", "upper", "trim", "length", "coalesce", "ifnull", "nullif", "abs", "round", "least", "greatest",
    "year", "month", "day", "date_diff", "datediff", "date_trunc", "current_date", "today", "age",
    "starts_with", "ends_with", "contains", "prefix", "suffix", "substr", "substring", "concat", "strip_accents",
    "regexp_matches", "~~", "!~~", "~~*", "!~~*", "+", "-", "*", "/", "%", "||",
}
_SAFE_CLASSES = {"CONJUNCTION", "OPERATOR", "COMPARISON", "CONSTANT", "BETWEEN", "CASE", "CAST", "FUNCTION", "COLUMN_REF"}


def _walk(node: object, columns: set[str], where: str) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, columns, where)
        return
    if not isinstance(node, dict):
        return
    cls = node.get("class")
    if cls is not None:
        if cls not in _SAFE_CLASSES:
            raise ConfigError(f"{where}: {cls.lower()} expressions are not allowed in a filter")
        if cls == "COLUMN_REF" and (len(node["column_names"]) != 1 or node["column_names"][0].lower() not in columns):
            raise ConfigError(f"{where}: unknown column {'.'.join(node['column_names'])!r}")
        if cls == "FUNCTION" and (node.get("schema") or node.get("catalog")
                                  or node["function_name"].lower() not in _SAFE_FUNCTIONS):
            raise ConfigError(f"{where}: function {node['function_name']!r} is not allowed in a filter")
    for key, value in node.items():
        if key != "value":  # constants' payloads are data, not syntax
            _walk(value, columns, where)


def validate_filter(con: duckdb.DuckDBPyConnection, predicate: str, where: str) -> None:
    """Reject anything but a plain predicate over _audience_base's columns (see module doc)."""
    if ";" in predicate or "--" in predicate or "/*" in predicate:
        raise ConfigError(f"{where}: ';' and comments are not allowed in a filter")
    sql = f"SELECT * FROM _audience_base WHERE ({predicate})"
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    except duckdb.Error:
        raise ConfigError(f"{where}: filter could not be parsed") from None
    stmts = tree.get("statements") or []
    node = stmts[0]["node"] if len(stmts) == 1 else {}
    frm = node.get("from_table") or {}
    if (tree.get("error") or node.get("type") != "SELECT_NODE" or frm.get("table_name") != "_audience_base"
            or frm.get("schema_name") or node.get("modifiers") or len(node.get("select_list", [])) != 1
            or node["select_list"][0].get("class") != "STAR" or node.get("group_expressions")
            or node.get("having") or node.get("qualify") or (node.get("cte_map") or {}).get("map")):
        raise ConfigError(f"{where}: filter must be a single predicate")
    columns = {r[0].lower() for r in con.execute("DESCRIBE _audience_base").fetchall()}
    _walk(node["where_clause"], columns, where)
    try:
        con.execute("EXPLAIN " + sql)
    except duckdb.Error as exc:
        raise ConfigError(f"{where}: filter does not bind to golden + rfm columns ({exc.__class__.__name__})") from None


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Inputs, contact macros, salted tombstone macros and the golden contact view."""
    register_inputs(con, "marts.customer_rfm")
    register_inputs(con, "marts.golden_customers", keep_extra=True)
    register_hash_macros(con)
    run_sql_file(con, "marketing/contact_macros.sql")
    run_sql_file(con, "marketing/golden_contacts.sql")


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE TABLE IF NOT EXISTS marts.audience_history
        (run_id VARCHAR, run_date DATE, audience VARCHAR, customer_id VARCHAR, channel VARCHAR, purpose VARCHAR)""")
    for table, cols in (("marts.consent_current", "scope VARCHAR, customer_id VARCHAR, contact_point VARCHAR, "
                         "channel VARCHAR, purpose VARCHAR, status VARCHAR, since TIMESTAMP, source VARCHAR, "
                         "event_id VARCHAR, usable BOOLEAN"),
                        ("marts.suppressions", "contact_point VARCHAR, channel VARCHAR, reason VARCHAR, "
                         "since TIMESTAMP, source VARCHAR")):
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")


def build_audiences(con: duckdb.DuckDBPyConnection, cfg: Config, run_id: str, run_date: date) -> dict:
    """marts.audience_members for this run (+ marts.audience_history). Files are written by
    write_exports, separately, so a blocking audience_violations check can stop them."""
    specs = audiences(cfg)
    default_cap = consent_settings(cfg).max_per_30_days
    _ensure_tables(con)
    _prepare(con)
    for a in specs:
        if a.filter:
            validate_filter(con, a.filter, f"audiences '{a.name}'.filter")
    run_sql_file(con, "marketing/usable_contacts.sql")
    con.execute("""CREATE OR REPLACE TEMP TABLE _members (audience VARCHAR, customer_id VARCHAR, channel VARCHAR,
                   contact_point VARCHAR, purpose VARCHAR, run_id VARCHAR, run_date DATE)""")
    con.execute("CREATE OR REPLACE TEMP TABLE _current_run AS SELECT ?::VARCHAR AS run_id", [run_id])
    for a in specs:
        cap = a.max_per_30_days or default_cap
        con.execute(_select_sql(a, cap), {"run_id": run_id, "run_date": run_date})
    run_sql_file(con, "marketing/audience_publish.sql")
    sizes = dict(con.execute("SELECT audience, count(*) FROM marts.audience_members GROUP BY audience").fetchall())
    return {"audiences": len(specs), **{f"members_{a.name}": int(sizes.get(a.name, 0)) for a in specs}}


def _select_sql(a: Audience, cap: int | None) -> str:
    return render_sql("marketing/audience_select.sql", name=a.name, channel=a.channel, purpose=a.purpose,
                      filter=a.filter or "true", fallback=a.fallback or "",
                      cap=cap if cap is not None else "9223372036854775807")


def write_exports(con: duckdb.DuckDBPyConnection, cfg: Config) -> list[Path]:
    """(Re)write `<exports_dir>/<audience>.csv` from marts.audience_members, atomically.

    Also rewrites any older export file in the folder, so a person removed from
    audience_members (erasure, retention) disappears from every file marketers can pick up.
    """
    out = Path(cfg.exports_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {a.name for a in audiences(cfg)}
    names |= {p.stem for p in out.glob("*.csv") if _NAME.match(p.stem)}
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
                   "AND table_name = 'audience_members'").fetchone()[0]:
        names |= {r[0] for r in con.execute("SELECT DISTINCT audience FROM marts.audience_members").fetchall()}
        source = "marts.audience_members"
    else:
        source = "(SELECT NULL::VARCHAR AS audience, NULL::VARCHAR AS customer_id, NULL::VARCHAR AS contact_point, NULL::VARCHAR AS channel WHERE false)"
    written = []
    for name in sorted(names):
        target = out / f"{name}.csv"
        tmp = out / f".{name}.csv.{os.getpid()}.tmp"
        con.execute(
            f"COPY (SELECT customer_id, contact_point, channel FROM {source} WHERE audience = '{name}' "
            f"ORDER BY customer_id) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')"
        )
        os.replace(tmp, target)
        written.append(target)
    return written


def audience_violations(con: duckdb.DuckDBPyConnection) -> int:
    """Members of the current audiences breaking any contact rule (0 expected; blocks the export)."""
    _ensure_tables(con)
    con.execute("""CREATE TABLE IF NOT EXISTS marts.audience_members (audience VARCHAR, customer_id VARCHAR,
                   channel VARCHAR, contact_point VARCHAR, purpose VARCHAR, run_id VARCHAR, run_date DATE)""")
    _prepare(con)
    return int(con.execute(render_sql("marketing/audience_violations.sql")).fetchone()[0])
