"""Retention limits (GDPR art. 5-1-e): who is past their retention period tonight.

Why through the erasure sweep: a purge must reach exactly the layers an erasure reaches;
one code path means a new table is covered by both (privacy/purges.py applies them together).
Unlike an erasure, no tombstone is written: a former customer who comes back later is a new,
lawful relationship.
"""

from __future__ import annotations

from datetime import date

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marketing.consent import RESOLUTION_INPUTS, resolve_consent_events
from cdp_pipeline.marketing.inputs import register_inputs
from cdp_pipeline.privacy.settings import retention_settings
from cdp_pipeline.warehouse import execute_each, render_sql


def due_customers(con: duckdb.DuckDBPyConnection, cfg: Config, run_date: date,
                  spared: list[str]) -> list[tuple[str, str]]:
    """(customer_id, rule) past their retention period on run_date, except `spared` (erased the
    same night: gone already, as if the erasures ran first). Leaves _retention for the log."""
    settings = retention_settings(cfg)
    years = {"customer_years": settings.customer_years, "prospect_years": settings.prospect_years}
    register_inputs(con, "staging.orders", "staging.contacts", *RESOLUTION_INPUTS)
    execute_each(con, render_sql("privacy/retention_candidates.sql", **years), {"run_date": run_date})
    resolve_consent_events(con, events="_retention_consent_events", view="_retention_consent_resolved")
    con.execute(render_sql("privacy/retention_due.sql", **years), {"run_date": run_date})
    if spared:
        con.execute("DELETE FROM _retention WHERE list_contains(?, customer_id)", [spared])
    return [(c, r) for c, r in con.execute("SELECT customer_id, rule FROM _retention ORDER BY customer_id").fetchall()]


def log_purges(con: duckdb.DuckDBPyConnection, purged_at) -> None:
    """One gdpr.retention_log row per purged customer, with a hashed id (after the sweep)."""
    con.execute("INSERT INTO gdpr.retention_log SELECT erasure_hash('customer', customer_id), rule, ?, "
                "json_object('source_records', source_records) FROM _retention", [purged_at])
