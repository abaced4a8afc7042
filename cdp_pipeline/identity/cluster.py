"""Clustering: components of strong edges, refusing merges that the two groups' own records contradict.

Why not plain connected components: one wrong edge chains two people into one customer, and
the worst ones come from records that cannot tell namesakes apart (same names and commune, one
record without a birth date, an email or a phone) while the rest of each group says the two
are different people: born on different days, with their own emails and phones. So edges are
added strongest first, and an edge scored without one of those values (one of its records has
none) that would join two groups whose known values are all far apart is rescored as if its
records carried them: its match weight plus the model's own weight for "values differ", for
each such value. Below the threshold it is refused. The model decides how much a conflict
weighs: on data where dates are reliable a date conflict vetoes, on data full of date typos
(FEBRL) it barely counts; people with several emails make an email conflict weigh little.
Authoritative edges (same loyalty card or web account) are added first and never refused.
The order is total (kind, probability, record ids), so full and incremental runs that hold the
same edges build the same clusters.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, Sequence

import pyarrow as pa
from jellyfish import jaro_winkler_similarity
from splink.internals.splink_dataframe import SplinkDataFrame

from cdp_pipeline.identity.session import INPUT, Session, registered
from cdp_pipeline.identity.settings import model_level
from cdp_pipeline.standardise.addresses import ABBREVIATIONS

EDGE_ORDER = "match_key LIKE 'deterministic:%' DESC, match_probability DESC, record_id_l, record_id_r"


def one_edit_apart(a: str, b: str) -> bool:
    """Same string, one character apart, or two adjacent characters swapped (equal lengths)."""
    if a == b:
        return True
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                              and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])


def dates_close(a: str, b: str) -> bool:
    """Same `YYYYMMDD`, one character apart, two adjacent characters swapped, or day/month swapped
    (the birth date comparison's 'one character or day/month swap' level, in Python)."""
    return one_edit_apart(a, b) or (a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6])


def same_local_part(a: str, b: str) -> bool:
    """The email comparison's levels above 'All other comparisons': same address or local part."""
    return a.split("@", 1)[0] == b.split("@", 1)[0]


def _place(value: str) -> tuple[str, str, bool]:
    """(postcode, street name, checked) of a veto value "postcode|street|1"."""
    postcode, street, checked = value.split("|")
    return postcode, street, checked == "1"


# What a street name shares with half the streets of France: its type and the articles.
_STREET_FILLER = frozenset(ABBREVIATIONS.values()) | {"RUE", "DE", "DU", "DES", "LA", "LE", "LES", "L", "D", "AU", "AUX"}


@functools.cache  # one per street name: a million records hold far fewer streets
def street_core(street: str) -> str:
    """The words that tell a street from its neighbours ("RUE DE LA FONTAINE" -> "FONTAINE"), or
    the whole name where nothing else is left ("GRANDE RUE")."""
    return " ".join(w for w in street.split() if w not in _STREET_FILLER) or street


def same_street_or_elsewhere(a: str, b: str) -> bool:
    """Two checked homes ("postcode|street core", `_checked_street`) contradict each other only
    in one commune: another street there is another home, while another commune is a move,
    which the edge's own place already judged. Streets are compared on their core words: whole
    names share too much ("RUE DE LA FONTAINE" and "RUE DE LA LIBERATION" are 0.9 apart in
    Jaro-Winkler, as close as a typo)."""
    code_a, core_a = a.split("|", 1)
    code_b, core_b = b.split("|", 1)
    return code_a != code_b or jaro_winkler_similarity(core_a, core_b) >= 0.88


def _checked_street(value: str) -> str | None:
    """What a group knows of a home: "postcode|street core", for a checked street only."""
    postcode, street, checked = _place(value)
    return f"{postcode}|{street_core(street)}" if street and checked else None


def _street_unknown(a: str | None, b: str | None) -> bool:
    """The edge was scored at 'Same postcode and commune, street unknown'."""
    if not (a and b):
        return False
    (code_a, street_a, _), (code_b, street_b, _) = _place(a), _place(b)
    return code_a == code_b and not (street_a and street_b)


def _else_weight(column: str) -> Callable[[dict], float]:
    return lambda model: _level_weight(model, column, "ELSE") or 0.0


def _street_weight(model: dict) -> float:
    """From 'street unknown' to 'other street' in the same commune: what the edge would have
    scored had its records carried the two groups' streets."""
    unknown = _level_weight(model, "address", label="Same postcode and commune, street unknown")
    other = _level_weight(model, "address", label="Same postcode and commune, other street")
    return other - unknown if unknown is not None and other is not None else 0.0


def _level_weight(model: dict, column: str, condition: str | None = None, label: str | None = None) -> float | None:
    """A trained level's match weight (by SQL condition or chart label); None where not estimated."""
    level = model_level(model, column, condition, label)
    m, u = level.get("m_probability"), level.get("u_probability")
    ok = isinstance(m, float) and isinstance(u, float) and m > 0 and u > 0
    return math.log2(m / u) if ok else None


