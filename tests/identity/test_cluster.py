"""Constrained clustering (cluster.py): which merges are refused, and that order is all that matters."""

from __future__ import annotations

from cdp_pipeline.identity.cluster import components, dates_close


def test_dates_close():
    assert dates_close("19800101", "19800101")
    assert dates_close("19800101", "19800107")  # one character
    assert dates_close("19800112", "19800121")  # adjacent swap
    assert dates_close("19800312", "19801203")  # day/month swap
    assert not dates_close("19800101", "19851231")


def test_bridge_between_different_birth_dates_is_refused():
    # a-b one person born 1980, c-d another born 1985; x has no birth date and an edge to both.
    dates = {"a": "19800101", "b": "19800101", "x": None, "c": "19850505", "d": "19850505"}
    edges = [("a", "b", 20.0), ("c", "d", 20.0), ("a", "x", 9.0), ("x", "c", 8.0)]
    clusters = components(dates, edges, conflict_weight=-14.0, threshold_weight=4.0)
    assert clusters["a"] == clusters["b"] == clusters["x"] == "a"
    assert clusters["c"] == clusters["d"] == "c"
    # where the model says dates differ often among matches, the same bridge stands
    assert set(components(dates, edges, conflict_weight=-3.0, threshold_weight=4.0).values()) == {"a"}


def test_authoritative_edges_are_never_refused():
    dates = {"a": "19800101", "b": "19851231"}
    x = {"x": None}
    edges = [("a", "x", None), ("x", "b", None)]
    assert set(components(dates | x, edges, conflict_weight=-14.0, threshold_weight=4.0).values()) == {"a"}
    edges = [("a", "x", 5.0), ("x", "b", 5.0)]
    assert set(components(dates | x, edges, conflict_weight=-14.0, threshold_weight=4.0).values()) == {"a", "b"}


def test_a_typo_does_not_split():
    dates = {"a": "19800101", "b": "19800107", "c": None}
    edges = [("a", "c", 5.0), ("c", "b", 5.0)]
    assert set(components(dates, edges, conflict_weight=-14.0, threshold_weight=4.0).values()) == {"a"}
