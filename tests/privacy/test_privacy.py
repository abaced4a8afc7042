"""Erasure, DSAR, retention, register and run audit on a hand-made warehouse."""

from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime

import pytest

from cdp_pipeline.marketing import build_audiences, build_consent, build_suppressions, write_exports
from cdp_pipeline.privacy import (apply_erasure, apply_retention, build_processing_register, dsar_export,
                                  hash_identifier, load_salt, record_run, tombstone_filter)
from cdp_pipeline.privacy.hashing import register_hash_macros
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person
from tests.privacy.sources import SOURCES

ALICE = ("C1", "web:1", "alice@x.fr", "+33611111111")
BOB = ("C2", "web:2", "bob@x.fr", "+33622222222")
FAMILY = ("C3", "web:3", "bob@x.fr", "+33633333333")  # shares Bob's email


def order(oid, key, ts, status="paid"):
    return dict(record_id=f"web_orders:{oid}", source="web_orders", order_id=oid, customer_record_key=key,
                order_ts=ts, amount=20, status=status)


def consent(eid, key, email, ts="2025-01-01", status="granted"):
    return dict(source="web", event_id=eid, event_ts=ts, channel="email", purpose="newsletter", status=status,
                customer_record_key=key, email=email, proof=f"proof-{eid}")


@pytest.fixture
def wh(tmp_path, monkeypatch):
    monkeypatch.delenv("CDP_ERASURE_SALT", raising=False)
    cfg = make_cfg(tmp_path, sources=SOURCES, audiences=[{"name": "nl", "channel": "email", "purpose": "newsletter"}])
    people = [person(c, r, e, m) for c, r, e, m in (ALICE, BOB, FAMILY)]
    rows = merge(*people, {
        "staging_orders": [order("o1", "web:1", "2025-03-01"), order("o2", "web:2", "2025-04-01"),
                           order("o3", "web:3", "2025-04-02")],
        "staging_consent_events": [consent("e1", "web:1", "alice@x.fr"), consent("e2", "web:2", "bob@x.fr"),
                                   consent("e3", None, "alice@x.fr", "2025-02-01")],
        "staging_contacts": [dict(source="sav", contact_id="k1", customer_record_key="web:1", contact_ts="2025-05-01")],
    })
    con = make_warehouse(cfg.warehouse, **rows)
    con.execute("CREATE TABLE raw.web (customer_id VARCHAR, mail VARCHAR, tel VARCHAR, _file VARCHAR)")
    con.execute("INSERT INTO raw.web VALUES ('1', ' Alice@X.fr', '06 11 11 11 11', 'f1'), ('2', 'bob@x.fr', NULL, 'f1'),"
                " ('3', 'bob@x.fr', NULL, 'f1')")
    con.execute("CREATE TABLE raw.web_orders (id VARCHAR, customer_id VARCHAR, ts VARCHAR, total VARCHAR)")
    con.execute("INSERT INTO raw.web_orders VALUES ('o1', '1', 'x', '20'), ('o2', '2', 'x', '20')")
    con.execute("CREATE TABLE raw.crm (ts VARCHAR, ch VARCHAR, p VARCHAR, s VARCHAR, email VARCHAR)")
    con.execute("INSERT INTO raw.crm VALUES ('2025-02-01', 'email', 'newsletter', 'granted', 'ALICE@x.fr')")
    con.execute("CREATE TABLE quarantine.rejected_rows (source VARCHAR, file VARCHAR, line INTEGER, reason VARCHAR,"
                " raw_text VARCHAR, quarantined_at TIMESTAMP)")
    con.execute("INSERT INTO quarantine.rejected_rows VALUES ('web', 'f', 3, 'bad date', '{\"mail\": \"alice@x.fr\"}', now()),"
                " ('web', 'f', 4, 'bad date', '{\"tel\": \"06.22.22.22.22\"}', now())")
    con.execute("CREATE TABLE identity.record_links (record_id_l VARCHAR, record_id_r VARCHAR, match_probability DOUBLE)")
    con.execute("INSERT INTO identity.record_links VALUES ('web:1', 'web:9', 0.4)")
    build_consent(con, cfg)
    build_suppressions(con, cfg)
    build_audiences(con, cfg, "r1", date(2025, 6, 1))
    write_exports(con, cfg)
    yield con, cfg
    con.close()


