"""Erasure requests applied as one batch leave the warehouse exactly as applying them one by one.

Why compare against one-by-one application: that is the behaviour the DPO signed off (each
request resolved, scoped, swept, tombstoned, logged); the batch only changes the cost. Two
identical warehouses (same salt, so same hashes) get the same requests, one all pending at
once, the other inserted and applied one at a time; every table, and the export files, must
match, except applied_at/batch_id and the log's removed counts (batch totals, see
apply_erasure). The households cover what sequencing could change: a second request for an
already-erased person, an email shared with someone nobody asked to erase (needs_review), a
phone shared by two people both erased (its tombstone belongs to the last of them), a person
only in a raw file staging has not seen, and a request for someone we never held.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from cdp_pipeline.marketing import build_audiences, build_consent, build_suppressions, write_exports
from cdp_pipeline.privacy import apply_erasure, apply_purges, apply_retention, dsar_export
from cdp_pipeline.privacy.hashing import SALT_ENV, ensure_tombstones
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person
from tests.privacy.sources import SOURCES

EVE_FRANK_LANDLINE = "+33155555555"
PEOPLE = [  # customer id, record, email, phone
    ("C1", "web:1", "alice@x.fr", "+33611111111"),
    ("C2", "web:2", "bob@x.fr", "+33622222222"),
    ("C3", "web:3", "bob@x.fr", "+33633333333"),  # shares Bob's email
    ("C4", "web:4", "dan@x.fr", None),
    ("C4", "web:5", "dan.old@x.fr", "+33644444444"),  # Dan's second record
    ("C5", "web:6", "eve@x.fr", EVE_FRANK_LANDLINE),
    ("C6", "web:7", "frank@x.fr", EVE_FRANK_LANDLINE),  # shares Eve's landline
]
RAW_ONLY = ("8", "gina@x.fr", "0688888888")  # in today's raw file, not yet standardised
REQUESTS = [  # request id, email, phone, record id (in the order received)
    ("R1", "ALICE@x.fr", None, None),
    ("R2", "bob@x.fr", None, None),            # Bob or his family member: needs_review
    ("R3", "eve@x.fr", None, None),
    ("R4", None, "06 11 11 11 11", None),      # Alice again
    ("R5", None, None, "web:5"),               # Dan, by his old record
    ("R6", "frank@x.fr", None, None),
    ("R7", " Gina@X.fr", None, None),
    ("R8", "ghost@x.fr", None, None),          # never held: tombstoned all the same
]
VARYING = {"applied_at", "batch_id"}  # differ between two runs by nature


def _warehouse(folder):
    cfg = make_cfg(folder, sources=SOURCES, audiences=[{"name": "nl", "channel": "email", "purpose": "newsletter"}])
    rows = merge(*(person(c, r, e, p) for c, r, e, p in PEOPLE), {
        "staging_orders": [dict(record_id=f"web_orders:o{r[4:]}", source="web_orders", order_id=f"o{r[4:]}",
                                customer_record_key=r, order_ts="2025-03-01", amount=20, status="paid")
                           for _, r, _, _ in PEOPLE],
        "staging_consent_events": [dict(source="web", event_id=f"e{r[4:]}", event_ts="2025-01-01", channel="email",
                                        purpose="newsletter", status="granted", customer_record_key=r, email=e,
                                        proof=f"proof-{r}") for _, r, e, _ in PEOPLE],
    })
    rows["marts_golden_customers"] = [g for g in rows["marts_golden_customers"]
                                      if (g["customer_id"], g["email"]) != ("C4", "dan.old@x.fr")]
    con = make_warehouse(cfg.warehouse, **rows)
    con.execute("CREATE TABLE raw.web (customer_id VARCHAR, mail VARCHAR, tel VARCHAR, _file VARCHAR)")
    con.executemany("INSERT INTO raw.web VALUES (?, ?, ?, 'f1')",
                    [(r[4:], e, p) for _, r, e, p in PEOPLE] + [RAW_ONLY])
    con.execute("CREATE TABLE raw.web_orders (id VARCHAR, customer_id VARCHAR, ts VARCHAR, total VARCHAR)")
    con.executemany("INSERT INTO raw.web_orders VALUES (?, ?, '2025-03-01', '20')",
                    [(f"o{r[4:]}", r[4:]) for _, r, _, _ in PEOPLE] + [("o8", "8")])
    con.execute("CREATE TABLE raw.crm (ts VARCHAR, ch VARCHAR, p VARCHAR, s VARCHAR, email VARCHAR)")
    con.executemany("INSERT INTO raw.crm VALUES ('2025-01-01', 'email', 'newsletter', 'granted', ?)",
                    [(e,) for _, _, e, _ in PEOPLE] + [("GINA@x.fr",)])
    build_consent(con, cfg)
    build_suppressions(con, cfg)
    build_audiences(con, cfg, "r1", date(2025, 6, 1))
    write_exports(con, cfg)
    ensure_tombstones(con)
    apply_erasure(con, cfg)  # creates gdpr.*
    return con, cfg


def _request(con, i, request_id, email, phone, record_id):
    con.execute("INSERT INTO gdpr.erasure_requests (request_id, received_ts, email, phone, customer_record_id, status)"
                " VALUES (?, TIMESTAMP '2025-06-02' + to_minutes(?), ?, ?, ?, 'pending')",
                [request_id, i, email, phone, record_id])


def _contents(con: duckdb.DuckDBPyConnection, cfg) -> dict[str, list]:
    """Every base table's rows (sorted, without the columns that legitimately vary) and every export file."""
    logs = {("gdpr", "erasure_log"), ("gdpr", "retention_log")}
    out = {}
    for schema, table, columns in con.execute(
            "SELECT table_schema, table_name, list(column_name ORDER BY ordinal_position) FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema NOT LIKE 'pg_%' "
            "AND table_schema <> 'information_schema' GROUP BY ALL").fetchall():
        skip = VARYING | ({"records_removed", "purged_at"} if (schema, table) in logs else set())
        kept = ", ".join(f'"{c}"' for c in columns if c not in skip)
        out[f"{schema}.{table}"] = sorted(map(str, con.execute(f'SELECT {kept} FROM {schema}."{table}"').fetchall()))
    for export in sorted(cfg.exports_dir.glob("*.csv")):
        out[f"export {export.name}"] = export.read_text(encoding="utf-8")
    return out


