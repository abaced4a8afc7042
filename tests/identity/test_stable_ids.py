"""Stable customer ids: examples for each rule, and properties over random re-clusterings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cdp_pipeline.identity.stable_ids import assign_customer_ids, format_id, next_sequence


def test_first_run_mints_ids_in_record_order():
    a = assign_customer_ids({}, {"r1": "k1", "r2": "k1", "r3": "k3"}, next_seq=1)
    assert a.customer_of == {"r1": "C000000001", "r2": "C000000001", "r3": "C000000002"}
    assert a.redirects == [] and a.next_seq == 3


def test_merge_keeps_the_id_held_by_most_records_and_redirects_the_other():
    old = {"r1": "C000000001", "r2": "C000000002", "r3": "C000000002"}
    a = assign_customer_ids(old, {"r1": "k", "r2": "k", "r3": "k"}, next_seq=3)
    assert set(a.customer_of.values()) == {"C000000002"}
    assert a.redirects == [("C000000001", "C000000002", "merge")]


def test_merge_tie_keeps_the_oldest_id():
    old = {"r1": "C000000005", "r2": "C000000009"}
    a = assign_customer_ids(old, {"r1": "k", "r2": "k"}, next_seq=10)
    assert set(a.customer_of.values()) == {"C000000005"}
    assert a.redirects == [("C000000009", "C000000005", "merge")]


def test_split_largest_part_keeps_the_id_and_the_rest_gets_a_new_one():
    old = {r: "C000000001" for r in ("r1", "r2", "r3")}
    a = assign_customer_ids(old, {"r1": "a", "r2": "a", "r3": "b"}, next_seq=2)
    assert a.customer_of == {"r1": "C000000001", "r2": "C000000001", "r3": "C000000002"}
    assert a.redirects == []  # the id still exists: no redirect away from a live customer


def test_split_off_part_takes_back_its_own_earlier_id():
    old = {"r1": "C000000001", "r2": "C000000001", "r3": "C000000002"}
    a = assign_customer_ids(old, {"r1": "a", "r2": "b", "r3": "b"}, next_seq=3)
    assert a.customer_of == {"r1": "C000000001", "r2": "C000000002", "r3": "C000000002"}


def test_removed_records_leave_a_terminal_redirect_and_their_id_is_never_reissued():
    old = {"r1": "C000000001", "r2": "C000000002"}
    a = assign_customer_ids(old, {"r1": "a", "r9": "b"}, next_seq=3)
    assert a.redirects == [("C000000002", None, "removed")]
    assert a.customer_of["r9"] == "C000000003"


def test_next_sequence_counts_every_issued_id():
    assert next_sequence([]) == 1
    assert next_sequence(["C000000004", "C000000011", None]) == 12


records = st.sampled_from([f"r{i:02d}" for i in range(30)])


@st.composite
def clusterings(draw):
    """A random old clustering (with ids) and a random new one over an overlapping record set."""
    old_records = draw(st.sets(records, max_size=20))
    old_keys = {r: draw(st.integers(0, 6)) for r in sorted(old_records)}
    first = assign_customer_ids({}, old_keys, next_seq=draw(st.integers(1, 50)))
    new_records = draw(st.sets(records, max_size=20))
    new_keys = {r: draw(st.integers(0, 6)) for r in sorted(new_records)}
    return first, new_keys


def _resolve(customer_id, redirects, live):
    seen = set()
    while customer_id not in live:
        assert customer_id not in seen, "redirect cycle"
        seen.add(customer_id)
        if customer_id not in redirects:
            return "vanished"
        customer_id = redirects[customer_id]
        if customer_id is None:
            return "removed"
    return customer_id


@settings(max_examples=300, deadline=None)
@given(clusterings(), st.lists(st.dictionaries(records, st.integers(0, 6), max_size=20), max_size=3))
def test_no_id_vanishes_and_ids_are_never_reused(start, later_clusterings):
    first, new_keys = start
    history = [first]
    redirects: dict = {}
    issued = set(first.customer_of.values())
    for keys in [new_keys, *later_clusterings]:
        prev = history[-1]
        a = assign_customer_ids(prev.customer_of, keys, next_sequence(sorted(issued)))
        live = set(a.customer_of.values())
        # one id per cluster, one cluster per id
        by_key = {}
        for record, key in keys.items():
            by_key.setdefault(key, set()).add(a.customer_of[record])
        assert all(len(ids) == 1 for ids in by_key.values())
        assert len(live) == len(by_key)
        # a fresh id is never one issued before; a redirected id never comes back
        fresh = live - set(prev.customer_of.values())
        assert not fresh & issued
        assert not live & set(redirects)
        for old_id, new_id, reason in a.redirects:
            assert old_id not in live and old_id not in redirects
            assert (new_id is None) == (reason == "removed")
            assert new_id is None or new_id in live
            redirects[old_id] = new_id
        issued |= live | {n for _, n, _ in a.redirects if n}
        for old_id in issued:
            assert _resolve(old_id, redirects, live) != "vanished"
        history.append(a)


def test_format_id():
    assert format_id(42) == "C000000042"
