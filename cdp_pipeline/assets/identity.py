"""Identity group: Splink linkage over staging.identity_records, stable customer_ids."""


from dagster import AssetExecutionContext, AssetKey, AssetSpec, MetadataValue, multi_asset

from cdp_pipeline.assets.common import OWNERS, table_result
from cdp_pipeline.identity.link import link
from cdp_pipeline.resources import Warehouse

XREF = AssetKey(["identity", "customer_xref"])
LINKS = AssetKey(["identity", "record_links"])
REDIRECTS = AssetKey(["identity", "customer_id_redirects"])


@multi_asset(
    name="identity_resolution",
    specs=[
        AssetSpec(XREF, deps=[AssetKey(["staging", "identity_records"])], group_name="identity", kinds={"duckdb", "splink"},
                  owners=OWNERS, description="(source, source_record_id) -> stable customer_id with cluster confidence "
                  "and the model version. An id, once given, survives re-runs; merges and splits leave redirects."),
        AssetSpec(LINKS, deps=[AssetKey(["staging", "identity_records"])], group_name="identity",
                  kinds={"duckdb", "splink"}, owners=OWNERS,
                  description="Scored record pairs above identity.link_floor (match weight, probability, model "
                  "version, run id), plus deterministic links (same loyalty card / account)."),
        AssetSpec(REDIRECTS, deps=[AssetKey(["staging", "identity_records"])], group_name="identity",
                  kinds={"duckdb"}, owners=OWNERS,
                  description="old customer_id -> surviving customer_id, when and why (merge, split, removed)."),
    ],
)
def identity_resolution(context: AssetExecutionContext, warehouse: Warehouse):
    """Nightly: incremental scoring of new/changed records with the saved model; full relink when the
    model changes. Metadata holds counts and sizes only; charts with record values go to artifacts_dir."""
    with warehouse.connect() as con:
        metrics = link(con, warehouse.cfg, run_id=context.run_id)
        artifacts = metrics.pop("artifacts", [])
        flat = {k: (MetadataValue.json(v) if isinstance(v, (dict, list)) else v)
                for k, v in metrics.items() if v is not None}
        for i, path in enumerate(artifacts):
            flat[f"chart {i + 1}"] = MetadataValue.path(str(path))
        yield table_result(con, ["identity.customer_xref"], XREF, **flat)
        yield table_result(con, ["identity.record_links"], LINKS)
        yield table_result(con, ["identity.customer_id_redirects"], REDIRECTS)


identity_assets = [identity_resolution]
