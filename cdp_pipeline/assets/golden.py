"""Golden group: golden records with provenance, the customer 360 view, RFM segments."""

from datetime import datetime, timezone

from dagster import AssetExecutionContext, AssetKey, AssetSpec, multi_asset

from cdp_pipeline.assets.common import OWNERS, table_result
from cdp_pipeline.marts import customer_360, golden, rfm
from cdp_pipeline.resources import Warehouse

XREF = AssetKey(["identity", "customer_xref"])
RECORDS = AssetKey(["staging", "identity_records"])


def _specs(names: list[str], deps: list[AssetKey], description: str, pii: bool = True) -> list[AssetSpec]:
    return [
        AssetSpec(["marts", n], deps=deps, group_name="golden", kinds={"duckdb"}, owners=OWNERS,
                  description=description if i == 0 else f"Written with marts.{names[0]}. {description}",
                  tags={"personal_data": "true"} if pii else None)
        for i, n in enumerate(names)
    ]


def _results(con, names: list[str], metrics: dict):
    counts = {k: v for k, v in metrics.items() if isinstance(v, (int, float, str))}
    for i, name in enumerate(names):
        yield table_result(con, [f"marts.{name}"], AssetKey(["marts", name]), **(counts if i == 0 else {}))


GOLDEN = ["golden_customers", "golden_customer_provenance", "customer_identifiers"]
C360 = ["customer_orders", "customer_contacts"]
RFM = ["customer_rfm", "customer_rfm_history"]


@multi_asset(name="golden_records", specs=_specs(
    GOLDEN, [XREF, RECORDS, AssetKey(["staging", "suppressions"])],
    "One row per customer_id: the best name, birth date, email, mobile, landline and AFNOR address, chosen by "
    "the survivorship rules of the config (per field: not_bad, validated, trust, most_recent, most_frequent). "
    "Known-bad values (NPAI address, hard-bounced email, invalid phone) never win. Provenance says which "
    "record and rule gave each field; customer_identifiers lists every email, phone, loyalty card and account "
    "known per customer, with validity and source. Only customers whose records changed are recomputed."))
def golden_records(warehouse: Warehouse):
    with warehouse.connect() as con:
        yield from _results(con, GOLDEN, golden.build_golden_customers(con, warehouse.cfg))


@multi_asset(name="customer_360", specs=_specs(
    C360, [XREF, RECORDS, AssetKey(["staging", "orders"]), AssetKey(["staging", "contacts"])],
    "The customer 360 view: every order of every channel (returns, cancellations) and every call-centre / SAV "
    "contact per customer_id (the identifiers are written with the golden records)."))
def customer_360_view(warehouse: Warehouse):
    with warehouse.connect() as con:
        yield from _results(con, C360, customer_360.build_customer_360(con, warehouse.cfg))


@multi_asset(name="rfm_segments", specs=_specs(
    RFM, [AssetKey(["marts", "customer_orders"])],
    "Recency, frequency (orders neither returned nor cancelled), monetary (net of returns) as of the reference "
    "date, quintile scores and named segments from the config's rules; one history snapshot per run.", pii=False))
def rfm_segments(context: AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect() as con:
        metrics = rfm.build_rfm(con, warehouse.cfg, run_id=context.run_id,
                                run_ts=datetime.now(timezone.utc).replace(tzinfo=None))
        yield from _results(con, RFM, metrics)


golden_assets = [golden_records, customer_360_view, rfm_segments]
