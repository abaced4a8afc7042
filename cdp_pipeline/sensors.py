"""A sensor that starts the nightly job when new files land in any source's folder.

Why a cursor of file fingerprints rather than a warehouse query: the sensor runs in the
daemon while a run may be writing, and DuckDB allows one writer; reading the landing folders
never touches the warehouse.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from cdp_pipeline.config import Config
from cdp_pipeline.ingest.load import source_files


def landing_fingerprints(cfg: Config) -> dict[str, str]:
    prints = {}
    for source in cfg.sources:
        for path in source_files(source):
            st = Path(path).stat()
            prints[str(path)] = f"{st.st_size}:{int(st.st_mtime)}"
    return prints


def new_files_sensor(cfg: Config, job: UnresolvedAssetJobDefinition, status: DefaultSensorStatus):
    @sensor(name="new_landing_files", job=job, minimum_interval_seconds=300, default_status=status,
            description="Starts the nightly job when a file appears or changes under a source's landing path.")
    def _sensor(context: SensorEvaluationContext):
        seen = json.loads(context.cursor) if context.cursor else {}
        now = landing_fingerprints(cfg)
        changed = sorted(p for p, fp in now.items() if seen.get(p) != fp)
        context.update_cursor(json.dumps(now))
        if not changed:
            return SkipReason("no new or changed landing file")
        key = hashlib.sha256(json.dumps({p: now[p] for p in changed}, sort_keys=True).encode()).hexdigest()[:16]
        return RunRequest(run_key=key,
                          tags={"cdp/trigger": "new_files", "cdp/files": str(len(changed))})

    return _sensor
