"""Stable customer ids across re-clusterings.

Why: Splink names a cluster after its smallest record id, which changes whenever a record
is added, removed or re-linked, while marketing lists, BI extracts and consent proofs keep
customer ids for months. So ids are minted by us, carried over by vote, and an id that stops
existing always leaves a redirect.

Rules (pure, deterministic, property-tested in tests/identity/test_stable_ids.py):
- Each new cluster is offered the old ids of its records, weighted by how many of its records
  held each id. Offers are granted greedily, biggest first (ties: oldest id, then cluster key),
  each old id to at most one cluster and each cluster at most one id. So in a merge the id
  held by most records survives, and in a split the largest part keeps the id.
- A cluster left without an id (brand new, or a split-off part whose records' ids all went
  elsewhere) gets a fresh id `C` + 9 digits from a sequence that only moves up: ids are never
  reused, even those of erased customers.
- Every old id that no longer exists gets one redirect to the surviving id holding most of its
  former records: reason `merge` when all its records went to one cluster, `split` when they
  were spread over several. If all its records were removed (erasure, source deleted) the
  redirect has new_id NULL and reason `removed`.
- A split whose largest part kept the id writes no redirect: the id still exists, and a
  redirect from a live id would send readers away from a real customer. Split-off parts are
  new customers from the point of view of downstream tables.
Redirects are appended, never rewritten, so an id merged twice resolves through a chain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Hashable, Mapping

PREFIX = "C"
DIGITS = 9


def format_id(seq: int) -> str:
    if seq >= 10**DIGITS:
        raise OverflowError("customer id sequence exhausted")
    return f"{PREFIX}{seq:0{DIGITS}d}"


def id_seq(customer_id: str) -> int:
    return int(customer_id[len(PREFIX):])


@dataclass(frozen=True)
class Assignment:
    customer_of: dict[str, str]  # record_id -> customer_id
    redirects: list[tuple[str, str | None, str]]  # (old_id, new_id, reason)
    next_seq: int


def assign_customer_ids(
    old: Mapping[str, str],
    clusters: Mapping[str, Hashable],
    next_seq: int,
) -> Assignment:
    """Carry customer ids from `old` (record -> customer id) onto `clusters` (record -> cluster key).

    `next_seq` must exceed every id ever issued (see `next_sequence`).
    """
    members: dict[Hashable, list[str]] = defaultdict(list)
    for record, key in clusters.items():
        members[key].append(record)

    votes: Counter[tuple[Hashable, str]] = Counter(
        (key, old[record]) for record, key in clusters.items() if record in old
    )
    id_of_cluster: dict[Hashable, str] = {}
    taken: set[str] = set()
    for (key, old_id), n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0][1], str(kv[0][0]))):
        if key not in id_of_cluster and old_id not in taken:
            id_of_cluster[key] = old_id
            taken.add(old_id)

    for key in sorted(members, key=lambda k: min(members[k])):
        if key not in id_of_cluster:
            id_of_cluster[key] = format_id(next_seq)
            next_seq += 1

    customer_of = {record: id_of_cluster[key] for record, key in clusters.items()}

    where_now: dict[str, Counter[str]] = defaultdict(Counter)
    for record, old_id in old.items():
        if record in customer_of:
            where_now[old_id][customer_of[record]] += 1
    redirects: list[tuple[str, str | None, str]] = []
    for old_id in sorted(set(old.values()) - taken):
        targets = where_now.get(old_id)
        if not targets:
            redirects.append((old_id, None, "removed"))
            continue
        new_id = min(targets, key=lambda cid: (-targets[cid], cid))
        redirects.append((old_id, new_id, "merge" if len(targets) == 1 else "split"))
    return Assignment(customer_of, redirects, next_seq)


def next_sequence(issued_ids: list[str]) -> int:
    """One past the highest id ever issued (current ids and both sides of redirects)."""
    return max((id_seq(i) for i in issued_ids if i), default=0) + 1
