"""Post-EM corrections of the trained parameters (train.py), on model dicts shaped like Splink's."""

from __future__ import annotations

import math

from cdp_pipeline.identity.train import fill_unobserved_u, floor_m


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
