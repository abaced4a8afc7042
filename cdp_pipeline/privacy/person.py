"""Who a request is about: the customer ids and records holding its identifiers.

Why the ambiguity rule: an email or a phone can be shared (a family mailbox, a landline).
Erasing or exporting everyone behind it would destroy or disclose another person's data, so
the identifiers given are intersected (ignoring those we don't hold) and more than one
customer left means the request needs a human (the DPO asks for another identifier).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.privacy.hashing import normalise
from cdp_pipeline.privacy.sweep import prepare, raw_records_by_id
from cdp_pipeline.warehouse import render_sql


@dataclass(frozen=True)
class Person:
    customers: tuple[str, ...]
    records: tuple[str, ...]  # records matched directly that no customer id covers
    seed_ids: tuple[tuple[str, str], ...]  # (kind, normalised value) the request named

    @property
    def ambiguous(self) -> bool:
        return len(self.customers) > 1


def resolve(con: duckdb.DuckDBPyConnection, cfg: Config, email: str | None = None, phone: str | None = None,
            record_id: str | None = None) -> Person:
    prepare(con)
    email = normalise(email, "email") if email else None
    phone = normalise(phone, "phone") if phone else None
    record_id = record_id.strip() if record_id else None
    rows = con.execute(render_sql("privacy/resolve_person.sql"),
                       {"email": email, "phone": phone, "record_id": record_id}).fetchall()
    for rec in raw_records_by_id(con, cfg, record_id) if record_id else ():
        xref = con.execute("SELECT customer_id FROM _in_identity_customer_xref WHERE record_id = ?", [rec]).fetchone()
        rows.append(("record", xref[0] if xref else None, rec))
    by_via: dict[str, set[str]] = {}
    for via, customer_id, rec in rows:
        by_via.setdefault(via, set()).add(f"c:{customer_id}" if customer_id else f"r:{rec}")
    hits = [s for s in by_via.values() if s]
    keys = set.intersection(*hits) if hits else set()
    if hits and not keys:
        keys = set.union(*hits)  # identifiers pointing at different people: surface as ambiguous
    seeds = tuple((k, v) for k, v in (("email", email), ("phone", phone)) if v)
    return Person(tuple(sorted(k[2:] for k in keys if k.startswith("c:"))),
                  tuple(sorted(k[2:] for k in keys if k.startswith("r:"))), seeds)
