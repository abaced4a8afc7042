"""The quality suites, kept as code: which check guards which asset, how it measures, how severe.

Why as code rather than generated at run time: a check is a contract between layers (see
docs/warehouse.md); it is reviewed like the SQL it guards, and its name is the key that
`quality.severity` overrides. ERROR checks block downstream assets (audiences, BI publish);
WARN checks only report.

Failing ids are keys only (record_id, customer_id, order record_id, event_id, file:line).
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster import AssetKey

from cdp_pipeline.config import CHANNELS, Config, Source
from cdp_pipeline.quality.rules import Exact, SampledRate
from cdp_pipeline.quality.volume import VolumeChange, volume_check_name

EMAIL_RE = r"^[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$"
E164_RE = r"^\+[1-9][0-9]{7,14}$"  # as sql/marketing/contact_macros.sql
FR_POSTCODE_RE = r"^(?:0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3}$"

IDENTITY_RECORDS = AssetKey(["staging", "identity_records"])
ORDERS = AssetKey(["staging", "orders"])
CONSENT_EVENTS = AssetKey(["staging", "consent_events"])
XREF = AssetKey(["identity", "customer_xref"])
REDIRECTS = AssetKey(["identity", "customer_id_redirects"])
GOLDEN = AssetKey(["marts", "golden_customers"])
AUDIENCE = AssetKey(["marts", "audience_members"])
CONSENT_CURRENT = AssetKey(["marts", "consent_current"])
SUPPRESSIONS = AssetKey(["marts", "suppressions"])


@dataclass(frozen=True)
class CheckDef:
    name: str
    asset: AssetKey  # the asset the check guards (and blocks downstream of)
    severity: str  # default; quality.severity overrides
    description: str
    rule: Exact | SampledRate | VolumeChange
    tables: tuple[str, ...]  # read by the rule: a missing one fails the check with its name
    also_reads: tuple[AssetKey, ...] = ()  # other assets the check needs fresh in the same run


def _count(table: str, where: str = "true") -> str:
    return f"SELECT count(*) FROM {table} WHERE {where}"


# GX is imported when a check runs, not when Dagster loads the definitions: it costs seconds.
def _regex_rate(pattern: str, threshold: str):
    """A regex validity rate on the sampled `value` column, `mostly` = thresholds[threshold]."""

    def build(settings):
        import great_expectations as gx

        return gx.expectations.ExpectColumnValuesToMatchRegex(
            column="value", regex=pattern, mostly=settings.thresholds[threshold])

    return build


def _birth_date_range(settings):
    import datetime as dt

    import great_expectations as gx

    # The sampled column is a timestamp (pandas datetime64): GX compares like types only.
    return gx.expectations.ExpectColumnValuesToBeBetween(
        column="value", min_value=dt.datetime.combine(settings.thresholds["birth_date_min"], dt.time()),
        max_value=dt.datetime.combine(dt.date.today(), dt.time()))


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def raw_checks(source: Source) -> list[CheckDef]:
    """Per raw source: required fields present in its latest load, and the load's volume."""
    key, table = AssetKey(["raw", source.name]), source.table
    missing = " OR ".join(f"nullif(trim({_quote(source.columns[f])}), '') IS NULL" for f in source.required_fields)
    latest = f"_loaded_at = (SELECT max(_loaded_at) FROM {table})"
    return [
        CheckDef(
            f"raw_{source.name}_required_fields", key, "ERROR",
            f"Required fields ({', '.join(source.required_fields)}) present in every row of the latest load; "
            "ingest quarantines such rows, so a failure means the guard itself broke. Ids are file:line.",
            Exact(_count(table, latest),
                  f"SELECT regexp_extract(_file, '[^/\\\\]+$') || ':' || _line AS id FROM {table} "
                  f"WHERE {latest} AND ({missing})"),
            (table,)),
        CheckDef(
            volume_check_name(source.name), key, "ERROR",
            "Rows loaded this run vs the previous run that loaded any: a change above "
            "quality.volume_change_max_share means a truncated or duplicated extract.",
            VolumeChange(source.name), ("audit.file_loads",)),
    ]


def _ir_rate(name: str, pattern: str, threshold: str, value: str, where: str, description: str) -> CheckDef:
    """A sampled validity rate on staging.identity_records (WARN: a rate dips, a key must not)."""
    return CheckDef(name, IDENTITY_RECORDS, "WARN", description,
                    SampledRate("staging.identity_records", "record_id", value, where, _regex_rate(pattern, threshold)),
                    ("staging.identity_records",))


