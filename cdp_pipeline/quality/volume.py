"""Volume anomaly per raw source: rows loaded by this run against the previous run that loaded
(the source's first load, its backfill, is never the baseline).

Why a history table: `audit.file_loads` has no run id, so `audit.quality_history` remembers,
per source, up to which `loaded_at` the previous check counted; this run's rows are the loads
after that mark. A run that loaded no new file (a re-run, files skipped by sha256) passes with
a note: skipping is normal, and a missing extract is a freshness question, not a volume one.

A failed comparison does not move the mark: the files stay loaded (sha256), so a re-run would
otherwise see "no new file" and let the bad extract through. It keeps failing until accepted:
set the check to WARN (`quality.severity`) or raise `volume_change_max_share` for one run.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from cdp_pipeline.quality.rules import Measurement
from cdp_pipeline.quality.settings import QualitySettings

HISTORY_DDL = """
CREATE TABLE IF NOT EXISTS audit.quality_history (
    run_id VARCHAR, checked_at TIMESTAMP, source VARCHAR, rows_loaded BIGINT, loaded_until TIMESTAMP,
    accepted BOOLEAN
)
"""


def volume_check_name(source: str) -> str:
    return f"raw_{source}_volume"


@dataclass(frozen=True)
class VolumeChange:
    source: str

    def measure(self, con: duckdb.DuckDBPyConnection, settings: QualitySettings, run_id: str) -> Measurement:
        con.execute(HISTORY_DDL)
        # The first load of a source is its history (backfill): it is no baseline for the nightly
        # deltas that follow, so the comparison starts with the second load.
        mark, previous = con.execute(
            "WITH h AS (SELECT *, row_number() OVER (ORDER BY checked_at) AS n FROM audit.quality_history "
            "WHERE source = ? AND accepted AND rows_loaded > 0) "
            "SELECT (SELECT max(loaded_until) FROM audit.quality_history WHERE source = ? AND accepted), "
            "arg_max(rows_loaded, checked_at) FILTER (n > 1) FROM h", [self.source, self.source]).fetchone()
        rows, until = con.execute(
            "SELECT coalesce(sum(rows_loaded), 0), max(loaded_at) FROM audit.file_loads "
            "WHERE source = ? AND status = 'loaded' AND (? IS NULL OR loaded_at > ?)",
            [self.source, mark, mark]).fetchone()
        rows = int(rows)
        if rows == 0:
            m = Measurement(passed=True, evaluated=0, failing=0, note="no new file loaded this run")
        elif not previous:
            m = Measurement(passed=True, evaluated=1, failing=0,
                            note="no baseline yet (the first load is the backfill; deltas compare from the next)")
        else:
            change = abs(rows - previous) / previous
            # One comparison per run: evaluated 1, failing 0 or 1; the figures are in the note.
            m = Measurement(
                passed=change <= settings.volume_change_max_share, evaluated=1,
                failing=int(change > settings.volume_change_max_share),
                note=f"{rows} rows loaded vs {int(previous)} in the previous run: {change:.0%} change "
                     f"(limit {settings.volume_change_max_share:.0%})",
            )
        accepted = m.passed or settings.severity.get(volume_check_name(self.source)) == "WARN"
        con.execute("INSERT INTO audit.quality_history VALUES (?, now(), ?, ?, ?, ?)",
                    [run_id, self.source, rows, until or mark, accepted])
        return m
