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


def test_stale_prospects_consent_found_by_key_phone_and_the_key_records_contact_point(tmp_path):
    """Retention resolves consent events for stale prospects only (retention_candidates.sql):
    each way an event reaches a person must still count. P1: keyed to their record; P2: by
    phone alone; P3: no contact point of its own, keyed to a record not linked to anyone yet
    whose email is P3's (the contact point falls back to the key record's); P4: no recent
    event at all, purged; P5: a recent event for someone else."""
    cfg = make_cfg(tmp_path, retention={"prospect_years": 3, "customer_years": 3})
    rows = merge(*(person(f"P{i}", f"crm:{i}", email=f"p{i}@x.fr", mobile=f"+3361234567{i}") for i in range(1, 6)))
    rows["staging_identity_records"].append(dict(record_id="app:9", source="app", source_record_id="9",
                                                 email="P3@X.FR", created_at="2019-01-01"))
    con = make_warehouse(cfg.warehouse, **rows)
    con.execute("UPDATE staging.identity_records SET created_at = '2019-01-01'")
    con.execute("""INSERT INTO staging.consent_events (source, event_id, event_ts, channel, purpose, status,
                                                      email, phone, customer_record_key)
                   VALUES ('crm', 'e1', '2025-06-01', 'email', 'newsletter', 'granted', NULL, NULL, 'crm:1'),
                          ('sms', 'e2', '2025-06-01', 'sms', 'promotions', 'withdrawn', NULL, '+33612345672', NULL),
                          ('app', 'e3', '2025-06-01', 'email', 'newsletter', 'granted', NULL, NULL, 'app:9'),
                          ('esp', 'e4', '2021-06-01', 'email', 'newsletter', 'granted', 'p4@x.fr', NULL, NULL),
                          ('esp', 'e5', '2025-06-01', 'email', 'newsletter', 'granted', 'other@x.fr', NULL, NULL)""")
    metrics = apply_retention(con, cfg, date(2026, 1, 1))
    kept = [r[0] for r in con.execute("SELECT customer_id FROM marts.golden_customers ORDER BY 1").fetchall()]
    assert kept == ["P1", "P2", "P3"]
    assert (metrics["prospects_purged"], metrics["customers_purged"]) == (2, 0)
