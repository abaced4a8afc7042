"""Right of access (GDPR art. 15): everything held about one person, as one JSON file.

Why the same scope as erasure: what we disclose must be exactly what we would erase, from
every layer (source rows as received, standardised records, golden record, consents with
their proof, orders, contacts, audiences, identifiers), and nobody else's rows: identifiers
shared with another customer are not used to select rows.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.privacy.person import resolve
from cdp_pipeline.privacy.sweep import open_scope, select_rows


class AmbiguousRequest(ValueError):
    """The identifiers given match several customers; ask the requester for another one."""


def dsar_export(con: duckdb.DuckDBPyConnection, cfg: Config, email: str | None = None, phone: str | None = None,
                out_path: Path | str | None = None, *, record_id: str | None = None) -> Path:
    if not (email or phone or record_id):
        raise ValueError("a DSAR needs an email, a phone or a record id")
    person = resolve(con, cfg, email, phone, record_id)
    if person.ambiguous:
        raise AmbiguousRequest(f"identifiers match {len(person.customers)} customers")
    open_scope(con, cfg, person.customers, person.records, person.seed_ids)
    identifiers = con.execute("SELECT kind, list(value ORDER BY value) FROM _purge_ids GROUP BY kind").fetchall()
    doc = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "customer_ids": list(person.customers),
        "identifiers": {k: v for k, v in identifiers},
        "data": select_rows(con, cfg),
    }
    # Default: <warehouse dir>/dsar/, beside the data it discloses, never in exports_dir (marketers' folder).
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    out = Path(out_path) if out_path else cfg.warehouse.parent / "dsar" / f"dsar_{stamp}_{os.getpid()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner-only
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2, default=str)
    os.replace(tmp, out)
    return out
