"""The table of contents: every asset, check, job, schedule, sensor and resource of cdp_pipeline.

The asset graph is generated from the config (one raw asset per source), so this module
loads the config named by $CDP_CONFIG (default ./cdp.yaml) when Dagster imports it.
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    definitions,
    in_process_executor,
)

from cdp_pipeline.assets.audit import audit_runs_asset
from cdp_pipeline.assets.golden import golden_assets
from cdp_pipeline.assets.identity import identity_assets
from cdp_pipeline.assets.ingest import ingest_assets
from cdp_pipeline.assets.marketing import marketing_assets
from cdp_pipeline.assets.privacy import privacy_assets
from cdp_pipeline.assets.publish import bi_views, publish_asset
from cdp_pipeline.assets.staging import staging_assets
from cdp_pipeline.config import Config, load_config
from cdp_pipeline.quality.checks import quality_checks
from cdp_pipeline.resources import Warehouse
from cdp_pipeline.sensors import new_files_sensor

NIGHTLY_JOB = "nightly"


def build_definitions(cfg: Config) -> Definitions:
    assets = [
        *ingest_assets(cfg),          # raw.<source>, gdpr.erasure_requests (ingest)
        *privacy_assets(cfg),         # gdpr.*: erasures + retention in one sweep after golden, register
        *staging_assets(cfg),         # staging.* (standardise)
        *identity_assets,             # identity.* (Splink, stable customer_ids)
        *golden_assets,               # marts.golden_customers, 360, RFM
        *marketing_assets,            # consent, suppressions, audiences, export files
        bi_views,                     # bi.* pseudonymised views
    ]
    assets.append(audit_runs_asset(assets))  # audit.runs: this run's row, before the publish
    assets.append(publish_asset([key for a in assets for key in a.keys]))  # bi.published_warehouse, last
    # One writer on the DuckDB file: the whole graph runs in one process, one step at a time.
    nightly = define_asset_job(
        NIGHTLY_JOB,
        selection=AssetSelection.all(),
        executor_def=in_process_executor,
        description="The nightly run: ingest every channel, standardise, link identities, build golden records, "
        "marts and audiences, apply GDPR rules, check quality, publish the BI warehouse.",
    )
    schedule_cfg = cfg.schedule
    schedule = ScheduleDefinition(
        name="nightly_schedule",
        job=nightly,
        cron_schedule=schedule_cfg.get("cron", "0 2 * * *"),
        execution_timezone=schedule_cfg.get("timezone", "Europe/Paris"),
        default_status=DefaultScheduleStatus.RUNNING,
    )
    return Definitions(
        assets=assets,
        asset_checks=quality_checks(cfg, assets),  # quality gates: ERROR checks block downstream assets
        jobs=[nightly],
        schedules=[schedule],
        sensors=[new_files_sensor(cfg, nightly, DefaultSensorStatus.STOPPED)],
        resources={"warehouse": Warehouse(config_path=str(cfg.path))},
    )


@definitions
def defs() -> Definitions:
    """Loaded lazily by `dagster dev` / the webserver: the config named by $CDP_CONFIG or ./cdp.yaml."""
    return build_definitions(load_config())