@dataclass(frozen=True)
class Veto:
    """A value two groups are checked on before an edge that was scored without it joins them.

    `expr`: the record's value (SQL over the linkage input); `close`: which two values count as
    the same; `known`: the part of a value that a group knows (None: nothing); `unscored`: whether
    an edge between two records was scored without it; `weight`: what the edge loses when the
    groups' known values all differ (the trained model's, from `weight_from`).
    """

    expr: str
    close: Callable[[str, str], bool]
    weight_from: Callable[[dict], float]
    known: Callable[[str], str | None] = lambda value: value
    unscored: Callable[[str | None, str | None], bool] = lambda a, b: not (a and b)
    weight: float = 0.0


VETOES = (
    Veto("strftime(birth_date, '%Y%m%d')", dates_close, _else_weight("birth_date")),
    Veto("email", same_local_part, _else_weight("email")),
    Veto("phone", one_edit_apart, _else_weight("phone")),
    # An app record has a postcode and no street: scored against a home of the same commune as
    # 'street unknown', a strong level, which bridges two namesakes of one commune.
    Veto("CASE WHEN postcode IS NOT NULL THEN postcode || '|' || coalesce(street_name, '') || '|' || "
         "CASE WHEN address_checked THEN '1' ELSE '' END END",
         same_street_or_elsewhere, _street_weight, known=_checked_street, unscored=_street_unknown),
)


def components(values: Mapping[str, Sequence[str | None]], edges: Iterable[tuple[str, str, float | None]],
               vetoes: Sequence[Veto], threshold_weight: float) -> dict[str, str]:
    """record_id -> cluster key (its smallest record id).

    `values`: each record's value of each veto, in `vetoes` order (None: unknown).
    `edges`: (left, right, match weight or None for an authoritative edge), in EDGE_ORDER.
    """
    weights = [min(v.weight, 0.0) for v in vetoes]
    safe_weight = threshold_weight - sum(weights)  # an edge this strong survives every conflict
    parent = {r: r for r in values}
    # A group's known values, by root; built on a record's first edge (most records have none),
    # so a root missing here is a record alone, knowing its own values.
    known: dict[str, list[set[str]]] = {}

    def known_of(root: str) -> list[set[str]]:
        if (mine := known.get(root)) is None:
            mine = known[root] = [{k} if x and (k := v.known(x)) else set() for v, x in zip(vetoes, values[root])]
        return mine

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def conflicts(a: str, b: str, left: str, right: str) -> float:
        known_a, known_b = known_of(a), known_of(b)
        return sum(w for i, (v, w) in enumerate(zip(vetoes, weights))
                   if known_a[i] and known_b[i] and v.unscored(values[left][i], values[right][i])
                   and not any(x == y or v.close(x, y) for x in known_a[i] for y in known_b[i]))

    for left, right, weight in edges:
        a, b = find(left), find(right)
        if a == b:
            continue
        if weight is not None and weight < safe_weight and weight + conflicts(a, b, left, right) < threshold_weight:
            continue
        if sum(map(len, known_of(a))) < sum(map(len, known_of(b))):
            a, b = b, a
        parent[b] = a
        for mine, theirs in zip(known_of(a), known.pop(b)):
            mine |= theirs
    roots: dict[str, str] = {}
    for r in sorted(values):
        roots.setdefault(find(r), r)
    return {r: roots[find(r)] for r in values}


def trained_vetoes(model_settings: dict) -> list[Veto]:
    """VETOES with the trained model's weights; 0 (no veto) where training could not estimate them."""
    return [replace(v, weight=v.weight_from(model_settings)) for v in VETOES]


def cluster(s: Session, edges_table: str, threshold: float, vetoes: Sequence[Veto]) -> SplinkDataFrame:
    """Cluster the records of the session's `recluster` scope on `edges_table` at `threshold`;
    the others keep their cluster as the `kept` table says (recluster.py says why that is exact).

    Returns a Splink-shaped table (cluster_id + input columns) of every record, for metrics and
    cluster studio; a kept record's cluster_id is its customer id.
    """
    in_scope = "record_id IN (SELECT record_id FROM recluster)"
    columns = ", ".join(v.expr for v in vetoes)
    values = {r: row for r, *row in s.mem.execute(f"SELECT record_id, {columns} FROM {INPUT} WHERE {in_scope}").fetchall()}
    edges = s.mem.execute(
        f"SELECT record_id_l, record_id_r, match_weight FROM {edges_table} "
        f"WHERE match_probability >= ? AND record_id_l IN (SELECT record_id FROM recluster) "
        f"ORDER BY {EDGE_ORDER}", [threshold]).fetchall()
    cluster_of = components(values, edges, vetoes, math.log2(threshold / (1 - threshold)))
    ids = pa.table({"record_id": pa.array(list(cluster_of), pa.string()),
                    "cluster_id": pa.array(list(cluster_of.values()), pa.string())})
    with registered(s.mem, "__cluster_of", ids):
        s.mem.execute(f"""
            CREATE OR REPLACE TABLE clusters AS
            SELECT c.cluster_id, i.* FROM __cluster_of AS c JOIN {INPUT} AS i USING (record_id)
            UNION ALL BY NAME
            SELECT k.customer_id AS cluster_id, i.* FROM kept AS k JOIN {INPUT} AS i USING (record_id)""")
    return s.register("clusters")
