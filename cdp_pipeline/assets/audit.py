"""The run's own audit row (audit.runs): what ran, which assets hold personal data, row counts,
erasure requests applied. Kept for the DPO (accountability, RGPD art. 5(2))."""

from datetime import datetime, timezone

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from cdp_pipeline.assets.common import OWNERS
from cdp_pipeline.privacy import record_run
from cdp_pipeline.resources import Warehouse
from cdp_pipeline.runner import LAYER_TABLES


def audit_runs_asset(upstream: list[AssetsDefinition]) -> AssetsDefinition:
    keys = [k for a in upstream for k in a.keys]
    personal = sorted(
        k.to_user_string() for a in upstream for k in a.keys
        if (a.specs_by_key[k].tags or {}).get("personal_data") == "true"
    )

    @asset(key=["audit", "runs"], deps=keys, group_name="privacy", kinds={"duckdb"}, owners=["team:dpo", *OWNERS],
           description="One row per nightly run: when, status, the assets it materialised, which of them hold "
           "personal data, row counts per layer and the erasure requests it applied.")
    def audit_runs(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        stats = context.instance.get_run_stats(context.run_id)
        started = datetime.fromtimestamp(stats.start_time or datetime.now().timestamp(), timezone.utc).replace(tzinfo=None)
        with warehouse.connect() as con:
            counts = {label: int(con.execute(sql).fetchone()[0]) for label, sql in LAYER_TABLES}
            applied = int(con.execute("SELECT count(*) FROM gdpr.erasure_requests WHERE applied_at >= ?",
                                      [started]).fetchone()[0])
            record_run(con, context.run_id, started, datetime.now(timezone.utc).replace(tzinfo=None), "success",
                       [k.to_user_string() for k in keys], personal, counts, applied)
        return MaterializeResult(metadata={**counts, "erasure requests applied": applied,
                                           "personal data assets": len(personal)})

    return audit_runs
