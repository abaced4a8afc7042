"""RFM on a hand-computed example, segment rules from config, history and migration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from cdp_pipeline.config import ConfigError
from cdp_pipeline.marts.customer_360 import build_customer_360
from cdp_pipeline.marts.rfm import build_rfm
from cdp_pipeline.marts.settings import reference_date, rfm_settings
from tests.marts.fixtures import config, order, person, write_inputs

RUN_TS = dt.datetime(2025, 7, 2, 3, 0)
# Reference date 2025-06-30. Hand-computed (recency days, frequency, monetary):
#   A 10, 2, 150   B 29, 1, 80 (a later order fully returned)   C 180, 1, 30 (a cancelled order)
#   D 1, 1, 400 (refund line -100; an order after the reference date ignored)   E 333, 3, 60
#   F no order, G only a cancelled order -> No purchase.
ORDERS = [
    order("a1", "crm:A", "2025-06-20", 100), order("a2", "crm:A", "2025-05-01", 50),
    order("b1", "crm:B", "2025-06-01", 80), order("b2", "crm:B", "2025-06-10", 80, "returned"),
    order("c1", "crm:C", "2025-01-01", 30), order("c2", "crm:C", "2025-03-01", 200, "cancelled"),
    order("d1", "crm:D", "2025-06-29", 500), order("d2", "crm:D", "2025-06-30 18:00", -100, "returned"),
    order("d3", "crm:D", "2025-07-01", 999),
    order("e1", "crm:E", "2024-06-30", 20), order("e2", "crm:E", "2024-07-01", 20),
    order("e3", "crm:E", "2024-08-01", 20),
    order("g1", "crm:G", "2025-06-01", 70, "cancelled"),
]


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "wh.duckdb"))
    write_inputs(c, people=[person(f"crm:{k}", k) for k in "ABCDEFG"], orders=ORDERS)
    build_customer_360(c, config(tmp_path))
    yield c
    c.close()


def rfm(con, tmp_path, run_id="r1", run_ts=RUN_TS, **sections) -> dict:
    sections.setdefault("reference_date", "2025-06-30")
    build_rfm(con, config(tmp_path, **sections), run_id, run_ts)
    rows = con.execute("SELECT customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment "
                       "FROM marts.customer_rfm ORDER BY customer_id").fetchall()
    return {r[0]: (r[1], r[2], float(r[3]), r[4], r[5], r[6], r[7]) for r in rows}


def test_hand_computed_rfm_with_default_segments(con, tmp_path):
    # Quintiles over the 5 buyers; equal frequencies (B, C, D) share the lowest score.
    assert rfm(con, tmp_path) == {
        "A": (10, 2, 150.0, 4, 4, 4, "Loyal"),
        "B": (29, 1, 80.0, 3, 1, 3, "About to sleep"),
        "C": (180, 1, 30.0, 2, 1, 1, "Hibernating"),
        "D": (1, 1, 400.0, 5, 1, 5, "New"),
        "E": (333, 3, 60.0, 1, 5, 2, "Can't lose them"),
        "F": (None, 0, 0.0, None, None, None, "No purchase"),
        "G": (None, 0, 0.0, None, None, None, "No purchase"),
    }
    assert con.execute("SELECT DISTINCT as_of FROM marts.customer_rfm").fetchall() == [(dt.date(2025, 6, 30),)]


def test_segment_rules_from_config(con, tmp_path):
    segments = rfm(con, tmp_path, rfm={
        "segments": [{"segment": "Big spender", "m": 5}, {"segment": "Recent", "r": "4-5"}],
        "unmatched_segment": "Rest", "no_purchase_segment": "Prospect",
    })
    assert {k: v[-1] for k, v in segments.items()} == {
        "A": "Recent", "B": "Rest", "C": "Rest", "D": "Big spender", "E": "Rest", "F": "Prospect", "G": "Prospect"}


def test_history_is_idempotent_per_run_and_feeds_migration(con, tmp_path):
    rfm(con, tmp_path, "r1", RUN_TS)
    rfm(con, tmp_path, "r1", RUN_TS)
    assert con.execute("SELECT count(*) FROM marts.customer_rfm_history").fetchone()[0] == 7
    assert con.execute("SELECT count(*) FROM marts.segment_migration").fetchone()[0] == 0

    # A month later C has bought again: r 5 (most recent), f 2 (A, C, D now have 2 orders).
    con.execute("INSERT INTO staging.orders BY NAME SELECT * FROM (VALUES ('web:c3', 'web', 'c3', 'crm', 'C', "
                "'crm:C', TIMESTAMP '2025-07-15', 1000, 'EUR', 'paid', 'site')) AS t(record_id, source, order_id, "
                "customer_source, customer_record_id, customer_record_key, order_ts, amount, currency, status, "
                "store_or_site)")
    build_customer_360(con, config(tmp_path))
    rfm(con, tmp_path, "r2", RUN_TS + dt.timedelta(days=31), reference_date="2025-07-31")
    assert con.execute("SELECT count(*) FROM marts.customer_rfm_history").fetchone()[0] == 14
    moves = con.execute("SELECT from_run_id, to_run_id, from_segment, to_segment, customers "
                        "FROM marts.segment_migration ORDER BY ALL").fetchall()
    assert ("r1", "r2", "No purchase", "No purchase", 2) in moves
    assert ("r1", "r2", "Hibernating", "Potential loyalist", 1) in moves
    assert sum(m[4] for m in moves) == 7
    assert {m[:2] for m in moves} == {("r1", "r2")}


def test_empty_inputs(tmp_path):
    c = duckdb.connect(str(tmp_path / "empty.duckdb"))
    write_inputs(c)
    build_customer_360(c, config(tmp_path))
    assert build_rfm(c, config(tmp_path), "r1", RUN_TS) == {"as_of": "2025-07-02", "customers": 0}
    assert c.execute("SELECT count(*) FROM marts.customer_rfm_history").fetchone()[0] == 0
    c.close()


@pytest.mark.parametrize("section, key", [
    ({"segments": [{"segment": "X", "r": "4_5"}]}, r"rfm\.segments\[0\]\.r"),
    ({"segments": [{"segment": "X", "r": "5-4"}]}, r"rfm\.segments\[0\]\.r"),
    ({"segments": [{"r": "5"}]}, r"rfm\.segments\[0\]\.segment"),
    ({"segments": [{"segment": "X", "q": 1}]}, r"rfm\.segments\[0\]"),
    ({"segments": []}, r"rfm\.segments"),
    ({"quintiles": 4}, "rfm"),
])
def test_bad_rfm_config_names_the_key(tmp_path, section, key):
    with pytest.raises(ConfigError, match=key):
        rfm_settings(config(tmp_path, rfm=section))


def test_reference_date(tmp_path):
    assert reference_date(config(tmp_path), RUN_TS) == dt.date(2025, 7, 2)
    with pytest.raises(ConfigError, match="reference_date"):
        reference_date(config(tmp_path, reference_date="31/06/2025"), RUN_TS)


def test_default_segments_cover_every_r_f_pair():
    rules = rfm_settings(config(Path("."))).segments

    def match(r, f):
        return next(s.segment for s in rules if all(lo <= {"r": r, "f": f}[k] <= hi
                                                    for k, (lo, hi) in s.ranges.items()))

    assert {match(r, f) for r in range(1, 6) for f in range(1, 6)} == {
        "Champions", "Loyal", "Potential loyalist", "New", "Promising", "Need attention", "About to sleep",
        "Can't lose them", "At risk", "Lost", "Hibernating"}
