"""Each check, measured directly on the tiny warehouse: passes on good data, fails on its spoiler."""

from __future__ import annotations

import pytest

from cdp_pipeline.config import load_config
from cdp_pipeline.quality.checks import evaluate
from cdp_pipeline.quality.settings import quality_settings
from cdp_pipeline.quality.suites import suite
from cdp_pipeline.warehouse import connect

from tests.quality.warehouse import PERSONAL, SPOILERS, make_warehouse, write_config


def measure_all(config_path, run_id="r1"):
    cfg = load_config(config_path)
    checks = suite(cfg)
    settings = quality_settings(cfg, [c.name for c in checks])
    with connect(cfg.warehouse) as con:
        return {c.name: evaluate(con, c, settings, run_id) for c in checks}


def test_suite_names_every_spoiler(tmp_path):
    names = {c.name for c in suite(load_config(make_warehouse(tmp_path)))}
    assert set(SPOILERS) | {"raw_pos_volume"} == names


def test_good_data_passes_every_check(tmp_path):
    results = measure_all(make_warehouse(tmp_path))
    assert {n: m.note for n, m in results.items() if not m.passed} == {}
    assert all(m.evaluated > 0 for n, m in results.items())


@pytest.mark.parametrize("name", sorted(SPOILERS))
def test_spoiler_fails_its_check_only_with_ids_not_values(tmp_path, name):
    results = measure_all(make_warehouse(tmp_path, [name]))
    assert [n for n, m in results.items() if not m.passed] == [name]
    m = results[name]
    assert m.failing >= 1 and m.sample_ids
    assert not any(p in repr(m) for p in PERSONAL)


@pytest.mark.parametrize("spoil", [
    "UPDATE marts.consent_current SET usable = false WHERE customer_id = 'C000000002'",
    "INSERT INTO marts.consent_current VALUES ('contact_point', NULL, 'bob.durand@example.fr', 'email', "
    "'newsletter', 'withdrawn', false)",
    "INSERT INTO marts.suppressions VALUES ('bob.durand@example.fr', 'email')",
])
def test_audience_consent_rules(tmp_path, spoil):
    config = make_warehouse(tmp_path)
    with connect(tmp_path / "wh.duckdb") as con:
        con.execute(spoil)
    m = measure_all(config)["marts_audience_consent"]
    assert not m.passed and m.sample_ids == ["C000000002"]


def test_missing_table_is_a_failed_result_naming_it(tmp_path):
    config = make_warehouse(tmp_path)
    with connect(tmp_path / "wh.duckdb") as con:
        con.execute("DROP TABLE marts.audience_members")
        con.execute("ALTER TABLE staging.orders DROP COLUMN status_unknown")
    results = measure_all(config)
    assert not results["marts_audience_consent"].passed
    assert "marts.audience_members" in results["marts_audience_consent"].note
    assert not results["staging_order_status"].passed
    assert "status_unknown" in results["staging_order_status"].note


def test_threshold_from_config_relaxes_a_rate(tmp_path):
    config = make_warehouse(tmp_path, ["staging_email_validity"], "thresholds: {email_validity_min: 0.5}")
    m = measure_all(config)["staging_email_validity"]
    assert m.passed and m.failing == 1 and m.evaluated == 2 and m.sampled


def test_volume_change_against_previous_run(tmp_path):
    config = make_warehouse(tmp_path)
    assert measure_all(config, "r1")["raw_pos_volume"].note.startswith("no baseline yet")
    assert measure_all(config, "r2")["raw_pos_volume"].note == "no new file loaded this run"

    def load(rows, hour):
        with connect(tmp_path / "wh.duckdb") as con:
            con.execute("INSERT INTO audit.file_loads VALUES ('pos', 'f', 'x', ?, ?, ?, 0, 0, 'loaded', '')",
                        [f"2026-01-0{hour} 02:00", rows, rows])

    load(2, 2)  # the first nightly delta after the backfill: no baseline yet, whatever its size
    assert measure_all(config, "r2b")["raw_pos_volume"].note.startswith("no baseline yet")
    load(3, 3)  # 2 -> 3 rows: +50%, at the limit
    assert measure_all(config, "r3")["raw_pos_volume"].passed
    load(1, 4)  # 3 -> 1 row: -67%
    m = measure_all(config, "r4")["raw_pos_volume"]
    assert not m.passed and "1 rows loaded vs 3" in m.note
    # A re-run loads nothing new, yet the unaccepted drop still fails...
    assert not measure_all(config, "r5")["raw_pos_volume"].passed
    # ...until someone accepts it for one run (WARN); then the next run compares afresh.
    with_warn = write_config(tmp_path, "severity: {raw_pos_volume: WARN}", "warn.yaml")
    assert not measure_all(with_warn, "r6")["raw_pos_volume"].passed
    assert measure_all(config, "r7")["raw_pos_volume"].note == "no new file loaded this run"


def test_junk_email_placeholder_counts_invalid(tmp_path):
    config = make_warehouse(tmp_path)
    with connect(tmp_path / "wh.duckdb") as con:
        con.execute("UPDATE staging.identity_records SET email_flag = 'junk' WHERE record_id = 'pos:2'")
    m = measure_all(config)["staging_email_validity"]
    assert not m.passed and m.sample_ids == ["pos:2"]
