"""Pairwise metrics counted in SQL, checked against a hand count."""

from __future__ import annotations

import pytest

from cdp_pipeline.identity.evaluate import evaluate
from cdp_pipeline.warehouse import connect, run_sql_file


def test_pairwise_counts(tmp_path):
    truth = tmp_path / "truth.csv"
    truth.write_text("source,source_record_id,person_id\n"
                     "s,1,p1\ns,2,p1\ns,3,p1\ns,4,p2\ns,5,p3\ns,6,p3\n", encoding="utf-8")
    # predicted: {1,2,4} {3} {5,6}; true: {1,2,3} {4} {5,6}
    xref = [("1", "C1"), ("2", "C1"), ("4", "C1"), ("3", "C2"), ("5", "C3"), ("6", "C3")]
    with connect(tmp_path / "wh.duckdb") as con:
        run_sql_file(con, "identity/tables.sql")
        con.executemany("INSERT INTO identity.customer_xref VALUES ('s:' || ?, 's', ?, ?, 1.0, 'm', now())",
                        [(r, r, c) for r, c in xref])
        result = evaluate(con, truth)
    assert (result["predicted_pairs"], result["true_pairs"], result["true_positive_pairs"]) == (4, 4, 2)
    assert (result["false_merges"], result["missed_merges"]) == (2, 2)
    assert result["precision"] == pytest.approx(0.5) and result["f1"] == pytest.approx(0.5)
    assert result["worst_clusters"] == [{"customer_id": "C1", "records": 3, "persons": 2, "false_pairs": 2}]