@pytest.fixture
def two_warehouses(tmp_path, monkeypatch):
    monkeypatch.setenv(SALT_ENV, "same-salt-for-both")
    pair = [_warehouse(tmp_path / name) for name in ("batch", "one_by_one")]
    yield pair
    for con, _ in pair:
        con.close()


def test_batch_equals_one_request_at_a_time(two_warehouses):
    (batch, batch_cfg), (single, single_cfg) = two_warehouses
    for i, req in enumerate(REQUESTS):
        _request(batch, i, *req)
    metrics = apply_erasure(batch, batch_cfg)
    for i, req in enumerate(REQUESTS):
        _request(single, i, *req)
        apply_erasure(single, single_cfg)

    assert (metrics["requests_applied"], metrics["requests_needs_review"]) == (7, 1)
    expected = _contents(single, single_cfg)
    assert _contents(batch, batch_cfg) == expected
    # what the comparison covers, spelled out
    assert [r[0] for r in batch.execute("SELECT customer_id FROM marts.golden_customers ORDER BY 1").fetchall()] \
        == ["C2", "C3"]
    assert batch.execute("SELECT status, email FROM gdpr.erasure_requests WHERE request_id = 'R2'").fetchone() \
        == ("needs_review", "bob@x.fr")
    assert batch.execute("SELECT count(*) FROM raw.web WHERE customer_id = '8'").fetchone()[0] == 0
    shared = batch.execute("SELECT request_id FROM gdpr.erasure_tombstones WHERE kind = 'phone' "
                           "AND hash = erasure_hash('phone', ?)", [EVE_FRANK_LANDLINE]).fetchall()
    assert shared == [("R6",)]  # Frank's erasure is the one that left nobody holding it
    assert "alice" not in (batch_cfg.exports_dir / "nl.csv").read_text(encoding="utf-8")


def test_log_has_a_row_per_request_with_the_batch_totals(two_warehouses):
    (con, cfg), _ = two_warehouses
    for i, req in enumerate(REQUESTS):
        _request(con, i, *req)
    metrics = apply_erasure(con, cfg)
    log = con.execute("SELECT request_id, customers, records_removed, batch_id FROM gdpr.erasure_log "
                      "ORDER BY request_id").fetchall()
    assert [(r, c) for r, c, _, _ in log] == [("R1", 1), ("R3", 1), ("R4", 0), ("R5", 1), ("R6", 1), ("R7", 0),
                                              ("R8", 0)]  # R4: Alice, already erased by R1
    assert len({b for *_, b in log}) == 1 and len({r for _, _, r, _ in log}) == 1
    assert sum(json.loads(log[0][2]).values()) == metrics["rows_removed"]


