"""Consent ledger and current consent state (marts.consent_ledger, marts.consent_current).

Why two scopes: consent is given by a person but exercised on a contact point. An
unsubscribe on the email platform knows only the address, and a family sharing one address
must all stop receiving mail when one member withdraws; so state is kept per customer and per
contact point, and audiences require both to allow contact.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marketing.inputs import register_inputs
from cdp_pipeline.marketing.settings import consent_settings
from cdp_pipeline.warehouse import row_count, run_sql_file


def sql_list(values: tuple[str, ...]) -> str:
    """A VARCHAR[] literal from validated names (settings only allow [a-z0-9_])."""
    return "[" + ", ".join(f"'{v}'" for v in values) + "]::VARCHAR[]"


# What resolving consent events reads (as _in_<table> views): callers that narrow the events
# first (retention) register the same inputs.
RESOLUTION_INPUTS = ("staging.consent_events", "staging.identity_records", "identity.customer_xref")


def resolve_consent_events(con: duckdb.DuckDBPyConnection, events: str = "_in_staging_consent_events",
                           view: str = "_consent_resolved") -> None:
    """Temp view `view`: the consent events of `events` (a view over staging.consent_events,
    all of them by default) with contact point and customer id(s)."""
    register_inputs(con, *RESOLUTION_INPUTS)
    run_sql_file(con, "marketing/contact_macros.sql")
    run_sql_file(con, "marketing/consent_resolved.sql", events=events, view=view)


def build_consent(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    settings = consent_settings(cfg)
    register_inputs(con, "staging.orders")
    resolve_consent_events(con)
    run_sql_file(con, "marketing/consent_ledger.sql")
    run_sql_file(con, "marketing/consent_current.sql",
                 soft_enabled=str(settings.soft_opt_in_enabled).lower(),
                 soft_purposes=sql_list(settings.soft_opt_in_purposes))
    counts = dict(con.execute(
        "SELECT status, count(*) FROM marts.consent_current WHERE scope = 'customer' GROUP BY status"
    ).fetchall())
    return {
        "ledger_rows": row_count(con, "marts.consent_ledger"),
        "ledger_unresolved": int(con.execute(
            "SELECT count(*) FROM marts.consent_ledger WHERE customer_id IS NULL").fetchone()[0]),
        "current_rows": row_count(con, "marts.consent_current"),
        "customer_granted": int(counts.get("granted", 0)),
        "customer_withdrawn": int(counts.get("withdrawn", 0)),
        "customer_soft_opt_in": int(counts.get("soft_opt_in", 0)),
        "soft_opt_in_enabled": settings.soft_opt_in_enabled,
    }
