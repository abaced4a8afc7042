"""A private in-memory DuckDB for one Splink run.

Why not run Splink on the warehouse: Splink creates dozens of `__splink__*` scratch tables,
and the warehouse allows one writer. Copying the (small, already standardised) matching
input in through Arrow keeps the warehouse clean and lets the identity step set its own
threads/memory/temp settings; only final tables are written back.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa
from splink import DuckDBAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from cdp_pipeline.config import IdentityConfig
from cdp_pipeline.identity.splink_logs import route_splink_logging
from cdp_pipeline.warehouse import render_sql

INPUT = "identity_input"


@dataclass
class Session:
    mem: duckdb.DuckDBPyConnection
    db_api: DuckDBAPI
    records: SplinkDataFrame
    n_records: int

    def register(self, table: str) -> SplinkDataFrame:
        """Expose a table of `mem` to Splink (each name once per session)."""
        return self.db_api.register(table, table_name=table)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> Iterator[None]:
    """Expose an Arrow table to `con` as view `name` for the duration of the block."""
    con.register(name, data)
    try:
        yield
    finally:
        con.unregister(name)


def copy_in(source: duckdb.DuckDBPyConnection, mem: duckdb.DuckDBPyConnection, sql: str, table: str,
            params: list | None = None) -> None:
    """Materialise a query on `source` as `table` in `mem`, through Arrow."""
    with registered(mem, "__copy_in", source.execute(sql, params).to_arrow_table()):
        mem.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM __copy_in")


@contextmanager
def open_session(warehouse: duckdb.DuckDBPyConnection, cfg: IdentityConfig) -> Iterator[Session]:
    route_splink_logging()
    Path(cfg.duckdb.temp_directory).mkdir(parents=True, exist_ok=True)
    mem = duckdb.connect(":memory:", config={
        "threads": str(cfg.duckdb.threads),
        "memory_limit": cfg.duckdb.memory_limit,
        "temp_directory": str(cfg.duckdb.temp_directory),
    })
    try:
        sql = render_sql("identity/matching_input.sql", max_people=int(cfg.shared_identifier_max_people))
        copy_in(warehouse, mem, sql, INPUT)
        n = int(mem.execute(f"SELECT count(*) FROM {INPUT}").fetchone()[0])
        db_api = DuckDBAPI(connection=mem)
        records = db_api.register(INPUT, table_name=INPUT)
        yield Session(mem=mem, db_api=db_api, records=records, n_records=n)
    finally:
        mem.close()