def test_requests_resolve_against_the_warehouse_before_the_batch(two_warehouses):
    """Eve's landline is Frank's too. Applied after Eve's erasure, a request naming only that
    number would point at Frank alone and erase him; in the batch it is ambiguous, as it was
    when it arrived, and waits for the DPO."""
    (con, cfg), _ = two_warehouses
    _request(con, 0, "R1", "eve@x.fr", None, None)
    _request(con, 1, "R2", None, "01 55 55 55 55", None)
    metrics = apply_erasure(con, cfg)
    assert (metrics["requests_applied"], metrics["requests_needs_review"]) == (1, 1)
    assert con.execute("SELECT count(*) FROM marts.golden_customers WHERE customer_id = 'C6'").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM staging.identity_records WHERE phone = ?",
                       [EVE_FRANK_LANDLINE]).fetchone()[0] == 1  # still Frank's
    assert con.execute("SELECT status FROM gdpr.erasure_requests WHERE request_id = 'R2'").fetchone()[0] == "needs_review"


def test_erasures_and_retention_in_one_sweep_equal_erasures_then_retention(two_warehouses):
    """The nightly job sweeps once for both (privacy/purges.py). Frank, whose last purchase is
    past the retention period, shares a landline with Eve, who asks for erasure: one after the
    other, Eve's erasure leaves the landline (Frank holds it), then Frank's purge removes it, and
    no tombstone blocks it. The single sweep must end the same way, tombstones included."""
    (both, both_cfg), (sequential, seq_cfg) = two_warehouses
    requests = [r for r in REQUESTS if r[0] != "R6"]  # nobody asks to erase Frank
    for con in (both, sequential):
        for i, req in enumerate(requests):
            _request(con, i, *req)
        con.execute("INSERT INTO staging.orders (record_id, source, order_id, customer_record_key, order_ts, amount, "
                    "status) SELECT 'web_orders:n' || record_id, 'web_orders', 'n' || record_id, record_id, "
                    "TIMESTAMP '2028-01-01', 20, 'paid' FROM staging.identity_records "
                    "WHERE record_id NOT IN ('web:3', 'web:7')")  # Bob's family member and Frank stay dormant
    run_date = date(2028, 6, 1)
    metrics = apply_purges(both, both_cfg, erase=True, run_date=run_date)
    apply_erasure(sequential, seq_cfg)
    apply_retention(sequential, seq_cfg, run_date)

    assert (metrics["erasure"]["requests_applied"], metrics["retention"]["customers_purged"]) == (6, 2)
    assert _contents(both, both_cfg) == _contents(sequential, seq_cfg)
    assert [r[0] for r in both.execute("SELECT customer_id FROM marts.golden_customers").fetchall()] == ["C2"]
    assert both.execute("SELECT count(*) FROM staging.identity_records WHERE phone = ?",
                        [EVE_FRANK_LANDLINE]).fetchone()[0] == 0
    assert both.execute("SELECT count(*) FROM gdpr.erasure_tombstones WHERE hash = erasure_hash('phone', ?)",
                        [EVE_FRANK_LANDLINE]).fetchone()[0] == 0


def test_a_record_that_once_held_the_erased_email_is_not_erased(tmp_path, monkeypatch):
    """Bob's record carried Alice's email in an older extract (a typo since corrected). Erasing
    Alice removes that old raw row, which holds her email, but not Bob's record, his orders or
    his future extracts: his record is not hers."""
    monkeypatch.setenv(SALT_ENV, "salt")
    con, cfg = _warehouse(tmp_path)
    con.execute("INSERT INTO raw.web VALUES ('2', 'alice@x.fr', '+33622222222', 'f0')")  # Bob's record, long ago
    access = dsar_export(con, cfg, email="alice@x.fr", out_path=tmp_path / "alice.json").read_text(encoding="utf-8")
    assert "bob@x.fr" not in access  # nor does Alice's access export show Bob's record
    _request(con, 0, "R1", "alice@x.fr", None, None)
    assert apply_erasure(con, cfg)["requests_applied"] == 1
    assert con.execute("SELECT count(*) FROM marts.golden_customers WHERE customer_id = 'C2'").fetchone()[0] == 1
    assert con.execute("SELECT mail FROM raw.web WHERE customer_id = '2'").fetchall() == [("bob@x.fr",)]
    assert con.execute("SELECT count(*) FROM staging.orders WHERE customer_record_key = 'web:2'").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM gdpr.erasure_tombstones WHERE hash = erasure_hash('record', 'web:2')"
                       ).fetchone()[0] == 0
    con.close()
