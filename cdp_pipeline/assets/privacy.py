"""Privacy group: erasure (applied where data enters and swept through every layer), retention
purges, the Article 30 register of processing."""

from datetime import datetime, timezone

from dagster import AssetKey, AssetsDefinition, MaterializeResult, asset

from cdp_pipeline.assets.common import table_result
from cdp_pipeline.config import Config
from cdp_pipeline.privacy import apply_erasure, apply_retention, build_processing_register
from cdp_pipeline.resources import Warehouse

DPO = ["team:dpo"]


def _counts(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float, str))}


def privacy_assets(cfg: Config) -> list[AssetsDefinition]:
    raw_keys = [AssetKey(["raw", s.name]) for s in cfg.sources if s.kind != "erasure_requests"]

    @asset(key=["gdpr", "erasure_tombstones"], deps=[AssetKey(["gdpr", "erasure_requests"]), *raw_keys],
           group_name="privacy", kinds={"duckdb"}, owners=DPO,
           description="Applies pending erasure requests (RGPD art. 17): the person leaves every layer (raw "
           "included) before staging is rebuilt; only salted hashes of their emails and phones stay, so "
           "tomorrow's extracts cannot re-create them (ingestion drops matching rows).")
    def erasure_tombstones(warehouse: Warehouse) -> MaterializeResult:
        with warehouse.connect() as con:
            return table_result(con, ["gdpr.erasure_tombstones"], **_counts(apply_erasure(con, warehouse.cfg)))

    @asset(key=["gdpr", "retention_log"],
           deps=[AssetKey(["marts", "customer_orders"]), AssetKey(["marts", "golden_customers"]),
                 AssetKey(["marts", "customer_contacts"]), AssetKey(["staging", "consent_events"])],
           group_name="privacy", kinds={"duckdb"}, owners=DPO,
           description="Retention limits from the config (default: prospects 3 years after their last own contact, "
           "customers 3 years after their last purchase): purged from every layer before audiences are built, "
           "each purge logged with a hashed id.")
    def retention_log(warehouse: Warehouse) -> MaterializeResult:
        with warehouse.connect() as con:
            metrics = apply_retention(con, warehouse.cfg, datetime.now(timezone.utc).date())
            return table_result(con, ["gdpr.retention_log"], **_counts(metrics))

    @asset(key=["gdpr", "processing_register"], group_name="privacy", kinds={"duckdb"}, owners=DPO,
           description="The register of processing activities (RGPD art. 30) kept from the config: purposes, legal "
           "basis, categories of data and people, recipients, retention, transfers, security measures.")
    def processing_register(warehouse: Warehouse) -> MaterializeResult:
        with warehouse.connect() as con:
            return table_result(con, ["gdpr.processing_register"],
                                **_counts(build_processing_register(con, warehouse.cfg)))

    return [erasure_tombstones, retention_log, processing_register]