STAGING = [
    CheckDef(
        "staging_record_id_unique", IDENTITY_RECORDS, "ERROR",
        "record_id unique and present: it is the linkage key; a duplicate would make two customers of one record.",
        Exact(_count("staging.identity_records"),
              "SELECT coalesce(record_id, '(null)') AS id FROM staging.identity_records "
              "GROUP BY record_id HAVING count(*) > 1 OR record_id IS NULL"),
        ("staging.identity_records",)),
    _ir_rate("staging_email_validity", EMAIL_RE, "email_validity_min",
             "CASE WHEN email_flag = 'junk' THEN '' ELSE coalesce(email, '') END",
             "nullif(trim(email_raw), '') IS NOT NULL",
             "Share of given e-mails that standardise to a valid address, junk placeholders counted invalid "
             "(sampled), at least "
             "thresholds.email_validity_min: a drop means a broken extract or encoding."),
    _ir_rate("staging_phone_validity", E164_RE, "phone_validity_min", "coalesce(phone, '')",
             "nullif(trim(phone_raw), '') IS NOT NULL",
             "Share of given phones that standardise to E.164 (sampled), at least thresholds.phone_validity_min."),
    _ir_rate("staging_postcode_validity", FR_POSTCODE_RE, "postcode_validity_min", "coalesce(postcode, '')",
             "country = 'FR' AND address_status NOT IN ('missing', 'foreign')",
             "Share of French addresses with a valid 5-digit postcode (sampled), at least "
             "thresholds.postcode_validity_min."),
    CheckDef(
        "staging_birth_date_range", IDENTITY_RECORDS, "WARN",
        "Birth dates between thresholds.birth_date_min and today (sampled): staging nulls impossible dates, "
        "so a failure means the date parser let one through.",
        SampledRate("staging.identity_records", "record_id", "CAST(birth_date AS TIMESTAMP)",
                    "birth_date IS NOT NULL", _birth_date_range),
        ("staging.identity_records",)),
    CheckDef(
        "staging_order_id", ORDERS, "ERROR",
        "Every order has an order_id, unique per source: RFM and customer 360 count orders by it.",
        Exact(_count("staging.orders"),
              "SELECT coalesce(record_id, '(no order_id) ' || source) AS id FROM staging.orders "
              "GROUP BY record_id, source HAVING record_id IS NULL OR count(*) > 1"),
        ("staging.orders",)),
    CheckDef(
        "staging_order_amount_range", ORDERS, "WARN",
        "Amount parsed and within [thresholds.amount_min, thresholds.amount_max]: a decimal-separator or "
        "cents/euros mix-up shows here first.",
        Exact(_count("staging.orders"),
              "SELECT record_id AS id FROM staging.orders "
              "WHERE amount IS NULL OR amount < $amount_min OR amount > $amount_max",
              lambda s: {"amount_min": s.thresholds["amount_min"], "amount_max": s.thresholds["amount_max"]}),
        ("staging.orders",)),
    CheckDef(
        "staging_order_status", ORDERS, "WARN",
        "Status is paid, returned or cancelled as delivered: unknown values were mapped to paid by staging.",
        Exact(_count("staging.orders"),
              "SELECT record_id AS id FROM staging.orders "
              "WHERE status_unknown OR status IS NULL OR status NOT IN ('paid', 'returned', 'cancelled')"),
        ("staging.orders",)),
    CheckDef(
        "staging_order_customer_known", ORDERS, "ERROR",
        "Every order's customer_record_key is a known identity record: an orphan order is revenue no customer gets.",
        Exact(_count("staging.orders"),
              "SELECT o.record_id AS id FROM staging.orders AS o "
              "ANTI JOIN staging.identity_records AS r ON r.record_id = o.customer_record_key"),
        ("staging.orders", "staging.identity_records"), (IDENTITY_RECORDS,)),
    CheckDef(
        "staging_consent_accepted_values", CONSENT_EVENTS, "ERROR",
        "Channel, purpose (consent.purposes) and status (granted|withdrawn) are known values: "
        "an unreadable consent must never be read as a grant downstream.",
        Exact(_count("staging.consent_events"),
              "SELECT event_id AS id FROM staging.consent_events WHERE channel IS NULL OR status IS NULL "
              "OR purpose IS NULL OR NOT list_contains($channels, channel) "
              "OR status NOT IN ('granted', 'withdrawn') OR NOT list_contains($purposes, purpose)",
              lambda s: {"channels": list(CHANNELS), "purposes": list(s.consent_purposes)}),
        ("staging.consent_events",)),
]

