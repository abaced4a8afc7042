"""Retention counts every contact the person initiated, however it reached us.

Why: a prospect who re-subscribed on the emailing platform (an event keyed by the address
only) or updated their account last year is an active relationship; purging them would lose
a lawful, recent consent. A customer's clock is their last paid purchase.
"""

from __future__ import annotations

from datetime import date

from cdp_pipeline.privacy import apply_retention
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person


def test_retention_keeps_recent_platform_consents_and_updates(tmp_path):
    cfg = make_cfg(tmp_path, retention={"prospect_years": 3, "customer_years": 3})
    rows = merge(*(person(f"P{i}", f"crm:{i}", email=f"p{i}@x.fr") for i in range(1, 6)))
    con = make_warehouse(cfg.warehouse, **rows)
    con.execute("ALTER TABLE staging.identity_records ADD COLUMN IF NOT EXISTS updated_at TIMESTAMP")
    con.execute("UPDATE staging.identity_records SET created_at = '2019-01-01', updated_at = '2019-01-01'")
    con.execute("UPDATE staging.identity_records SET updated_at = '2025-06-01' WHERE record_id = 'crm:1'")
    con.execute("""INSERT INTO staging.consent_events (source, event_id, event_ts, channel, purpose, status, email)
                   VALUES ('esp', 'e2', '2025-06-01', 'email', 'newsletter', 'granted', 'p2@x.fr')""")
    con.execute("""INSERT INTO staging.orders (record_id, source, order_id, customer_record_key, order_ts, amount, status)
                   VALUES ('shop:o4', 'shop', 'o4', 'crm:4', '2022-06-01', 20, 'paid'),
                          ('shop:o5', 'shop', 'o5', 'crm:5', '2024-06-01', 20, 'paid')""")
    metrics = apply_retention(con, cfg, date(2026, 1, 1))
    kept = [r[0] for r in con.execute("SELECT customer_id FROM marts.golden_customers ORDER BY 1").fetchall()]
    assert kept == ["P1", "P2", "P5"]  # P3: dormant prospect; P4: last purchase > 3 years
    assert (metrics["prospects_purged"], metrics["customers_purged"]) == (1, 1)
    log = con.execute("SELECT * FROM gdpr.retention_log").fetchall()
    assert len(log) == 2 and not any(str(v) in ("P3", "P4") or "@" in str(v) for row in log for v in row)