def _tables_outside_gdpr(con):
    return [f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_type = 'BASE TABLE' AND table_schema NOT IN ('gdpr', 'audit')").fetchall()]


def _mentions(con, table, needles):
    text = " ".join(str(r) for r in con.execute(f"SELECT * FROM {table}").fetchall()).lower()
    return [n for n in needles if n.lower() in text]


def test_erased_person_absent_everywhere_and_tombstones_hashed(wh):
    con, cfg = wh
    assert "C1" in (cfg.exports_dir / "nl.csv").read_text()
    con.execute("INSERT INTO gdpr.erasure_requests VALUES ('R1', '2025-06-02', 'ALICE@x.fr', NULL, NULL, 'pending', NULL)") \
        if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'erasure_requests'").fetchone()[0] \
        else con.execute("CREATE TABLE gdpr.erasure_requests AS SELECT 'R1' AS request_id, TIMESTAMP '2025-06-02' AS received_ts,"
                         " 'ALICE@x.fr' AS email, NULL::VARCHAR AS phone, NULL::VARCHAR AS customer_record_id,"
                         " 'pending' AS status, NULL::TIMESTAMP AS applied_at")
    metrics = apply_erasure(con, cfg)
    assert metrics["requests_applied"] == 1 and metrics["tombstones_added"] == 3  # her email, phone and record
    needles = ["alice@x.fr", "+33611111111", "0611111111", "06 11 11 11 11", "web:1", "proof-e1"]
    for table in _tables_outside_gdpr(con):
        assert _mentions(con, table, needles) == [], table
    assert con.execute("SELECT count(*) FROM marts.golden_customers WHERE customer_id = 'C1'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM raw.web").fetchone()[0] == 2           # Bob and family stay
    assert con.execute("SELECT count(*) FROM raw.web_orders").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM quarantine.rejected_rows").fetchone()[0] == 1
    assert "C1" not in (cfg.exports_dir / "nl.csv").read_text()
    for table in ("gdpr.erasure_tombstones", "gdpr.erasure_requests", "gdpr.erasure_log"):
        assert _mentions(con, table, ["alice", "+336111", "web:1"]) == [], table
    salt = load_salt(cfg.warehouse)
    assert hash_identifier(" Alice@X.fr", "email", salt) in tombstone_filter(con)
    assert hash_identifier("06 11 11 11 11", "phone", salt) in tombstone_filter(con)
    assert con.execute("SELECT status FROM gdpr.erasure_requests").fetchone()[0] == "applied"
    log = json.loads(con.execute("SELECT records_removed FROM gdpr.erasure_log").fetchone()[0])
    assert log["raw"] == 3 and log["staging"] >= 4
    assert apply_erasure(con, cfg)["requests_pending"] == 0  # idempotent
    # ingest side: the SQL macro agrees with the Python hash
    register_hash_macros(con)
    assert con.execute("SELECT is_tombstoned('email', 'alice@x.fr'), is_tombstoned('email', 'bob@x.fr')").fetchone() == (True, False)
    assert stat.S_IMODE(os.stat(str(cfg.warehouse) + ".salt").st_mode) == 0o600


