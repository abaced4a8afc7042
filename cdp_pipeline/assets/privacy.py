"""Privacy group: tonight's erasures and retention purges (one sweep through every layer, before
consent, audiences and the BI publish), the Article 30 register of processing."""

from datetime import datetime, timezone

from dagster import AssetKey, AssetsDefinition, AssetSpec, MaterializeResult, asset, multi_asset

from cdp_pipeline.assets.common import table_result
from cdp_pipeline.config import Config
from cdp_pipeline.privacy import apply_purges, build_processing_register
from cdp_pipeline.resources import Warehouse

DPO = ["team:dpo"]
ERASURE = AssetKey(["gdpr", "erasure_tombstones"])
RETENTION = AssetKey(["gdpr", "retention_log"])


def _counts(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float, str))}


def privacy_assets(cfg: Config) -> list[AssetsDefinition]:
    raw_keys = [AssetKey(["raw", s.name]) for s in cfg.sources if s.kind != "erasure_requests"]
    built = [AssetKey(["marts", n]) for n in ("golden_customers", "customer_orders", "customer_contacts")]

    @multi_asset(name="privacy_purges", specs=[
        AssetSpec(ERASURE, deps=[AssetKey(["gdpr", "erasure_requests"]), *raw_keys, *built],
                  group_name="privacy", kinds={"duckdb"}, owners=DPO,
                  description="Applies pending erasure requests (RGPD art. 17): the person leaves every layer (raw "
                  "included) before consent, audiences and the BI publish are built; only salted hashes of their "
                  "emails, phones and records stay, so tomorrow's extracts cannot re-create them (ingestion drops "
                  "matching rows)."),
        AssetSpec(RETENTION, deps=[*built, AssetKey(["staging", "consent_events"])],
                  group_name="privacy", kinds={"duckdb"}, owners=DPO,
                  description="Retention limits from the config (default: prospects 3 years after their last own "
                  "contact, customers 3 years after their last purchase): purged from every layer in the same "
                  "sweep as the erasures, each purge logged with a hashed id."),
    ])
    def privacy_purges(warehouse: Warehouse):
        with warehouse.connect() as con:
            metrics = apply_purges(con, warehouse.cfg, erase=True, run_date=datetime.now(timezone.utc).date())
            yield table_result(con, ["gdpr.erasure_tombstones"], ERASURE, **_counts(metrics["erasure"]))
            yield table_result(con, ["gdpr.retention_log"], RETENTION, **_counts(metrics["retention"]))

    @asset(key=["gdpr", "processing_register"], group_name="privacy", kinds={"duckdb"}, owners=DPO,
           description="The register of processing activities (RGPD art. 30) kept from the config: purposes, legal "
           "basis, categories of data and people, recipients, retention, transfers, security measures.")
    def processing_register(warehouse: Warehouse) -> MaterializeResult:
        with warehouse.connect() as con:
            return table_result(con, ["gdpr.processing_register"],
                                **_counts(build_processing_register(con, warehouse.cfg)))

    return [privacy_purges, processing_register]
