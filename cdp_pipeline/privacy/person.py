"""Who a request is about: the customer ids and records holding its identifiers.

Why the ambiguity rule: an email or a phone can be shared (a family mailbox, a landline).
Erasing or exporting everyone behind it would destroy or disclose another person's data, so
the identifiers given are intersected (ignoring those we don't hold) and more than one
customer left means the request needs a human (the DPO asks for another identifier).

Why set-based: the nightly batch resolves every pending erasure request at once; looking each
one up separately scanned the identity records once per request. The lookups are one join
(sql/privacy/resolve_person.sql); only the per-request intersection, over a handful of hits,
is done here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.privacy.hashing import normalise
from cdp_pipeline.privacy.sweep import prepare, raw_record_hits
from cdp_pipeline.warehouse import render_sql

Identifiers = tuple[str | None, str | None, str | None]  # email, phone, record id as the requester gave them


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
    """One request (a DSAR): the batch resolution with a single row, so both follow one rule."""
    return resolve_many(con, cfg, [(email, phone, record_id)])[0]


def resolve_many(con: duckdb.DuckDBPyConnection, cfg: Config, requests: Sequence[Identifiers]) -> list[Person]:
    """A Person per request, in order, all resolved against the warehouse as it is now."""
    if not requests:
        return []
    prepare(con)
    asked = [_normalised(*r) for r in requests]
    con.execute("CREATE OR REPLACE TEMP TABLE _resolve_requests AS SELECT unnest(range(?)) AS seq, "
                "unnest(?::VARCHAR[]) AS email, unnest(?::VARCHAR[]) AS phone, unnest(?::VARCHAR[]) AS record_id",
                [len(asked), *([a[i] for a in asked] for i in range(3))])
    hits: list[list[tuple]] = [[] for _ in asked]
    for seq, via, customer_id, record_id in (con.execute(render_sql("privacy/resolve_person.sql")).fetchall()
                                             + raw_record_hits(con, cfg)):
        hits[seq].append((via, customer_id, record_id))
    return [_person(h, email, phone) for h, (email, phone, _) in zip(hits, asked)]


def _normalised(email: str | None, phone: str | None, record_id: str | None) -> Identifiers:
    """The standardised forms ingest stores, so a request matches however it was typed."""
    return (normalise(email, "email") if email else None, normalise(phone, "phone") if phone else None,
            record_id.strip() if record_id else None)


def _person(hits: list[tuple], email: str | None, phone: str | None) -> Person:
    """Intersect the customers (or unclustered records) each identifier points at; see the module doc."""
    by_via: dict[str, set[str]] = {}
    for via, customer_id, rec in hits:
        by_via.setdefault(via, set()).add(f"c:{customer_id}" if customer_id else f"r:{rec}")
    found = list(by_via.values())
    keys = set.intersection(*found) if found else set()
    if found and not keys:
        keys = set.union(*found)  # identifiers pointing at different people: surface as ambiguous
    seeds = tuple((k, v) for k, v in (("email", email), ("phone", phone)) if v)
    return Person(tuple(sorted(k[2:] for k in keys if k.startswith("c:"))),
                  tuple(sorted(k[2:] for k in keys if k.startswith("r:"))), seeds)
