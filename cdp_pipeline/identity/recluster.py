"""Which records a night must cluster again; the others keep last night's customer.

Why: clustering and id assignment walk records and strong edges in Python. At a million
people that was 63 of the 84 seconds of an incremental night, although a 1% delta touches a
few percent of the clusters. A record keeps its customer exactly when nothing that decides
its cluster or its id changed:
- no strong edge (at or above the threshold) links it, even through other records, to a new
  or changed record: its component of the strong-edge graph is last night's edge for edge
  (edges between unchanged records are kept, not re-scored; a record whose matching view
  changed, including an identifier that became shared, has a new match_hash);
- its old customer id is not also held by a record that is re-clustered or removed (a split,
  an erasure).
The scope (table `recluster`) is closed under both rules, iterated to a fixpoint. Clusters of
different components never interact, and an old id is only offered to clusters holding its
records, so clustering the scope alone gives the clusters and ids a full re-clustering gives
(tests/identity/test_link.py compares both). Everything is re-clustered when there is no
previous clustering with the same model and threshold.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.identity.session import INPUT

# Tables of the session this module reads: `prev_xref` (last night's record_id, customer_id, confidence),
# `changed_records` (new or changed records), `edges` (tonight's scored and kept edges).
_SEEDS = f"""
CREATE OR REPLACE TABLE recluster AS
SELECT record_id FROM changed_records
UNION
SELECT x.record_id FROM prev_xref AS x
WHERE x.record_id IN (SELECT record_id FROM {INPUT})
  AND x.customer_id IN (SELECT customer_id FROM prev_xref
                        WHERE record_id IN (SELECT record_id FROM changed_records)
                           OR record_id NOT IN (SELECT record_id FROM {INPUT}))
"""
_GROW = f"""
INSERT INTO recluster
SELECT b FROM strong WHERE a IN (SELECT record_id FROM recluster)
UNION
SELECT x.record_id FROM prev_xref AS x
WHERE x.record_id IN (SELECT record_id FROM {INPUT})
  AND x.customer_id IN (SELECT customer_id FROM prev_xref WHERE record_id IN (SELECT record_id FROM recluster))
EXCEPT
SELECT record_id FROM recluster
"""


def scope_everything(mem: duckdb.DuckDBPyConnection) -> None:
    mem.execute(f"CREATE OR REPLACE TABLE recluster AS SELECT record_id FROM {INPUT}")


def scope_changes(mem: duckdb.DuckDBPyConnection, threshold: float) -> None:
    """`recluster` := the records a night with these changes must cluster again."""
    mem.execute("""
        CREATE OR REPLACE TEMP TABLE strong AS
        SELECT record_id_l AS a, record_id_r AS b FROM edges WHERE match_probability >= $t
        UNION ALL
        SELECT record_id_r, record_id_l FROM edges WHERE match_probability >= $t
    """, {"t": threshold})
    mem.execute(_SEEDS)
    while mem.execute(_GROW).fetchone()[0]:
        pass


def kept_customers(mem: duckdb.DuckDBPyConnection) -> None:
    """`kept` := (record_id, customer_id) of the records outside the scope."""
    mem.execute(f"""
        CREATE OR REPLACE TABLE kept AS
        SELECT x.record_id, x.customer_id FROM prev_xref AS x
        WHERE x.record_id IN (SELECT record_id FROM {INPUT})
          AND x.record_id NOT IN (SELECT record_id FROM recluster)
    """)
