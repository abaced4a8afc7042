"""FEBRL benchmarks through the production config path (no FEBRL-specific settings).

Full runs are slow-marked (`make test-slow`); the default suite runs FEBRL3's first 1000 records.
Targets (issue 4): clustered pairwise F1 >= 0.995 on FEBRL3 (dedupe) and FEBRL4 (link).
"""

from __future__ import annotations

import pytest

from cdp_pipeline.identity.evaluate import evaluate
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
