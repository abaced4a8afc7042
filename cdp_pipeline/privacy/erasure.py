"""Right to erasure (GDPR art. 17): remove a person from every layer, keep only salted tombstones.

Why tombstones: source systems keep sending their extracts, so an erased person would come
back with the next file. Ingest drops rows whose standardised email/phone hashes to a
tombstone; the hashes can't be reversed without the salt, which is not in the warehouse.
A request matching several customers (shared identifiers) is left 'needs_review' with its
clear identifiers, for the DPO: erasing the wrong person is also a breach.

Why a batch: scoping and sweeping scan every layer, so applying requests one by one cost N
scans (minutes at 100k persons for a hundred requests). All pending requests are resolved
together, then scoped and swept once, in one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.privacy.person import Person, resolve_many
from cdp_pipeline.privacy.sweep import open_scope
from cdp_pipeline.warehouse import render_sql

PENDING = ("SELECT request_id, email, phone, customer_record_id FROM gdpr.erasure_requests "
           "WHERE coalesce(status, 'pending') <> 'applied' ORDER BY received_ts, request_id")


def ensure_gdpr_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(render_sql("privacy/erasure_tables.sql"))


@dataclass(frozen=True)
class ErasureBatch:
    """Tonight's pending requests, resolved: `applied` (seq, request_id, person) are erased,
    `review` (request ids) wait for the DPO, `pending` counts both."""

    pending: int
    applied: list[tuple[int, str, Person]]
    review: list[str]

    @property
    def customers(self) -> list[str]:
        return sorted({c for _, _, p in self.applied for c in p.customers})

    @property
    def records(self) -> list[str]:
        return sorted({r for _, _, p in self.applied for r in p.records})

    @property
    def seed_ids(self) -> list[tuple[str, str]]:
        return sorted({s for _, _, p in self.applied for s in p.seed_ids})


def resolve_batch(con: duckdb.DuckDBPyConnection, cfg: Config) -> ErasureBatch:
    """Resolve every pending request; ambiguous ones are marked 'needs_review'.

    The batch is the same warehouse as applying the requests one by one, in order, except where
    that would erase the wrong person. Every request is resolved against the warehouse as it was
    before the batch. Applied one by one, a request would be resolved after the earlier ones had
    erased their persons, which can move it onto someone else: a request naming Bob's email and
    phone, where the phone is shared with his flatmate, resolves to Bob; once an earlier request
    has erased Bob, the same request resolves to the flatmate alone. Likewise a family email is
    'needs_review' while both members are there, and would silently erase the second member once
    the first is gone. Resolved before the batch, such requests stay ambiguous and go to the DPO.
    Two requests for the same person both resolve to them; the first one in order is credited
    with the erasure, as it would be applied alone.
    """
    ensure_gdpr_tables(con)
    pending = con.execute(PENDING).fetchall()
    persons = resolve_many(con, cfg, [tuple(row[1:]) for row in pending])
    review = [row[0] for row, person in zip(pending, persons) if person.ambiguous]
    if review:
        con.execute("UPDATE gdpr.erasure_requests SET status = 'needs_review' WHERE list_contains(?, request_id)",
                    [review])
    applied = [(seq, row[0], person) for seq, (row, person) in enumerate(zip(pending, persons))
               if not person.ambiguous]
    return ErasureBatch(len(pending), applied, review)


def attribute_tombstones(con: duckdb.DuckDBPyConnection, cfg: Config, batch: ErasureBatch) -> None:
    """Scope the batch alone and work out which request each tombstone belongs to, while the rows
    are still there (sql/privacy/erasure_owners.sql). Scoped alone, not with the night's retention
    purge: an email an erased person shares with someone else is not theirs to tombstone, even
    when that someone is purged for retention the same night."""
    _load_batch(con, batch.applied)
    open_scope(con, cfg, batch.customers, batch.records, batch.seed_ids)
    con.execute(render_sql("privacy/erasure_owners.sql"))


def write_down(con: duckdb.DuckDBPyConnection, removed: dict[str, int]) -> int:
    """Tombstones, hashed requests and the log, after the sweep; returns the tombstones added.

    gdpr.erasure_log keeps one row per applied request (request id, applied_at, customers it
    erased, batch_id). One sweep removes the night's rows, so rows removed per request are not
    known: records_removed holds the sweep's totals on each of its rows, to be counted once per
    batch_id. Tombstones carry the request they belong to (sql/privacy/erasure_owners.sql).
    """
    before = _tombstone_count(con)
    con.execute("CREATE OR REPLACE TEMP TABLE _erasure_removed AS SELECT ?::JSON AS records_removed",
                [json.dumps(removed)])
    con.execute(render_sql("privacy/tombstone_batch.sql"))
    return _tombstone_count(con) - before


def _load_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[int, str, Person]]) -> None:
    """_erasure_batch (seq, request_id, applied_at, batch_id) and _erasure_claims (seq, kind, value):
    what each request resolved to and named, for erasure_owners.sql."""
    applied_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("CREATE OR REPLACE TEMP TABLE _erasure_batch AS SELECT unnest(?::INTEGER[]) AS seq, "
                "unnest(?::VARCHAR[]) AS request_id, ?::TIMESTAMP AS applied_at, ?::VARCHAR AS batch_id",
                [[seq for seq, _, _ in batch], [rid for _, rid, _ in batch], applied_at, uuid.uuid4().hex])
    claims = [(seq, kind, value) for seq, _, person in batch
              for kind, value in ([("customer", c) for c in person.customers]
                                  + [("record", r) for r in person.records] + list(person.seed_ids))]
    con.execute("CREATE OR REPLACE TEMP TABLE _erasure_claims AS SELECT unnest(?::INTEGER[]) AS seq, "
                "unnest(?::VARCHAR[]) AS kind, unnest(?::VARCHAR[]) AS value",
                [[c[0] for c in claims], [c[1] for c in claims], [c[2] for c in claims]])


def _tombstone_count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM gdpr.erasure_tombstones").fetchone()[0])