def test_shared_email_erasure_needs_review_and_removes_nobody(wh):
    con, cfg = wh
    con.execute("CREATE TABLE gdpr.erasure_requests AS SELECT 'R2' AS request_id, TIMESTAMP '2025-06-02' AS received_ts,"
                " 'bob@x.fr' AS email, NULL::VARCHAR AS phone, NULL::VARCHAR AS customer_record_id,"
                " 'pending' AS status, NULL::TIMESTAMP AS applied_at")
    assert apply_erasure(con, cfg)["requests_needs_review"] == 1
    assert con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0] == 3
    con.execute("UPDATE gdpr.erasure_requests SET phone = '06 22 22 22 22'")  # the DPO got Bob's phone
    assert apply_erasure(con, cfg)["requests_applied"] == 1
    assert [r[0] for r in con.execute("SELECT customer_id FROM marts.golden_customers ORDER BY 1").fetchall()] == ["C1", "C3"]
    # the shared email stays for the family member, and is not tombstoned
    assert con.execute("SELECT count(*) FROM staging.identity_records WHERE email = 'bob@x.fr'").fetchone()[0] == 1
    assert hash_identifier("bob@x.fr", "email", load_salt(cfg.warehouse)) not in tombstone_filter(con)


def test_dsar_has_own_orders_and_consents_only(wh, tmp_path):
    con, cfg = wh
    out = dsar_export(con, cfg, email="alice@x.fr", out_path=tmp_path / "dsar" / "alice.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    data = doc["data"]
    assert doc["customer_ids"] == ["C1"]
    assert {r["order_id"] for r in data["staging.orders"]} == {"o1"}
    assert {r["event_id"] for r in data["marts.consent_ledger"]} == {"e1", "e3"}
    assert {r["proof"] for r in data["marts.consent_ledger"]} == {"proof-e1", "proof-e3"}
    assert [r["customer_id"] for r in data["raw.web"]] == ["1"]
    assert data["marts.audience_history"][0]["audience"] == "nl"
    assert "bob" not in out.read_text(encoding="utf-8") and "C2" not in doc["customer_ids"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_retention_purges_the_right_people_and_logs(wh):
    con, cfg = wh
    # Bob: last paid order 2025-04-01; family member: only a cancelled order, created 2024-01-01
    con.execute("UPDATE staging.orders SET status = 'cancelled' WHERE order_id = 'o3'")
    con.execute("UPDATE staging.orders SET order_ts = '2021-01-01' WHERE order_id = 'o2'")
    con.execute("UPDATE staging.orders SET order_ts = '2022-01-01' WHERE order_id = 'o3'")
    con.execute("UPDATE staging.identity_records SET created_at = '2021-06-01' WHERE record_id IN ('web:2', 'web:3')")
    metrics = apply_retention(con, cfg, date(2025, 6, 1))
    assert (metrics["customers_purged"], metrics["prospects_purged"]) == (1, 1)
    assert [r[0] for r in con.execute("SELECT customer_id FROM marts.golden_customers").fetchall()] == ["C1"]
    log = con.execute("SELECT rule, customer_hash FROM gdpr.retention_log ORDER BY rule").fetchall()
    assert [r[0] for r in log] == ["customer", "prospect"] and all(len(h) == 64 for _, h in log)
    assert con.execute("SELECT count(*) FROM raw.web").fetchone()[0] == 1
    assert tombstone_filter(con) == set()  # retention is not an objection: no tombstone
    assert apply_retention(con, cfg, date(2025, 6, 1))["customers_purged"] == 0


def test_register_and_run_audit(wh):
    con, cfg = wh
    assert build_processing_register(con, cfg)["activities"] == 3
    assert con.execute("SELECT count(*) FROM gdpr.processing_register WHERE legal_basis IS NULL").fetchone()[0] == 0
    started = datetime(2025, 6, 1, 2, 0)
    for status in ("running", "success"):
        record_run(con, "r1", started, datetime(2025, 6, 1, 3, 0), status, ["a", "b"], ["a"], {"a": 3}, 1)
    assert con.execute("SELECT status, row_counts->>'a' FROM audit.runs").fetchall() == [("success", "3")]
    with pytest.raises(ValueError):
        record_run(con, "r2", started, None, "failed", [], [], {"email": "x@y.fr"}, 0)