IDENTITY = [
    CheckDef(
        "identity_xref_unique", XREF, "ERROR",
        "(source, source_record_id) appears once: a record belongs to exactly one customer.",
        Exact(_count("identity.customer_xref"),
              "SELECT min(record_id) AS id FROM identity.customer_xref "
              "GROUP BY source, source_record_id HAVING count(*) > 1"),
        ("identity.customer_xref",)),
    CheckDef(
        "identity_every_record_has_customer", XREF, "ERROR",
        "Every staging identity record has a customer_id: an unlinked record drops out of every mart.",
        Exact(_count("staging.identity_records"),
              "SELECT r.record_id AS id FROM staging.identity_records AS r "
              "LEFT JOIN identity.customer_xref AS x USING (record_id) WHERE x.customer_id IS NULL"),
        ("staging.identity_records", "identity.customer_xref")),
    CheckDef(
        "identity_redirects_resolve", REDIRECTS, "ERROR",
        "Each redirect leaves a retired id (never a live one) for a live id or a later redirect (chains), "
        "or for nothing with reason `removed`: old campaign ids must resolve.",
        Exact(_count("identity.customer_id_redirects"),
              "WITH live AS (SELECT DISTINCT customer_id AS id FROM identity.customer_xref WHERE customer_id IS NOT NULL), "
              "known AS (SELECT id FROM live UNION SELECT old_id FROM identity.customer_id_redirects "
              "          WHERE old_id IS NOT NULL) "
              "SELECT coalesce(d.old_id, '(null)') AS id FROM identity.customer_id_redirects AS d "
              "WHERE d.old_id IS NULL OR d.old_id IN (SELECT id FROM live) "
              "OR (d.new_id IS NULL AND d.reason IS DISTINCT FROM 'removed') "
              "OR (d.new_id IS NOT NULL AND d.new_id NOT IN (SELECT id FROM known))"),
        ("identity.customer_id_redirects", "identity.customer_xref"), (XREF,)),
]

# Mart contract read here (sql/marketing): audience_members(audience, customer_id, channel, contact_point,
# purpose), consent_current(scope 'customer'|'contact_point', customer_id, contact_point, channel,
# purpose, status, usable), suppressions(contact_point, channel).
MARTS = [
    CheckDef(
        "marts_golden_customer_id_unique", GOLDEN, "ERROR",
        "One golden record per customer_id, never a null id: every mart joins on it.",
        Exact(_count("marts.golden_customers"),
              "SELECT coalesce(customer_id, '(null)') AS id FROM marts.golden_customers "
              "GROUP BY customer_id HAVING count(*) > 1 OR customer_id IS NULL"),
        ("marts.golden_customers",)),
    CheckDef(
        "marts_audience_consent", AUDIENCE, "ERROR",
        "Every audience member holds a current usable consent for the audience's channel and purpose, its "
        "contact point was not withdrawn nor suppressed: sending otherwise breaks RGPD / ePrivacy. Checked "
        "from the consent and suppression tables, independently of how the audience builder joined them.",
        Exact(_count("marts.audience_members"),
              "SELECT a.customer_id AS id FROM marts.audience_members AS a "
              "WHERE NOT EXISTS (SELECT 1 FROM marts.consent_current AS c WHERE c.scope = 'customer' "
              "  AND c.customer_id = a.customer_id AND c.channel = a.channel AND c.purpose = a.purpose AND c.usable) "
              "OR EXISTS (SELECT 1 FROM marts.consent_current AS w WHERE w.scope = 'contact_point' "
              "  AND w.status = 'withdrawn' AND w.contact_point = a.contact_point AND w.channel = a.channel "
              "  AND w.purpose = a.purpose) "
              "OR EXISTS (SELECT 1 FROM marts.suppressions AS s "
              "  WHERE s.channel = a.channel AND s.contact_point = a.contact_point)"),
        ("marts.audience_members", "marts.consent_current", "marts.suppressions"),
        (CONSENT_CURRENT, SUPPRESSIONS)),
    CheckDef(
        "marts_audience_contact_validity", AUDIENCE, "ERROR",
        "Audience channel is known and its contact point valid for it (e-mail syntax, E.164 for sms/phone, "
        "present for post/push): an export must be usable as sent.",
        Exact(_count("marts.audience_members"),
              "SELECT customer_id AS id FROM marts.audience_members WHERE NOT coalesce(CASE "
              "WHEN channel = 'email' THEN regexp_full_match(contact_point, $email_re) "
              "WHEN channel IN ('sms', 'phone') THEN regexp_full_match(contact_point, $e164_re) "
              "WHEN channel IN ('post', 'push') THEN nullif(trim(contact_point), '') IS NOT NULL END, false)",
              lambda s: {"email_re": EMAIL_RE, "e164_re": E164_RE}),
        ("marts.audience_members",)),
]


def suite(cfg: Config) -> list[CheckDef]:
    """Every check this config defines: per raw source, then staging, identity, marts."""
    raw = [c for s in cfg.sources if s.kind != "erasure_requests" for c in raw_checks(s)]
    return raw + STAGING + IDENTITY + MARTS
