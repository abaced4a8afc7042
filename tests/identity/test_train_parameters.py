"""Post-EM corrections of the trained parameters (train.py), on model dicts shaped like Splink's."""

from __future__ import annotations

import math

from cdp_pipeline.identity.train import fill_unobserved_u, floor_m, split_unobserved_m


def _model(levels):
    return {"probability_two_random_records_match": 1e-6,
            "comparisons": [{"output_column_name": "email", "comparison_levels": levels}]}


def test_level_no_random_pair_reached_gets_u_of_one_over_the_sample():
    model = fill_unobserved_u(_model([
        {"sql_condition": "email_l IS NULL", "is_null_level": True},
        {"sql_condition": "email_l = email_r", "m_probability": 0.85, "u_probability": None},
        {"sql_condition": "email_local_l = email_local_r", "m_probability": None, "u_probability": None},
        {"sql_condition": "ELSE", "m_probability": 0.15, "u_probability": 0.99},
    ]), sampled_pairs=1e6)
    null, same, untrained, other = model["comparisons"][0]["comparison_levels"]
    assert "u_probability" not in null
    assert same["u_probability"] == 1e-6
    assert math.log2(same["m_probability"] / same["u_probability"]) > 19  # strong evidence, not none
    assert untrained["u_probability"] is None  # no m either: nothing to score with
    assert other["u_probability"] == 0.99


def test_m_floored_and_renormalised():
    model = floor_m(_model([
        {"sql_condition": "a", "m_probability": 0.9, "u_probability": 1e-5},
        {"sql_condition": "ELSE", "m_probability": 0.0, "u_probability": 0.99},
    ]))
    same, other = model["comparisons"][0]["comparison_levels"]
    assert other["m_probability"] > 0 and math.isclose(same["m_probability"] + other["m_probability"], 1.0)


def _levels(column, *levels):
    return {"output_column_name": column, "comparison_levels": [
        {"label_for_charts": label, "sql_condition": label, "m_probability": m, "u_probability": 1e-5}
        for label, m in levels]}


def test_level_no_session_observes_gets_the_first_name_share_of_its_parent():
    model = split_unobserved_m({"probability_two_random_records_match": 1e-6, "comparisons": [
        _levels("birth_date", ("Same birth date", 0.9), ("Same birth date, other first name", None),
                ("All other comparisons", 0.1)),
        _levels("address", ("Same number and street", 0.45), ("Same number and street, other first name", 0.05),
                ("All other comparisons", 0.5)),
    ]})
    same, other, rest = model["comparisons"][0]["comparison_levels"]
    assert math.isclose(other["m_probability"], 0.9 * 0.1) and math.isclose(same["m_probability"], 0.9 * 0.9)
    assert math.isclose(same["m_probability"] + other["m_probability"] + rest["m_probability"], 1.0)


def test_a_level_some_session_trained_is_not_split_again():
    model = split_unobserved_m({"probability_two_random_records_match": 1e-6, "comparisons": [
        _levels("birth_date", ("Same birth date", 0.8), ("Same birth date, other first name", 0.1),
                ("All other comparisons", 0.1)),
        _levels("address", ("Same number and street", 0.45), ("Same number and street, other first name", 0.05),
                ("All other comparisons", 0.5)),
    ]})
    assert [lvl["m_probability"] for lvl in model["comparisons"][0]["comparison_levels"]] == [0.8, 0.1, 0.1]
