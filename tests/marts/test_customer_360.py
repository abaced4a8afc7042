"""Customer 360: orders mapped to customers (unknown buyers kept), identifiers, support view."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from cdp_pipeline.marts.customer_360 import build_customer_360, customer_360_text
from cdp_pipeline.marts.golden import build_golden_customers
from cdp_pipeline.marts.rfm import build_rfm
from tests.marts.fixtures import config, order, person, write_inputs


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "wh.duckdb"))
    write_inputs(
        c,
        people=[
            person("crm:1", "C1", first_name="Lea", last_name="Martin", email="lea@ex.fr", loyalty_id="L1"),
            person("web:1", "C1", email="old@ex.fr", phone_raw="12", phone_flag="invalid", account_id="A9"),
        ],
        orders=[
            order("o1", "web:1", "2025-01-02", 40.0),
            order("o2", "crm:1", "2025-01-03", 25.0, "cancelled"),
            order("o3", "crm:1", "2025-01-04", 60.0, "returned"),
            order("o4", "crm:1", "2025-01-05", -15.0, "returned"),
            order("o5", "web:404", "2025-01-06", 99.0),
        ],
        contacts=[{"source": "cc", "contact_id": "k1", "customer_record_key": "crm:1",
                   "contact_ts": "2025-01-07 10:00:00", "channel": "phone", "reason": "delivery", "outcome": "solved"}],
        suppressions=[{"source": "esp", "contact_point": "old@ex.fr", "channel": "email", "reason": "hard_bounce"}],
        redirects=[{"old_id": "C0", "new_id": "C1", "reason": "merge"},
                   {"old_id": "C00", "new_id": "C0", "reason": "split"},
                   {"old_id": "C9", "new_id": None, "reason": "removed"}],
    )
    yield c
    c.close()


def test_orders_keep_unknown_buyers_and_net_returns(con, tmp_path):
    metrics = build_customer_360(con, config(tmp_path))
    rows = con.execute("SELECT order_id, customer_id, net_amount, counted, channel FROM marts.customer_orders "
                       "ORDER BY order_id").fetchall()
    assert [(r[0], r[1], float(r[2]), r[3]) for r in rows] == [
        ("o1", "C1", 40.0, True), ("o2", "C1", 0.0, False), ("o3", "C1", 0.0, False),
        ("o4", "C1", -15.0, False), ("o5", None, 99.0, True),
    ]
    assert {r[4] for r in rows} == {"web"}
    assert metrics["customer_orders_unknown_customer"] == 1
    assert con.execute("SELECT customer_id, reason FROM marts.customer_contacts").fetchall() == [("C1", "delivery")]


def test_identifiers_with_validity(con, tmp_path):
    build_golden_customers(con, config(tmp_path))
    rows = con.execute("SELECT kind, value, valid, flag, record_id FROM marts.customer_identifiers "
                       "WHERE customer_id = 'C1' ORDER BY kind, value").fetchall()
    assert rows == [
        ("account", "A9", True, "ok", "web:1"),
        ("email", "lea@ex.fr", True, "ok", "crm:1"),
        ("email", "old@ex.fr", False, "hard_bounce", "web:1"),
        ("loyalty_card", "L1", True, "ok", "crm:1"),
        ("phone", "12", False, "invalid", "web:1"),
    ]


def test_support_view_follows_redirects(con, tmp_path):
    cfg = config(tmp_path, reference_date="2025-01-31")
    build_golden_customers(con, cfg)
    build_customer_360(con, cfg)
    build_rfm(con, cfg, "r1", dt.datetime(2025, 1, 31))
    text = customer_360_text(con, "C0")
    assert text.splitlines()[0] == "Customer C0 was merged into C1; showing C1."
    assert "Lea Martin" in text and "lea@ex.fr" in text and "hard_bounce" in text
    assert "o3" in text and "delivery" in text
    assert customer_360_text(con, "C1").startswith("Customer C1: Lea Martin")
    assert customer_360_text(con, "nobody") == "No customer nobody: unknown id."
    assert customer_360_text(con, "C00").splitlines()[0] == (
        "Customer C00 was split; most of its records are now customer C0; Customer C0 was merged into C1; "
        "showing C1.")
    assert customer_360_text(con, "C9") == "Customer C9 was removed (its records were erased or deleted at the source)."


def test_support_view_before_the_marts_exist(con):
    assert "run `cdp run` first" in customer_360_text(con, "C1")
