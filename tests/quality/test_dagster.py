"""The checks in real Dagster runs: results per check, the audit table, the report, and blocking."""

from __future__ import annotations

import json

import pytest
from dagster import AssetKey, asset, materialize

from cdp_pipeline.config import load_config
from cdp_pipeline.quality.checks import quality_checks
from cdp_pipeline.quality.report import last_run_report
from cdp_pipeline.quality.suites import suite
from cdp_pipeline.resources import Warehouse

from tests.quality.warehouse import PERSONAL, SPOILERS, make_warehouse


def stub(key: AssetKey, deps=()):
    """Stands for a real asset: the test has already written its table."""

    @asset(key=key, deps=list(deps))
    def _stub() -> None:
        return None

    return _stub


def stubs_for(cfg):
    checks = suite(cfg)
    keys = {c.asset for c in checks} | {k for c in checks for k in c.also_reads}
    return [stub(k) for k in sorted(keys, key=lambda k: k.path)]


# Checks guarding an asset that other checks read: left ERROR, their failure would block those
# checks (tested below), and this run wants every check evaluated.
UPSTREAM_AS_WARN = """\
severity: {staging_record_id_unique: WARN, identity_xref_unique: WARN, identity_every_record_has_customer: WARN}
"""


def run_all(config_path):
    cfg = load_config(config_path)
    assets = stubs_for(cfg)
    result = materialize([*assets, *quality_checks(cfg, assets)],
                         resources={"warehouse": Warehouse(config_path=str(config_path))}, raise_on_error=False)
    return cfg, {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_good_warehouse_passes_and_report_is_clean(tmp_path):
    cfg, evaluations = run_all(make_warehouse(tmp_path))
    assert {c.name for c in suite(cfg)} == set(evaluations)
    assert [n for n, e in evaluations.items() if not e.passed] == []
    text, error_failed = last_run_report(cfg.warehouse)
    assert not error_failed and "FAIL" not in text and "staging_email_validity" in text


@pytest.fixture
def bad_run(tmp_path):
    return run_all(make_warehouse(tmp_path, sorted(SPOILERS), UPSTREAM_AS_WARN))


def test_every_check_fails_with_counts_and_ids_only(bad_run):
    cfg, evaluations = bad_run
    assert sorted(n for n, e in evaluations.items() if not e.passed) == sorted(SPOILERS)
    for name in SPOILERS:
        meta = evaluations[name].metadata
        assert meta["failing"].value >= 1 and meta["evaluated"].value >= 1
        assert 0 < meta["failing_share"].value <= 1
        assert meta["failing_ids (sample)"].value
    dumped = json.dumps({n: {k: str(v.value) for k, v in e.metadata.items()} for n, e in evaluations.items()})
    assert not [p for p in PERSONAL if p in dumped]


def test_report_shows_the_failed_run_without_personal_data(bad_run):
    cfg, _ = bad_run
    text, error_failed = last_run_report(cfg.warehouse)
    assert error_failed
    assert "FAIL" in text and "WARN" in text and "identity_xref_unique" in text and "pos:1" in text
    assert not [p for p in PERSONAL if p in text]


def _orders_then_downstream(tmp_path, quality_yaml=""):
    config = make_warehouse(tmp_path, ["staging_order_id"], quality_yaml)
    cfg = load_config(config)
    orders = stub(AssetKey(["staging", "orders"]))
    downstream = stub(AssetKey(["marts", "customer_orders"]), deps=[AssetKey(["staging", "orders"])])
    result = materialize([orders, downstream, *quality_checks(cfg, [orders, downstream])],
                         resources={"warehouse": Warehouse(config_path=str(config))}, raise_on_error=False)
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_failing_error_check_blocks_downstream(tmp_path):
    assert _orders_then_downstream(tmp_path) == {"staging/orders"}


def test_failing_warn_check_does_not_block(tmp_path):
    done = _orders_then_downstream(tmp_path, "severity: {staging_order_id: WARN}")
    assert done == {"staging/orders", "marts/customer_orders"}
