"""FEBRL benchmarks through the production config path (no FEBRL-specific settings).

Full runs are slow-marked (`make test-slow`); the default suite runs FEBRL3's first 1000 records.
Targets (issue 4): clustered pairwise F1 >= 0.995 on FEBRL3 (dedupe) and FEBRL4 (link).
"""

from __future__ import annotations

import json

import pytest

from cdp_pipeline.identity.evaluate import evaluate
from cdp_pipeline.identity.settings import model_level
from cdp_pipeline.warehouse import connect
from tests.identity.febrl import load, run_to_identity, write_project


def _run(tmp_path, dataset: str, limit: int | None = None) -> dict:
    cfg = run_to_identity(write_project(load(dataset, limit), tmp_path))
    with connect(cfg.warehouse) as con:
        return evaluate(con, tmp_path / "truth.csv")


def test_febrl3_sample(tmp_path):
    result = _run(tmp_path, "febrl3", limit=1000)
    assert result["records"] == 1000
    assert result["precision"] >= 0.99 and result["recall"] >= 0.9, result


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["febrl3", "febrl4"])
def test_febrl_full(tmp_path, dataset):
    result = _run(tmp_path, dataset)
    print(dataset, {k: v for k, v in result.items() if k != "worst_clusters"})
    assert result["f1"] >= 0.995, result


def test_birth_date_disagreement_learned_from_records_without_contact_points(tmp_path):
    """FEBRL has no email or phone: training must still learn how often one person's two records
    carry different birth dates (a learned m near 0 turns one mistyped date into a veto)."""
    cfg = run_to_identity(write_project(load("febrl4", 1000), tmp_path))
    with connect(cfg.warehouse) as con:
        model = json.loads(con.execute("SELECT settings_json FROM identity.models").fetchone()[0])
        # the share of true pairs (same FEBRL person id, both dates known) at the level 'All other comparisons'
        [truth] = con.execute("""
            SELECT avg((date_trunc('month', a.birth_date) <> date_trunc('month', b.birth_date)
                        AND damerau_levenshtein(strftime(a.birth_date, '%Y%m%d'), strftime(b.birth_date, '%Y%m%d')) > 1
                        AND NOT (month(a.birth_date) = day(b.birth_date) AND day(a.birth_date) = month(b.birth_date)))::INT)
            FROM staging.identity_records a JOIN staging.identity_records b
              ON a.source = 'febrl4a' AND b.source = 'febrl4b'
             AND split_part(a.source_record_id, '-', 2) = split_part(b.source_record_id, '-', 2)""").fetchone()
    other = model_level(model, "birth_date", label="All other comparisons")
    assert truth > 0.01  # FEBRL's duplicates do carry other dates
    assert truth / 2 <= other["m_probability"] <= truth * 2, (other["m_probability"], truth)
