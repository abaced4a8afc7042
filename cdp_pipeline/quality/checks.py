"""The suites as Dagster asset checks: ERROR checks block downstream assets, WARN checks report.

Why blocking checks rather than a quality asset at the end: a blocking check that fails stops
every asset downstream of the one it guards in the same run, so a broken extract never reaches
audiences or the BI publish, while unrelated branches still run.

Why one step per guarded asset (a multi-asset check) rather than one per check: a Dagster step
costs about 0.1 s of its own, and 45 of a night's 78 steps were single checks (about 5 s a
night for nothing). Each check keeps its name, description, severity and result in the UI.
Checks that read other assets (`also_reads`) get a step of their own with those dependencies,
so a failed blocking check upstream skips only the checks that read its asset, as before.

No `from __future__ import annotations` here: Dagster reads the context and resource annotations.
"""

from typing import Iterable, Iterator

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetChecksDefinition,
    AssetsDefinition,
    MetadataValue,
    multi_asset_check,
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
    steps: dict[tuple, list[CheckDef]] = {}
    for c in checks:
        if keys is None or c.asset in keys:
            deps = tuple(k for k in c.also_reads if keys is None or k in keys)
            steps.setdefault((c.asset, deps), []).append(c)
    return [_checks_step(group, deps, settings) for (_, deps), group in steps.items()]


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


def _checks_step(checks: list[CheckDef], deps: tuple, settings: QualitySettings) -> AssetChecksDefinition:
    """One step evaluating `checks` (one guarded asset, the same extra dependencies `deps`)."""
    severity = {c.name: settings.severity.get(c.name, c.severity) for c in checks}
    specs = [AssetCheckSpec(c.name, asset=c.asset, description=f"[{severity[c.name]}] {c.description}",
                            blocking=severity[c.name] == "ERROR", additional_deps=list(deps)) for c in checks]
    asset = checks[0].asset.to_python_identifier()
    name = f"quality_{asset}" + (f"_{checks[0].name}" if deps else "")

    @multi_asset_check(specs=specs, name=name)
    def _checks(context: AssetCheckExecutionContext, warehouse: Warehouse) -> Iterator[AssetCheckResult]:
        with warehouse.connect() as con:
            for check in checks:
                m = evaluate(con, check, settings, context.run.run_id)
                record(con, context.run.run_id, check.asset.to_user_string(), check.name, severity[check.name], m)
                yield AssetCheckResult(asset_key=check.asset, check_name=check.name, passed=m.passed,
                                       severity=AssetCheckSeverity[severity[check.name]], metadata=_metadata(m))

    return _checks


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
