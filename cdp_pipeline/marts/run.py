"""Running several mart SQL files as one transaction.

Why: tables that are read together (a golden record and its provenance, orders and
identifiers of the 360) must change together, or a reader could see a golden value whose
provenance row belongs to the previous run.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.warehouse import render_sql, transaction


def run_sql_files(con: duckdb.DuckDBPyConnection, relpaths: list[str], **params: object) -> None:
    """Render each `sql/<relpath>` with the params it uses and run them all in one transaction."""
    statements = [render_sql(p, **params) for p in relpaths]
    with transaction(con):
        for sql in statements:
            con.execute(sql)


def sql_string(value: object) -> str:
    """A config value (segment name, run id, date) as a quoted SQL string literal.

    Why not parameters: these values end up inside multi-statement files and CASE branches
    that DuckDB parameters cannot reach; quoting them here is the one place it is done.
    """
    return "'" + str(value).replace("'", "''") + "'"
