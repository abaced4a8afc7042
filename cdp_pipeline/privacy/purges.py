"""Tonight's erasures and retention purges, applied in one sweep of the warehouse.

Why one sweep: a purge scans every table that can hold a person (privacy/sweep.py), which is
most of its cost and does not depend on how many people leave. Applying erasures before
staging and retention after golden records cost two such scans every night (44 s of a 176 s
incremental night at 1M persons). Both now run after golden records, before consent,
audiences and the BI publish, so no purged person reaches a marketer or an analyst.

The result is the warehouse that applying the erasures first, then the retention purge, would
give:
- retention candidates are computed on the warehouse before the sweep, minus the customers
  erased tonight (nothing else an erasure removes changes anyone else's last activity);
- the sweep's scope is opened on both together, so an email held only by an erased person and
  a retention-due one goes, as it would once the first had gone;
- tombstones are attributed on the erasures' own scope, so that email is not tombstoned: at
  the erasure it was not the erased person's alone.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marketing.audiences import write_exports
from cdp_pipeline.phases import PhaseClock
from cdp_pipeline.privacy.erasure import ErasureBatch, attribute_tombstones, ensure_gdpr_tables, resolve_batch, write_down
from cdp_pipeline.privacy.hashing import register_hash_macros
from cdp_pipeline.privacy.retention import due_customers, log_purges
from cdp_pipeline.privacy.sweep import open_scope, sweep
from cdp_pipeline.warehouse import transaction


def apply_purges(con: duckdb.DuckDBPyConnection, cfg: Config, erase: bool = True,
                 run_date: date | None = None) -> dict[str, dict]:
    """Pending erasure requests (erase) and retention limits on run_date (None: none), one sweep.

    Returns {'erasure': metrics, 'retention': metrics}; rows_removed is the sweep's, shared, and
    the seconds of each phase go with the erasure's.
    """
    clock = PhaseClock()
    ensure_gdpr_tables(con)
    register_hash_macros(con)
    # Reads (and 'needs_review' marks, right whatever follows) before the purge's transaction.
    batch = resolve_batch(con, cfg) if erase else ErasureBatch(0, [], [])
    clock.lap("resolve")
    due = due_customers(con, cfg, run_date, spared=batch.customers) if run_date else []
    clock.lap("due")
    with transaction(con):
        if batch.applied:
            attribute_tombstones(con, cfg, batch)
        clock.lap("erasure_scope")
        if due:  # the erasures' scope opened again with the retention's customers
            open_scope(con, cfg, sorted({*batch.customers, *(c for c, _ in due)}), batch.records, batch.seed_ids)
        clock.lap("scope")
        removed = sweep(con, cfg) if batch.applied or due else {}
        clock.lap("sweep")
        tombstones = write_down(con, removed) if batch.applied else 0
        if due:
            log_purges(con, datetime.now(timezone.utc).replace(tzinfo=None))
    if removed:
        write_exports(con, cfg)  # files marketers pick up must not keep a purged person
        con.execute("CHECKPOINT")
    clock.lap("write")
    total = sum(removed.values())
    erasure = {"requests_pending": batch.pending, "requests_applied": len(batch.applied),
               "requests_needs_review": len(batch.review), "rows_removed": total, "tombstones_added": tombstones,
               **clock.figures()}
    retention = {"customers_purged": sum(r == "customer" for _, r in due),
                 "prospects_purged": sum(r == "prospect" for _, r in due), "rows_removed": total,
                 **{f"rows_removed_{k}": v for k, v in removed.items()}}
    return {"erasure": erasure, "retention": retention}


def apply_erasure(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    """The pending erasure requests alone, without the retention purge."""
    return apply_purges(con, cfg, erase=True)["erasure"]


def apply_retention(con: duckdb.DuckDBPyConnection, cfg: Config, run_date: date) -> dict:
    """The retention purge alone."""
    return apply_purges(con, cfg, erase=False, run_date=run_date)["retention"]
