"""`cdp quality` before any check ran: a sentence, and no ERROR to exit on."""

from __future__ import annotations

from cdp_pipeline.quality.report import last_run_report
from cdp_pipeline.warehouse import connect


def test_no_warehouse_yet(tmp_path):
    assert last_run_report(tmp_path / "wh.duckdb") == (f"no warehouse at {tmp_path / 'wh.duckdb'}", False)


def test_no_checks_yet(tmp_path):
    with connect(tmp_path / "wh.duckdb"):
        pass
    assert last_run_report(tmp_path / "wh.duckdb") == ("no quality checks have run yet", False)
