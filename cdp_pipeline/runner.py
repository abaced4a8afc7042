"""Run the nightly job in-process and turn Dagster's events into a short outcome.

Used by `cdp run`, `make run` and the tests: the same job the schedule runs, on a persistent
Dagster instance when DAGSTER_HOME is set (so CLI runs show in the UI), else an ephemeral one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from dagster import DagsterInstance

from cdp_pipeline.config import Config

LAYER_TABLES = [
    ("raw rows", "SELECT coalesce(sum(rows_loaded), 0) FROM audit.file_loads WHERE status = 'loaded'"),
    ("quarantined rows", "SELECT count(*) FROM quarantine.rejected_rows"),
    ("identity records", "SELECT count(*) FROM staging.identity_records"),
    ("orders", "SELECT count(*) FROM staging.orders"),
    ("customers (customer_id)", "SELECT count(*) FROM marts.golden_customers"),
    ("audience members", "SELECT count(*) FROM marts.audience_members"),
]


@dataclass
class Outcome:
    success: bool
    run_id: str
    failure: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        return [f"{k}: {v:,}" for k, v in self.counts.items()]


def _instance() -> DagsterInstance:
    home = os.environ.get("DAGSTER_HOME")
    if home:
        Path(home).mkdir(parents=True, exist_ok=True)
        return DagsterInstance.get()
    return DagsterInstance.ephemeral()


def _failure_message(result) -> str:
    """The first failed step and the first line of its error: a reason, not a stack trace."""
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None and "DagsterExecutionStepExecutionError" in (
                error.cls_name or ""
            ):
                error = error.cause  # the user-code error, not Dagster's wrapper
            message = error.message.strip().splitlines()[0] if error and error.message else "failed"
            return f"{event.step_key.replace('__', '/')}: {message.removeprefix('dagster._core.definitions.events.')}"
    return "run failed (see the Dagster UI for the run's logs)"


def layer_counts(warehouse: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not Path(warehouse).exists():
        return counts
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for label, sql in LAYER_TABLES:
            try:
                counts[label] = int(con.execute(sql).fetchone()[0])
            except duckdb.CatalogException:
                continue
    finally:
        con.close()
    return counts


def run_pipeline(cfg: Config, selection: str | None = None, log_level: str = "CRITICAL") -> Outcome:
    from cdp_pipeline.definitions import NIGHTLY_JOB, build_definitions

    defs = build_definitions(cfg)
    job = defs.resolve_job_def(NIGHTLY_JOB)
    with _instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=_selection(defs, selection) if selection else None,
            tags={"cdp/trigger": "cli"},
            # The run's full log (tracebacks included) is in the Dagster UI; the terminal gets a summary.
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
        start = instance.get_run_stats(result.run_id).start_time
    outcome = Outcome(success=result.success, run_id=result.run_id)
    outcome.counts = layer_counts(cfg.warehouse)
    if not result.success:
        outcome.failure = _failure_message(result)
        _record_failure(cfg, result, outcome, start)
    return outcome


def _record_failure(cfg: Config, result, outcome: Outcome, start: float | None) -> None:
    """A failed run never reaches the audit asset: record it here so audit.runs has every run."""
    from cdp_pipeline.privacy import record_run
    from cdp_pipeline.warehouse import connect

    started = datetime.fromtimestamp(start, timezone.utc).replace(tzinfo=None) if start else None
    done = sorted({e.asset_key.to_user_string() for e in result.all_events
                   if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key})
    with connect(cfg.warehouse) as con:
        record_run(con, result.run_id, started, datetime.now(timezone.utc).replace(tzinfo=None), "failed: "
                   + (outcome.failure or "")[:200], done, [], outcome.counts, 0)


def _selection(defs, selection: str):
    from dagster import AssetSelection

    # a multi-asset (identity writes three tables) runs whole: selecting one of its keys selects all
    chosen = AssetSelection.from_string(selection).required_multi_asset_neighbors()
    return sorted(chosen.resolve(defs.resolve_asset_graph()))
