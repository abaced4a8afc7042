"""Customer ids survive a nightly delta of the demo generator (1% new + 1% edited records).

Why on the demo rather than on tests/identity/records.py: the promise made to marketing and
BI (an id lives for months, and one that goes leaves a redirect) must hold on data with
households, twins, namesakes and edits that travel from extract files through ingest and
staging, as in production. Only the assets up to identity run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cdp_pipeline.config import load_config
from cdp_pipeline.runner import run_pipeline
from cdp_pipeline.synth import generate

# The identity multi-asset runs whole: all three of its keys, and everything upstream.
UP_TO_IDENTITY = " or ".join(f'+key:"identity/{name}"' for name in ("customer_xref", "record_links",
                                                                    "customer_id_redirects"))
MIN_KEPT_SHARE = 0.999


def _state(warehouse: Path) -> tuple[dict[str, str], set[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        xref = dict(con.execute("SELECT record_id, customer_id FROM identity.customer_xref").fetchall())
        redirected = {i for (i,) in con.execute("SELECT old_id FROM identity.customer_id_redirects").fetchall()}
    return xref, redirected


def delta_stability(out: Path, persons: int, seed: int = 7) -> dict[str, float]:
    """Run the demo, apply increment 1, run again; counts of ids kept, changed and redirected."""
    generate(out, persons=persons, seed=seed)
    cfg = load_config(out / "cdp.yaml")
    assert run_pipeline(cfg, UP_TO_IDENTITY).success
    before, _ = _state(cfg.warehouse)
    generate(out, persons=persons, seed=seed, increment=1)
    assert run_pipeline(cfg, UP_TO_IDENTITY).success
    after, redirected = _state(cfg.warehouse)
    old_ids, live = set(before.values()), set(after.values())
    gone = old_ids - live
    kept_records = [r for r in before if r in after]
    return {
        "records_before": len(before),
        "records_after": len(after),
        "ids_before": len(old_ids),
        "ids_gone": len(gone),
        "ids_gone_without_redirect": len(gone - redirected),
        "ids_kept_share": 1 - len(gone) / len(old_ids),
        "records_same_id_share": sum(before[r] == after[r] for r in kept_records) / len(kept_records),
    }


def _check(figures: dict[str, float]) -> None:
    assert figures["records_after"] > figures["records_before"], "the delta added no record"
    assert figures["ids_gone_without_redirect"] == 0, "an id vanished without a redirect"
    assert figures["ids_kept_share"] >= MIN_KEPT_SHARE, figures


def test_ids_survive_a_delta(tmp_path):
    # 2,000 rather than 1,000: the 1,000-person delta has no web order, and ingest refuses
    # the empty orders_0001.jsonl the generator then writes.
    _check(delta_stability(tmp_path / "demo", persons=2_000))


@pytest.mark.slow
def test_ids_survive_a_delta_10k(tmp_path):
    _check(delta_stability(tmp_path / "demo", persons=10_000))
