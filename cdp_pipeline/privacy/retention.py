"""Retention limits (GDPR art. 5-1-e): purge people whose retention period is over.

Why through the erasure sweep: a purge must reach exactly the layers an erasure reaches;
one code path means a new table is covered by both. Unlike an erasure, no tombstone is
written: a former customer who comes back later is a new, lawful relationship.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marketing.audiences import write_exports
from cdp_pipeline.marketing.consent import resolve_consent_events
from cdp_pipeline.marketing.inputs import register_inputs
from cdp_pipeline.privacy.erasure import ensure_gdpr_tables, purge
from cdp_pipeline.privacy.hashing import register_hash_macros
from cdp_pipeline.privacy.settings import retention_settings
from cdp_pipeline.warehouse import render_sql, transaction


def apply_retention(con: duckdb.DuckDBPyConnection, cfg: Config, run_date: date) -> dict:
    settings = retention_settings(cfg)
    ensure_gdpr_tables(con)
    register_hash_macros(con)
    register_inputs(con, "staging.orders", "staging.contacts")
    resolve_consent_events(con)
    con.execute(render_sql("privacy/retention_candidates.sql", customer_years=settings.customer_years,
                           prospect_years=settings.prospect_years), {"run_date": run_date})
    due = con.execute("SELECT customer_id, rule, source_records FROM _retention ORDER BY customer_id").fetchall()
    metrics = {"customers_purged": 0, "prospects_purged": 0, "rows_removed": 0}
    if not due:
        return metrics
    purged_at = datetime.now(timezone.utc).replace(tzinfo=None)
    with transaction(con):
        removed = purge(con, cfg, customers=[c for c, _, _ in due])
        con.execute(
            "INSERT INTO gdpr.retention_log SELECT erasure_hash('customer', customer_id), rule, ?, "
            "json_object('source_records', source_records) FROM _retention", [purged_at])
    write_exports(con, cfg)
    con.execute("CHECKPOINT")
    metrics.update(customers_purged=sum(r == "customer" for _, r, _ in due),
                   prospects_purged=sum(r == "prospect" for _, r, _ in due),
                   rows_removed=sum(removed.values()), **{f"rows_removed_{k}": v for k, v in removed.items()})
    return metrics
