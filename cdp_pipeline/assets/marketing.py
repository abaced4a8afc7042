"""Marketing group: consent, suppressions, consent-filtered audiences and the files marketers receive."""

from datetime import datetime, timezone

from dagster import (
    AssetCheckResult, AssetCheckSpec, AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue,
    asset, multi_asset,
)

from cdp_pipeline.assets.common import OWNERS, table_result
from cdp_pipeline.assets.privacy import ERASURE, RETENTION
from cdp_pipeline.marketing import audience_violations, build_audiences, build_consent, build_suppressions
from cdp_pipeline.marketing.audiences import write_exports
from cdp_pipeline.resources import Warehouse

MARKETING_OWNERS = ["team:crm-marketing", *OWNERS]
XREF = AssetKey(["identity", "customer_xref"])
MEMBERS = AssetKey(["marts", "audience_members"])


def _spec(name: str, deps: list[AssetKey], description: str) -> AssetSpec:
    return AssetSpec(["marts", name], deps=deps, group_name="marketing", kinds={"duckdb"}, owners=MARKETING_OWNERS,
                     description=description, tags={"personal_data": "true"})


@multi_asset(name="consent", specs=[
    _spec("consent_ledger", [AssetKey(["staging", "consent_events"]), XREF, AssetKey(["staging", "identity_records"]),
                             ERASURE, RETENTION],
          "Every consent event of every channel, tied to its contact point and customer_id, with when, how it was "
          "collected and the proof."),
    _spec("consent_current", [AssetKey(["staging", "orders"])],
          "Consent state per customer x channel x purpose (and per contact point): the latest event wins; a "
          "withdrawal on a contact point applies to everyone sharing it; absent consent is 'unknown', never granted; "
          "email soft opt-in only where the config enables it."),
])
def consent(warehouse: Warehouse):
    with warehouse.connect() as con:
        metrics = {k: v for k, v in build_consent(con, warehouse.cfg).items() if isinstance(v, (int, float, str))}
        yield table_result(con, ["marts.consent_ledger"], AssetKey(["marts", "consent_ledger"]), **metrics)
        yield table_result(con, ["marts.consent_current"], AssetKey(["marts", "consent_current"]))


@asset(key=["marts", "suppressions"], deps=[AssetKey(["staging", "suppressions"]), ERASURE],
       group_name="marketing", kinds={"duckdb"}, owners=MARKETING_OWNERS, tags={"personal_data": "true"},
       description="Unsubscribes, STOP SMS, hard bounces, complaints, NPAI, Bloctel and erasures per contact point. "
       "A suppression always beats a consent.")
def suppressions(warehouse: Warehouse):
    with warehouse.connect() as con:
        metrics = {k: v for k, v in build_suppressions(con, warehouse.cfg).items() if isinstance(v, (int, float, str))}
        return table_result(con, ["marts.suppressions"], **metrics)


@asset(key=["marts", "audience_members"],
       deps=[AssetKey(["marts", "consent_current"]), AssetKey(["marts", "suppressions"]),
             AssetKey(["marts", "golden_customers"]), AssetKey(["marts", "customer_rfm"]), RETENTION],
       group_name="marketing", kinds={"duckdb"}, owners=MARKETING_OWNERS, tags={"personal_data": "true"},
       description="Audiences from the config: members need current consent for the channel and purpose, a valid "
       "contact point, no suppression, not erased; optional filter on golden/RFM fields, channel fallback and "
       "pressure cap. The blocking check below stops the exports if any member breaks a rule.",
       check_specs=[AssetCheckSpec("no_member_without_consent", asset=MEMBERS, blocking=True,
                                   description="No audience member lacks consent, has a suppression or is erased.")])
def audience_members(context: AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect() as con:
        metrics = build_audiences(con, warehouse.cfg, run_id=context.run_id,
                                  run_date=datetime.now(timezone.utc).date())
        yield table_result(con, ["marts.audience_members"], **{k: v for k, v in metrics.items()
                                                                 if isinstance(v, (int, float, str))})
        violations = audience_violations(con)
        yield AssetCheckResult(check_name="no_member_without_consent", passed=violations == 0,
                               metadata={"violations": violations})


@asset(key=["marketing", "audience_exports"], deps=[MEMBERS], group_name="marketing", kinds={"csv"},
       owners=MARKETING_OWNERS, tags={"personal_data": "true"},
       description="One CSV per audience under exports_dir (customer_id, contact_point, channel), written atomically; "
       "runs only when the audience check passed.")
def audience_exports(warehouse: Warehouse):
    with warehouse.connect() as con:
        files = write_exports(con, warehouse.cfg)
    return MaterializeResult(metadata={"files": MetadataValue.json([f.name for f in files]),
                                       "folder": MetadataValue.path(str(warehouse.cfg.exports_dir))})


marketing_assets = [consent, suppressions, audience_members, audience_exports]
