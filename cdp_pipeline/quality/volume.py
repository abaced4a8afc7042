"""Volume anomaly per raw source: rows loaded by this run against the previous run that loaded.

Why a history table: `audit.file_loads` has no run id, so `audit.quality_history` remembers,
per source, up to which `loaded_at` the previous check counted; this run's rows are the loads
after that mark. A run that loaded no new file (a re-run, files skipped by sha256) passes with
a note: skipping is normal, and a missing extract is a freshness question, not a volume one.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from cdp_pipeline.quality.rules import Measurement
from cdp_pipeline.quality.settings import QualitySettings

HISTORY_DDL = """
CREATE TABLE IF NOT EXISTS audit.quality_history (
    run_id VARCHAR, checked_at TIMESTAMP, source VARCHAR, rows_loaded BIGINT, loaded_until TIMESTAMP
)
"""


@dataclass(frozen=True)
class VolumeChange:
    source: str

    def measure(self, con: duckdb.DuckDBPyConnection, settings: QualitySettings, run_id: str) -> Measurement:
        con.execute(HISTORY_DDL)
        mark, previous = con.execute(
            "SELECT max(loaded_until), arg_max(rows_loaded, checked_at) FILTER (rows_loaded > 0) "
            "FROM audit.quality_history WHERE source = ?", [self.source]).fetchone()
        rows, until = con.execute(
            "SELECT coalesce(sum(rows_loaded), 0), max(loaded_at) FROM audit.file_loads "
            "WHERE source = ? AND status = 'loaded' AND (? IS NULL OR loaded_at > ?)",
            [self.source, mark, mark]).fetchone()
        con.execute("INSERT INTO audit.quality_history VALUES (?, now(), ?, ?, ?)",
                    [run_id, self.source, int(rows), until or mark])
        if rows == 0:
            return Measurement(passed=True, evaluated=0, failing=0, note="no new file loaded this run")
        if not previous:
            return Measurement(passed=True, evaluated=1, failing=0, note="first load: no baseline yet")
        change = abs(rows - previous) / previous
        # One comparison per run: evaluated 1, failing 0 or 1; the figures are in the note.
        return Measurement(
            passed=change <= settings.volume_change_max_share, evaluated=1,
            failing=int(change > settings.volume_change_max_share),
            note=f"{int(rows)} rows loaded vs {int(previous)} in the previous run: {change:.0%} change "
                 f"(limit {settings.volume_change_max_share:.0%})",
        )
