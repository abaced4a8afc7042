"""Clustering: components of strong edges, refusing merges that contradict a birth date.

Why not plain connected components: one wrong edge chains two people into one customer, and
the worst ones come from records that cannot tell namesakes apart (same names and commune, one
record without a birth date) while the rest of each group says the two were born on different
days. So edges are added strongest first, and an edge scored without birth dates (one of its
records has none) that would join two groups whose known birth dates are all far apart (none
equal, one typo or a day/month swap away) is rescored as if its records carried those dates:
its match weight plus the model's own weight for "birth dates differ". Below the threshold it
is refused. The model decides how much a date conflict weighs: on data where dates are
reliable it vetoes, on data full of date typos (FEBRL) it barely counts.
Authoritative edges (same loyalty card or web account) are added first and never refused.
The order is total (kind, probability, record ids), so full and incremental runs that hold the
same edges build the same clusters.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

import pyarrow as pa
from splink.internals.splink_dataframe import SplinkDataFrame

from cdp_pipeline.identity.session import INPUT, Session, registered

EDGE_ORDER = "match_key LIKE 'deterministic:%' DESC, match_probability DESC, record_id_l, record_id_r"


def dates_close(a: str, b: str) -> bool:
    """Same `YYYYMMDD`, one character apart, two adjacent characters swapped, or day/month swapped
    (the birth date comparison's 'one character or day/month swap' level, in Python)."""
    if a == b:
        return True
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return True
    return a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]


def components(birth_dates: Mapping[str, str | None], edges: Iterable[tuple[str, str, float | None]],
               conflict_weight: float, threshold_weight: float) -> dict[str, str]:
    """record_id -> cluster key (its smallest record id).

    `edges`: (left, right, match weight or None for an authoritative edge), in EDGE_ORDER.
    `conflict_weight`: the model's match weight for two different birth dates (negative).
    """
    parent = {r: r for r in birth_dates}
    dates = {r: ({d} if d else set()) for r, d in birth_dates.items()}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for left, right, weight in edges:
        a, b = find(left), find(right)
        if a == b:
            continue
        scored_without_dates = weight is not None and not (birth_dates[left] and birth_dates[right])
        if (scored_without_dates and weight + conflict_weight < threshold_weight and dates[a] and dates[b]
                and not any(dates_close(x, y) for x in dates[a] for y in dates[b])):
            continue
        if len(dates[a]) < len(dates[b]):
            a, b = b, a
        parent[b] = a
        dates[a] |= dates.pop(b)
    roots: dict[str, str] = {}
    for r in sorted(birth_dates):
        roots.setdefault(find(r), r)
    return {r: roots[find(r)] for r in birth_dates}


def date_conflict_weight(model_settings: dict) -> float:
    """The trained model's match weight for 'birth dates differ' (its ELSE level); 0 (no veto)
    when training could not estimate it (little data)."""
    [comparison] = [c for c in model_settings["comparisons"] if c["output_column_name"] == "birth_date"]
    [level] = [lvl for lvl in comparison["comparison_levels"] if lvl["sql_condition"] == "ELSE"]
    m, u = level.get("m_probability"), level.get("u_probability")
    return math.log2(m / u) if isinstance(m, float) and isinstance(u, float) and m > 0 and u > 0 else 0.0


def cluster(s: Session, edges_table: str, threshold: float, conflict_weight: float) -> SplinkDataFrame:
    """Cluster the records of the session's `recluster` scope on `edges_table` at `threshold`;
    the others keep their cluster as the `kept` table says (recluster.py says why that is exact).

    Returns a Splink-shaped table (cluster_id + input columns) of every record, for metrics and
    cluster studio; a kept record's cluster_id is its customer id.
    """
    in_scope = "record_id IN (SELECT record_id FROM recluster)"
    birth_dates = dict(s.mem.execute(
        f"SELECT record_id, strftime(birth_date, '%Y%m%d') FROM {INPUT} WHERE {in_scope}").fetchall())
    edges = s.mem.execute(
        f"SELECT record_id_l, record_id_r, match_weight FROM {edges_table} "
        f"WHERE match_probability >= ? AND record_id_l IN (SELECT record_id FROM recluster) "
        f"ORDER BY {EDGE_ORDER}", [threshold]).fetchall()
    cluster_of = components(birth_dates, edges, conflict_weight, math.log2(threshold / (1 - threshold)))
    ids = pa.table({"record_id": pa.array(list(cluster_of), pa.string()),
                    "cluster_id": pa.array(list(cluster_of.values()), pa.string())})
    with registered(s.mem, "__cluster_of", ids):
        s.mem.execute(f"""
            CREATE OR REPLACE TABLE clusters AS
            SELECT c.cluster_id, i.* FROM __cluster_of AS c JOIN {INPUT} AS i USING (record_id)
            UNION ALL BY NAME
            SELECT k.customer_id AS cluster_id, i.* FROM kept AS k JOIN {INPUT} AS i USING (record_id)""")
    return s.register("clusters")
