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
    edges = [("a", "b", False), ("c", "d", False), ("a", "x", False), ("x", "c", False)]
    clusters = components(dates, edges)
    assert clusters["a"] == clusters["b"] == clusters["x"] == "a"
    assert clusters["c"] == clusters["d"] == "c"


def test_authoritative_edges_are_never_refused():
    dates = {"a": "19800101", "b": "19851231"}
    assert components(dates, [("a", "b", True)]) == {"a": "a", "b": "a"}
    assert components(dates, [("a", "b", False)]) == {"a": "a", "b": "b"}


def test_a_typo_does_not_split():
    dates = {"a": "19800101", "b": "19800107", "c": None}
    assert set(components(dates, [("a", "c", False), ("c", "b", False)]).values()) == {"a"}
