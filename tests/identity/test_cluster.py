"""Constrained clustering (cluster.py): which merges are refused, and that order is all that matters."""

from __future__ import annotations

from dataclasses import replace

from cdp_pipeline.identity.cluster import (VETOES, Veto, components, dates_close, one_edit_apart, street_core,
                                          trained_vetoes)


def _vetoes(birth_date: float, email: float = 0.0, phone: float = 0.0, street: float = 0.0) -> list[Veto]:
    return [replace(v, weight=w) for v, w in zip(VETOES, (birth_date, email, phone, street))]


def _dates(dates: dict[str, str | None]) -> dict[str, tuple]:
    return {r: (d, None, None, None) for r, d in dates.items()}


def test_dates_close():
    assert dates_close("19800101", "19800101")
    assert dates_close("19800101", "19800107")  # one character
    assert dates_close("19800112", "19800121")  # adjacent swap
    assert dates_close("19800312", "19801203")  # day/month swap
    assert not dates_close("19800101", "19851231")
    assert one_edit_apart("+33612345678", "+33612345687")
    assert not one_edit_apart("+33612345678", "+33612340000")
    assert not one_edit_apart("+33612345678", "+3361234567")


def test_bridge_between_different_birth_dates_is_refused():
    # a-b one person born 1980, c-d another born 1985; x has no birth date and an edge to both.
    dates = _dates({"a": "19800101", "b": "19800101", "x": None, "c": "19850505", "d": "19850505"})
    edges = [("a", "b", 20.0), ("c", "d", 20.0), ("a", "x", 9.0), ("x", "c", 8.0)]
    clusters = components(dates, edges, _vetoes(-14.0), threshold_weight=4.0)
    assert clusters["a"] == clusters["b"] == clusters["x"] == "a"
    assert clusters["c"] == clusters["d"] == "c"
    # where the model says dates differ often among matches, the same bridge stands
    assert set(components(dates, edges, _vetoes(-3.0), threshold_weight=4.0).values()) == {"a"}


def test_authoritative_edges_are_never_refused():
    dates = _dates({"a": "19800101", "b": "19851231", "x": None})
    edges = [("a", "x", None), ("x", "b", None)]
    assert set(components(dates, edges, _vetoes(-14.0), threshold_weight=4.0).values()) == {"a"}
    edges = [("a", "x", 5.0), ("x", "b", 5.0)]
    assert set(components(dates, edges, _vetoes(-14.0), threshold_weight=4.0).values()) == {"a", "b"}


def test_a_typo_does_not_split():
    dates = _dates({"a": "19800101", "b": "19800107", "c": None})
    edges = [("a", "c", 5.0), ("c", "b", 5.0)]
    assert set(components(dates, edges, _vetoes(-14.0), threshold_weight=4.0).values()) == {"a"}


def test_namesakes_with_their_own_contacts_stay_apart():
    # Two people with the same name and birth date, each with their own email and phone; a till
    # record of the first (no email, no phone) scores above the threshold against the second.
    values = {"a1": ("19660810", "mr64@x.fr", "+33611111111", None), "a2": ("19660810", None, None, None),
              "b1": ("19660810", "michel1966@y.fr", "+33622222222", None)}
    edges = [("a1", "a2", 20.0), ("a2", "b1", 7.5)]
    assert set(components(values, edges, _vetoes(-13.0, -2.8, -2.4), threshold_weight=6.6).values()) == {"a1", "b1"}
    # one conflict alone (-2.8) leaves 4.7: still refused; a contact in common is no conflict
    one = values | {"b1": ("19660810", "michel1966@y.fr", None, None)}
    assert set(components(one, edges, _vetoes(-13.0, -2.8, -2.4), threshold_weight=6.6).values()) == {"a1", "b1"}
    same = values | {"b1": ("19660810", "mr64@z.fr", None, None)}  # same local part, no phone
    assert set(components(same, edges, _vetoes(-13.0, -2.8, -2.4), threshold_weight=6.6).values()) == {"a1"}
    # a strong edge survives the conflicts it was scored without
    strong = [("a1", "a2", 20.0), ("a2", "b1", 12.0)]
    assert set(components(values, strong, _vetoes(-13.0, -2.8, -2.4), threshold_weight=6.6).values()) == {"a1"}
    # an edge scored with both emails already paid for their difference: not counted twice
    scored = values | {"a2": ("19660810", "other@w.fr", None, None)}
    assert set(components(scored, edges, _vetoes(-13.0, -2.8, 0.0), threshold_weight=6.6).values()) == {"a1"}


def test_an_app_record_does_not_bridge_two_homes_of_one_commune():
    # Namesakes in one commune, each at their own checked street; an app record of the first has
    # the postcode and no street, and scores 'street unknown' against the second's home.
    values = {"a1": (None, None, None, "57580|QUAI DES PEUPLIERS|1"), "a2": (None, None, None, "57580||"),
              "b1": (None, None, None, "57580|RUE DE LA PAIX|1")}
    edges = [("a1", "a2", 20.0), ("a2", "b1", 8.2)]
    vetoes = _vetoes(-13.0, street=-5.95)
    assert set(components(values, edges, vetoes, threshold_weight=6.6).values()) == {"a1", "b1"}
    # the same street (a typo), another commune (a move), an unchecked home: no conflict
    for other in ("57580|QUAI DES PEUPLIER|1", "75015|RUE DE LA PAIX|1", "57580|RUE DE LA PAIX|"):
        assert set(components(values | {"b1": (None, None, None, other)}, edges, vetoes, 6.6).values()) == {"a1"}
    # streets that share their type and articles are still two streets
    fountain = values | {"a1": (None, None, None, "57580|RUE DE LA FONTAINE|1"),
                         "b1": (None, None, None, "57580|RUE DE LA LIBERATION|1")}
    assert set(components(fountain, edges, vetoes, 6.6).values()) == {"a1", "b1"}
    assert street_core("RUE DE LA FONTAINE") == "FONTAINE" and street_core("RUE DE LA") == "RUE DE LA"
    # an edge from a record without any address was not scored at 'street unknown'
    assert set(components(values | {"a2": (None, None, None, None)}, edges, vetoes, 6.6).values()) == {"a1"}


def test_trained_vetoes_read_the_models_levels():
    def comparison(column: str, m: float | None, u: float | None, *levels: tuple[str, float, float]) -> dict:
        return {"output_column_name": column, "comparison_levels": [
            {"sql_condition": f"{column}_l = {column}_r", "m_probability": 0.9, "u_probability": 0.01},
            *({"sql_condition": "x", "label_for_charts": label, "m_probability": lm, "u_probability": lu}
              for label, lm, lu in levels),
            {"sql_condition": "ELSE", "m_probability": m, "u_probability": u}]}
    model = {"comparisons": [comparison("birth_date", 0.01, 0.99), comparison("email", 0.25, 1.0),
                             comparison("phone", None, None),
                             comparison("address", 0.1, 0.9, ("Same postcode and commune, street unknown", 0.4, 0.01),
                                        ("Same postcode and commune, other street", 0.1, 0.02))]}
    assert [round(v.weight, 2) for v in trained_vetoes(model)] == [-6.63, -2.0, 0.0, -3.0]
