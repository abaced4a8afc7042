"""`audit.check_results`: one row per check execution, so `cdp quality` can show the last run.

Why in the warehouse and not only in Dagster's event log: the CLI and BI tools read the
warehouse; Dagster's instance may be ephemeral (CLI runs without DAGSTER_HOME).
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.quality.rules import Measurement

RESULTS_DDL = """
CREATE TABLE IF NOT EXISTS audit.check_results (
    run_id VARCHAR, checked_at TIMESTAMP, asset VARCHAR, check_name VARCHAR, severity VARCHAR,
    passed BOOLEAN, evaluated BIGINT, failing BIGINT, sample_ids VARCHAR[], note VARCHAR
)
"""


def record(con: duckdb.DuckDBPyConnection, run_id: str, asset: str, check_name: str, severity: str,
           m: Measurement) -> None:
    con.execute(RESULTS_DDL)
    con.execute("INSERT INTO audit.check_results VALUES (?, now(), ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, asset, check_name, severity, m.passed, m.evaluated, m.failing, m.sample_ids, m.note])
