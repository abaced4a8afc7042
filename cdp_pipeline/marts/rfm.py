"""RFM scores, named segments, their history and segment migration.

Why segments live in config: marketing renames and redraws segments more often than the
pipeline changes; the rules (score ranges, first match wins) are turned into one SQL CASE
here, and the scoring itself stays in sql/marts/customer_rfm.sql.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marts.run import run_sql_files, sql_string
from cdp_pipeline.marts.settings import RfmSettings, reference_date, rfm_settings


def segment_cases(settings: RfmSettings) -> str:
    """WHEN lines of the segment CASE, in rule order (first match wins)."""
    lines = []
    for rule in settings.segments:
        conds = [f"s.{letter}_score BETWEEN {lo} AND {hi}" for letter, (lo, hi) in rule.ranges.items()]
        lines.append(f"WHEN {' AND '.join(conds) or 'true'} THEN {sql_string(rule.segment)}")
    return "\n        ".join(lines)


def build_rfm(con: duckdb.DuckDBPyConnection, cfg: Config, run_id: str, run_ts: dt.datetime) -> dict:
    """(Re)build marts.customer_rfm, replace this run's snapshot in marts.customer_rfm_history
    and (re)create the marts.segment_migration view, in one transaction.

    Needs marts.customer_orders (build_customer_360). Returns counts per segment only.
    """
    if run_ts.tzinfo is not None:  # history timestamps are naive UTC, like the rest of the warehouse
        run_ts = run_ts.astimezone(dt.timezone.utc).replace(tzinfo=None)
    settings = rfm_settings(cfg)
    as_of = reference_date(cfg, run_ts)
    run_sql_files(
        con,
        ["marts/customer_rfm.sql", "marts/customer_rfm_history.sql", "marts/segment_migration.sql"],
        as_of=f"DATE {sql_string(as_of.isoformat())}",
        segment_cases=segment_cases(settings),
        unmatched=sql_string(settings.unmatched_segment),
        no_purchase=sql_string(settings.no_purchase_segment),
        run_id=sql_string(run_id),
        run_ts=f"TIMESTAMP {sql_string(run_ts.isoformat(sep=' '))}",
    )
    metrics: dict = {"as_of": as_of.isoformat(),
                     "customers": con.execute("SELECT count(*) FROM marts.customer_rfm").fetchone()[0]}
    for segment, n in con.execute(
        "SELECT segment, count(*) FROM marts.customer_rfm GROUP BY segment ORDER BY segment"
    ).fetchall():
        metrics[f"segment {segment}"] = n
    return metrics
