"""Analysts' views (bi.*) and the data dictionary generated from column comments.

Why views over marts rather than copies: they are always in step with the marts and cost
nothing to rebuild; what analysts may see is decided once, in sql/bi/*.sql. No view exposes
names, e-mails, phones, addresses or birth dates; customers are known by a salted
pseudonymous key, left(sha256(salt || customer_id), 16), written with built-in functions
only: a BI tool opens the warehouse without our macros.
"""

from __future__ import annotations

import secrets

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marts.run import run_sql_files

BI_VIEWS = ("customers", "orders", "rfm", "segment_migration")
DICTIONARY_SCHEMAS = ("marts", "bi")


def ensure_pseudonym_salt(con: duckdb.DuckDBPyConnection) -> None:
    """Create gdpr.pseudonym_salt with one random 256-bit salt, once.

    Why once: re-salting would change every customer_key and break analysts' history.
    Why `secrets`: the salt is what stops anyone from recomputing keys from customer ids.
    """
    con.execute("CREATE TABLE IF NOT EXISTS gdpr.pseudonym_salt (salt VARCHAR NOT NULL, created_at TIMESTAMP)")
    con.execute(
        "INSERT INTO gdpr.pseudonym_salt SELECT ?, current_timestamp "
        "WHERE NOT EXISTS (SELECT 1 FROM gdpr.pseudonym_salt)", [secrets.token_hex(32)])
    con.execute("COMMENT ON TABLE gdpr.pseudonym_salt IS "
                "'Secret salt of the bi.* pseudonymous keys; created once, never to be shared with analysts.'")


def build_bi_views(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    """(Re)create the bi.* views over the marts (which must exist). Returns row counts."""
    ensure_pseudonym_salt(con)
    run_sql_files(con, [f"bi/{v}.sql" for v in BI_VIEWS])
    return {f"bi.{v}": con.execute(f"SELECT count(*) FROM bi.{v}").fetchone()[0] for v in BI_VIEWS}


def data_dictionary_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The marts.* and bi.* tables and views with their COMMENT ON texts, as markdown.

    Why from comments: the comments live next to the SQL that creates each column, are shown
    by Dagster and BI tools, and this page is generated from them so it cannot drift.
    """
    relations = con.execute(
        "SELECT schema_name, table_name, 'table', comment FROM duckdb_tables() "
        "WHERE schema_name IN ? AND NOT temporary AND database_name = current_database() "
        "UNION ALL SELECT schema_name, view_name, 'view', comment FROM duckdb_views() "
        "WHERE schema_name IN ? AND NOT temporary AND NOT internal AND database_name = current_database() "
        "ORDER BY 1, 2", [list(DICTIONARY_SCHEMAS), list(DICTIONARY_SCHEMAS)]).fetchall()
    out = ["# Data dictionary", "",
           "Generated from the `COMMENT ON` statements of `sql/marts/` and `sql/bi/` by",
           "`python -m cdp_pipeline.marts.dictionary`; do not edit by hand.", "",
           "`marts.*` hold personal data (support, activation); `bi.*` views are for analysts and hold",
           "no direct personal data.", ""]
    for schema, name, kind, comment in relations:
        out += [f"## {schema}.{name} ({kind})", "", comment or "_No description._", "",
                "| column | type | description |", "|---|---|---|"]
        for column, dtype, col_comment in con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = ? "
            "AND table_name = ? AND database_name = current_database() ORDER BY column_index",
            [schema, name]).fetchall():
            text = (col_comment or "").replace("|", "\\|")
            out.append(f"| {column} | {dtype} | {text} |")
        out.append("")
    return "\n".join(out)
