"""audit.runs: one row per pipeline run, counts only (accountability, GDPR art. 5-2).

Why here: the DPO must be able to show which assets touched personal data on which run and
how many requests were applied, without the audit trail itself holding personal data.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from cdp_pipeline.warehouse import transaction


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, started_at: datetime, finished_at: datetime | None,
               status: str, assets: list[str], personal_data_assets: list[str], row_counts: dict[str, int],
               requests_applied: int) -> None:
    """Insert or replace the run's row (a run reported twice keeps its latest status)."""
    if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in row_counts.values()):
        raise ValueError("row_counts must hold numbers only (no personal data in audit.runs)")
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute("""CREATE TABLE IF NOT EXISTS audit.runs (run_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
        status VARCHAR, assets VARCHAR[], personal_data_assets VARCHAR[], row_counts JSON, requests_applied INTEGER)""")
    with transaction(con):
        con.execute("DELETE FROM audit.runs WHERE run_id = ?", [run_id])
        con.execute("INSERT INTO audit.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, started_at, finished_at, status, list(assets), list(personal_data_assets),
                     json.dumps(row_counts, sort_keys=True), int(requests_applied)])
