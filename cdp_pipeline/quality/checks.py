"""The suites as Dagster asset checks: ERROR checks block downstream assets, WARN checks report.

Why blocking checks rather than a quality asset at the end: a blocking check that fails stops
every asset downstream of the one it guards in the same run, so a broken extract never reaches
audiences or the BI publish, while unrelated branches still run.

No `from __future__ import annotations` here: Dagster reads the context and resource annotations.
"""

from typing import Iterable

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetsDefinition,
    MetadataValue,
    asset_check,
)

from cdp_pipeline.config import Config
from cdp_pipeline.quality.results import record
from cdp_pipeline.quality.rules import Measurement
from cdp_pipeline.quality.settings import QualitySettings, quality_settings
from cdp_pipeline.quality.suites import CheckDef, suite
from cdp_pipeline.resources import Warehouse
from cdp_pipeline.warehouse import table_exists


def quality_checks(cfg: Config, present: Iterable[AssetsDefinition] | None = None) -> list[AssetChecksDefinition]:
    """Every check of the config's suites. With `present` (the Definitions' assets), only the checks
    whose guarded asset is defined, and only dependencies on defined assets, so a layer not yet
    wired in leaves its checks out instead of breaking the definitions."""
    checks = suite(cfg)
    settings = quality_settings(cfg, [c.name for c in checks])
    keys = None if present is None else {k for a in present for k in a.keys}
    return [_asset_check(c, settings, keys) for c in checks if keys is None or c.asset in keys]


def evaluate(con: duckdb.DuckDBPyConnection, check: CheckDef, settings: QualitySettings, run_id: str) -> Measurement:
    """Measure one check; a missing table or column is a failed result naming it, not a crash."""
    missing = [t for t in check.tables if not table_exists(con, t)]
    if missing:
        return Measurement(passed=False, evaluated=0, failing=0, note=f"table(s) missing: {', '.join(missing)}")
    try:
        return check.rule.measure(con, settings, run_id)
    except (duckdb.BinderException, duckdb.CatalogException) as exc:
        # Schema errors name columns and tables, never row values.
        return Measurement(passed=False, evaluated=0, failing=0, note=str(exc).splitlines()[0])
    except duckdb.Error as exc:
        # Conversion errors can quote a row value: report the kind of error only.
        return Measurement(passed=False, evaluated=0, failing=0, note=f"query failed ({type(exc).__name__})")


def _asset_check(check: CheckDef, settings: QualitySettings, keys: set | None) -> AssetChecksDefinition:
    severity = settings.severity.get(check.name, check.severity)
    asset_name = check.asset.to_user_string()

    @asset_check(
        asset=check.asset,
        name=check.name,
        description=f"[{severity}] {check.description}",
        blocking=severity == "ERROR",
        additional_deps=[k for k in check.also_reads if keys is None or k in keys],
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        with warehouse.connect() as con:
            m = evaluate(con, check, settings, context.run.run_id)
            record(con, context.run.run_id, asset_name, check.name, severity, m)
        return AssetCheckResult(passed=m.passed, severity=AssetCheckSeverity[severity], metadata=_metadata(m))

    return _check


def _metadata(m: Measurement) -> dict:
    metadata = {
        "evaluated": m.evaluated,
        "failing": m.failing,
        "failing_share": MetadataValue.float(round(m.failing_share, 6)),
        "sampled": m.sampled,
        "failing_ids (sample)": MetadataValue.json(m.sample_ids),
    }
    if m.note:
        metadata["note"] = MetadataValue.text(m.note)
    return metadata
