"""Right to erasure (GDPR art. 17): remove a person from every layer, keep only salted tombstones.

Why tombstones: source systems keep sending their extracts, so an erased person would come
back with the next file. Ingest drops rows whose standardised email/phone hashes to a
tombstone; the hashes can't be reversed without the salt, which is not in the warehouse.
A request matching several customers (shared identifiers) is left 'needs_review' with its
clear identifiers, for the DPO: erasing the wrong person is also a breach.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marketing.audiences import write_exports
from cdp_pipeline.privacy.hashing import register_hash_macros
from cdp_pipeline.privacy.person import resolve
from cdp_pipeline.privacy.sweep import open_scope, sweep
from cdp_pipeline.warehouse import render_sql, transaction


def ensure_gdpr_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(render_sql("privacy/erasure_tables.sql"))


def purge(con: duckdb.DuckDBPyConnection, cfg: Config, customers=(), records=(), seed_ids=()) -> dict[str, int]:
    """Scope + sweep in the caller's transaction; the shared path of erasure and retention."""
    open_scope(con, cfg, customers, records, seed_ids)
    return sweep(con, cfg)


def apply_erasure(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    ensure_gdpr_tables(con)
    register_hash_macros(con)
    pending = con.execute(
        "SELECT request_id, email, phone, customer_record_id FROM gdpr.erasure_requests "
        "WHERE coalesce(status, 'pending') <> 'applied' ORDER BY received_ts, request_id"
    ).fetchall()
    metrics = {"requests_pending": len(pending), "requests_applied": 0, "requests_needs_review": 0,
               "rows_removed": 0, "tombstones_added": 0}
    for request_id, email, phone, record_id in pending:
        person = resolve(con, cfg, email, phone, record_id)
        if person.ambiguous:
            con.execute("UPDATE gdpr.erasure_requests SET status = 'needs_review' WHERE request_id = ?", [request_id])
            metrics["requests_needs_review"] += 1
            continue
        applied_at = datetime.now(timezone.utc).replace(tzinfo=None)
        before = int(con.execute("SELECT count(*) FROM gdpr.erasure_tombstones").fetchone()[0])
        with transaction(con):
            removed = purge(con, cfg, person.customers, person.records, person.seed_ids)
            con.execute("CREATE OR REPLACE TEMP TABLE _request AS SELECT ?::VARCHAR AS request_id, "
                        "?::TIMESTAMP AS applied_at", [request_id, applied_at])
            con.execute(render_sql("privacy/tombstone_request.sql"))
            con.execute("INSERT INTO gdpr.erasure_log VALUES (?, ?, ?, ?)",
                        [request_id, applied_at, len(person.customers), json.dumps(removed)])
        metrics["requests_applied"] += 1
        metrics["rows_removed"] += sum(removed.values())
        metrics["tombstones_added"] += int(con.execute("SELECT count(*) FROM gdpr.erasure_tombstones").fetchone()[0]) - before
    if metrics["requests_applied"]:
        write_exports(con, cfg)  # files marketers pick up must not keep an erased person
        con.execute("CHECKPOINT")
    return metrics
