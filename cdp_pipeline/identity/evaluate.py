"""Measure identity.customer_xref against a labelled truth file.

Why pairwise and set-based: pairwise precision/recall is the standard for entity resolution
(a wrong merge of a 50-record cluster costs more than one of 2 records), and counting pairs
per group in SQL stays linear, where enumerating pairs in Python would be quadratic.
The report names clusters by customer_id only, so it can go in run metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from cdp_pipeline.warehouse import render_sql


def evaluate(con: duckdb.DuckDBPyConnection, truth_csv: str | Path, worst: int = 10) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of the current clustering, plus the worst clusters.

    `truth_csv` has columns source, source_record_id, person_id.
    """
    truth = con.read_csv(str(truth_csv), all_varchar=True)
    con.register("truth", truth)
    try:
        counts = dict(con.execute(render_sql("identity/evaluate.sql")).fetchall())
        worst_rows = con.execute(render_sql("identity/worst_clusters.sql", limit=int(worst))).fetchall()
    finally:
        con.unregister("truth")
    tp, predicted, true = counts["both"], counts["predicted"], counts["true"]
    precision = tp / predicted if predicted else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "records": counts["records"],
        "true_pairs": true,
        "predicted_pairs": predicted,
        "true_positive_pairs": tp,
        "false_merges": predicted - tp,
        "missed_merges": true - tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "worst_clusters": [
            {"customer_id": c, "records": r, "persons": p, "false_pairs": f} for c, r, p, f in worst_rows
        ],
    }
