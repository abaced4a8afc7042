"""Staging group: typed, standardised tables; the union of identity records the linkage reads."""


from dagster import AssetKey, AssetsDefinition, MaterializeResult, asset

from cdp_pipeline.assets.common import OWNERS, table_result
from cdp_pipeline.config import Config, Source
from cdp_pipeline.resources import Warehouse
from cdp_pipeline.staging import build


def raw_key(source: Source) -> AssetKey:
    return AssetKey(["raw", source.name])


def customers_asset(source: Source) -> AssetsDefinition:
    @asset(
        key=["staging", f"customers_{source.name}"],
        deps=[raw_key(source)],
        group_name="staging",
        kinds={"duckdb", "polars"},
        owners=OWNERS,
        tags={"personal_data": "true"},
        description=(
            f"Customers of `{source.name}`, latest version per record, standardised: names (display + match forms), "
            "email, phone (E.164), birth date, RNVP address (AFNOR lines, postcode/commune validated). "
            "Raw values and quality flags kept beside each field."
        ),
    )
    def _customers(warehouse: Warehouse) -> MaterializeResult:
        with warehouse.connect() as con:
            build.build_customers_source(con, source)
            table = build.customers_table(source)
            flags = dict(con.execute(
                f"SELECT address_status, count(*) FROM {table} GROUP BY ALL"
            ).fetchall())
            return table_result(con, [table], **{f"address_{k}": int(v) for k, v in flags.items() if k})

    return _customers


def staging_assets(cfg: Config) -> list[AssetsDefinition]:
    customers = cfg.sources_of("customers")
    of_kind = lambda kind: [raw_key(s) for s in cfg.sources_of(kind)]  # noqa: E731

    @asset(
        key=["staging", "identity_records"],
        deps=[AssetKey(["staging", f"customers_{s.name}"]) for s in customers],
        group_name="staging",
        kinds={"duckdb"},
        owners=OWNERS,
        tags={"personal_data": "true"},
        description="Every customers record of every source, standardised: the input of identity resolution. "
        "Emails and phones carried by many different people are flagged `shared`.",
    )
    def identity_records(warehouse: Warehouse) -> MaterializeResult:
        with warehouse.connect() as con:
            build.build_identity_records(con, warehouse.cfg)
            shared = con.execute(
                "SELECT count(*) FILTER (email_flag = 'shared'), count(*) FILTER (phone_flag = 'shared') "
                "FROM staging.identity_records"
            ).fetchone()
            return table_result(con, ["staging.identity_records"], records_with_shared_email=int(shared[0]),
                                records_with_shared_phone=int(shared[1]))

    def simple(name: str, kind: str, builder, description: str) -> AssetsDefinition:
        @asset(key=["staging", name], deps=of_kind(kind), group_name="staging", kinds={"duckdb"},
               owners=OWNERS, description=description)
        def _build(warehouse: Warehouse) -> MaterializeResult:
            with warehouse.connect() as con:
                builder(con, warehouse.cfg)
                return table_result(con, [f"staging.{name}"])

        return _build

    return [customers_asset(s) for s in customers] + [
        identity_records,
        simple("orders", "orders", build.build_orders,
               "Orders of every channel, typed (amount, timestamp), status paid|returned|cancelled, "
               "latest version per order; customer_record_key joins identity_records.record_id."),
        simple("contacts", "contacts", build.build_contacts, "Call-centre and after-sales contacts."),
        simple("consent_events", "consent_events", build.build_consent_events,
               "Consent events of every channel with email/phone standardised; channel and status normalised."),
        simple("suppressions", "suppressions", build.build_suppressions,
               "Unsubscribes, STOP SMS, bounces, complaints, NPAI, Bloctel, with the contact point standardised."),
    ]
