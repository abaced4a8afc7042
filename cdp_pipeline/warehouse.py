"""The one DuckDB warehouse: connections, schemas, SQL files and the atomic BI publish.

Why one place: DuckDB allows a single writer per file, so every asset reaches the
warehouse through this module, and runs execute in-process, one step at a time.
The BI copy is a separate file swapped in with an atomic rename, so a BI tool that
holds the published file open never blocks the nightly run and never sees a
half-written warehouse.
"""

from __future__ import annotations

import fnmatch
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
BI_STORAGE_VERSION = "v1.0.0"
SCHEMAS = ("audit", "quarantine", "raw", "staging", "identity", "marts", "gdpr", "bi")


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


@contextmanager
def connect(path: Path | str, read_only: bool = False, threads: int | None = None,
            memory_limit: str | None = None, temp_directory: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, creating its folder and schemas on first use."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str] = {}
    if threads:
        config["threads"] = str(threads)
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_directory:
        Path(temp_directory).mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    try:
        if not read_only:
            ensure_schemas(con)
        con.execute(render_sql("ingest/macros.sql"))
        yield con
    finally:
        con.close()


_PARAM = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def render_sql(relpath: str, **params: object) -> str:
    """Read `sql/<relpath>` and substitute `{{ name }}` placeholders.

    Placeholders are for identifiers and config values that SQL parameters can't carry
    (table names, lists of sources); values come from the validated config, never from data.
    """
    text = (SQL_DIR / relpath).read_text(encoding="utf-8")

    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key not in params:
            raise KeyError(f"sql/{relpath}: no value for placeholder {{{{ {key} }}}}")
        return str(params[key])

    return _PARAM.sub(sub, text)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failed step leaves the previous version of its tables intact."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def execute_each(con: duckdb.DuckDBPyConnection, sql: str, parameters: dict[str, object]) -> None:
    """Run the statements of `sql` one by one, each with the named parameters ($name) it uses:
    DuckDB binds parameters to a single statement."""
    for statement in duckdb.extract_statements(sql):
        used = {k: v for k, v in parameters.items() if k in statement.named_parameters}
        if used:
            con.execute(statement.query, used)
        else:
            con.execute(statement.query)


def run_sql_file(con: duckdb.DuckDBPyConnection, relpath: str, **params: object) -> None:
    """Run every statement of `sql/<relpath>` in one transaction."""
    sql = render_sql(relpath, **params)
    with transaction(con):
        con.execute(sql)


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".", 1)
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def table_has_column(con: duckdb.DuckDBPyConnection, qualified: str, column: str) -> bool:
    schema, name = qualified.split(".", 1)
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "AND column_name = ?", [schema, name, column],
        ).fetchone()[0]
    )


def row_count(con: duckdb.DuckDBPyConnection, qualified: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0])


# What BI tools get by default: the analysts' pseudonymised views, run/quality audit (counts),
# and the register of processing. Never raw/staging/quarantine, nor gdpr secrets.
DEFAULT_PUBLISH = ("bi.*", "audit.*", "gdpr.processing_register")


def publish(warehouse: Path, target: Path, include: tuple[str, ...] = DEFAULT_PUBLISH) -> Path:
    """Write the BI file: the objects matching `include` ("schema.name" globs), atomically.

    Views are materialised as tables, so the file needs nothing else to be queried (no
    macros, no salt, no marts behind the pseudonymised views); table and column comments
    travel with them. The file is built beside the target and renamed over it: on POSIX a
    rename never disturbs a reader that already has the old file open (it keeps reading the
    old inode), and a new reader sees either the old or the new file, never a partial one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for stale in (tmp, Path(str(tmp) + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(warehouse), read_only=False)
    try:
        db = _db_name(con)
        objects = [
            (schema, name, comment)
            for schema, name, comment in con.execute(
                "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ? "
                "UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() "
                "WHERE database_name = ? AND NOT internal ORDER BY 1, 2", [db, db]).fetchall()
            if any(fnmatch.fnmatchcase(f"{schema}.{name}", pattern) for pattern in include)
        ]
        # Storage v1.0.0: the BI tools' bundled DuckDB 1.x drivers can open it.
        con.execute(f"ATTACH '{tmp}' AS publish_target (STORAGE_VERSION '{BI_STORAGE_VERSION}')")
        for schema, name, comment in objects:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS publish_target."{schema}"')
            con.execute(f'CREATE TABLE publish_target."{schema}"."{name}" AS SELECT * FROM "{db}"."{schema}"."{name}"')
            if comment:
                con.execute(f'COMMENT ON TABLE publish_target."{schema}"."{name}" IS {_sql_str(comment)}')
            for column, col_comment in con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
                "AND table_name = ? AND comment IS NOT NULL", [db, schema, name]).fetchall():
                con.execute(f'COMMENT ON COLUMN publish_target."{schema}"."{name}"."{column}" IS {_sql_str(col_comment)}')
        con.execute("DETACH publish_target")
    finally:
        con.close()
    os.replace(tmp, target)
    return target


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _db_name(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchone()[0]
