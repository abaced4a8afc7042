"""Publish group: the BI warehouse file, swapped in atomically at the end of a successful run."""


from dagster import AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from cdp_pipeline.assets.common import OWNERS, table_result
from cdp_pipeline.marts.bi import BI_VIEWS, build_bi_views
from cdp_pipeline.resources import Warehouse
from cdp_pipeline.warehouse import publish


def publish_asset(upstream: list[AssetKey]) -> AssetsDefinition:
    @asset(
        key=["bi", "published_warehouse"],
        deps=upstream,
        group_name="publish",
        kinds={"duckdb"},
        owners=OWNERS,
        description=(
            "The BI file for analysts' tools (DBeaver, Metabase, Superset, Evidence): the objects named by "
            "`publish_include` (default: the pseudonymised bi.* views, audit.*, the register of processing), views "
            "materialised, comments kept. Written beside the target and renamed over it: a reader holding the old "
            "file keeps a consistent snapshot and never blocks the run. DuckDB storage v1.0.0 so 1.x drivers open "
            "it. Runs only after every blocking quality check upstream passed."
        ),
    )
    def published_warehouse(warehouse: Warehouse) -> MaterializeResult:
        cfg = warehouse.cfg
        target = publish(cfg.warehouse, cfg.publish_path, cfg.publish_include)
        return MaterializeResult(metadata={
            "path": MetadataValue.path(str(target)),
            "size_mb": round(target.stat().st_size / 1e6, 2),
        })

    return published_warehouse


@asset(key=["bi", "views"], deps=[AssetKey(["marts", n]) for n in ("golden_customers", "customer_orders", "customer_rfm")]
       + [AssetKey(["gdpr", "retention_log"])],
       group_name="publish", kinds={"duckdb"}, owners=OWNERS,
       description="Analysts' views without direct personal data: pseudonymised customer keys (salted), age band "
       f"instead of birth date, departement instead of address, no email or phone: {', '.join('bi.' + v for v in BI_VIEWS)}.")
def bi_views(warehouse: Warehouse) -> MaterializeResult:
    with warehouse.connect() as con:
        counts = build_bi_views(con, warehouse.cfg)
        return table_result(con, ["bi.customers"], **{k: int(v) for k, v in counts.items()})
